"""CreateFlowLogs and DeleteFlowLogs: AWS's checks, then one record per resource.

Checks of the request as a whole raise (InvalidParameter, as AWS answers them); a
resource that cannot get a flow log (it does not exist, or already has one with the same
traffic type and destination) is refused alone, in the answer's Unsuccessful list, while
the others get theirs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.flowlogs import format
from privlink.services.ec2.flowlogs.records import CLOUDWATCH, S3, FlowLog
from privlink.services.ec2.records import NetworkInterface, Subnet, Vpc
from privlink.services.privatelink.records import Refusal
from privlink.services.s3.records import Bucket
from privlink.store.records import Record

RESOURCE_KINDS: dict[str, type[Record]] = {
    "VPC": Vpc,
    "Subnet": Subnet,
    "NetworkInterface": NetworkInterface,
}
TRAFFIC_TYPES = ("ACCEPT", "REJECT", "ALL")
INTERVALS = (60, 600)
_GROUP_ARN = re.compile(r"^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$")
_BUCKET_ARN = re.compile(r"^arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")


@dataclass(frozen=True)
class FlowLogSpec:
    """What CreateFlowLogs asks for, typed (defaults as AWS's)."""

    resource_type: str
    resource_ids: tuple[str, ...]
    traffic_type: str | None
    destination_type: str = CLOUDWATCH
    log_group_name: str | None = None
    log_destination: str | None = None
    permission_arn: str | None = None
    log_format: str | None = None
    max_aggregation_interval: int = 600
    tags: Mapping[str, str] = field(default_factory=dict)
    file_format: str = "plain-text"  # s3's DestinationOptions
    hive_partitions: bool = False
    per_hour_partition: bool = False


def create_flow_logs(scope: Scope, spec: FlowLogSpec) -> tuple[list[FlowLog], list[Refusal]]:
    """One flow log per resource that can have it; the refusals of the others."""
    _check(spec)
    group, destination = _destination(scope, spec)
    log_format = spec.log_format or format.DEFAULT_FORMAT
    made: list[FlowLog] = []
    refused: list[Refusal] = []
    for resource_id in dict.fromkeys(spec.resource_ids):
        problem = _refusal(scope, spec, resource_id, destination)
        if problem is not None:
            refused.append(Refusal(resource_id, problem))
            continue
        flow_log = FlowLog(
            id=scope.new_id("fl"),
            account=scope.account,
            region=scope.region,
            resource_id=resource_id,
            traffic_type=spec.traffic_type or "ALL",
            destination_type=spec.destination_type,
            log_group_name=group,
            log_destination=destination,
            permission_arn=spec.permission_arn,
            log_format=log_format,
            max_aggregation_interval=spec.max_aggregation_interval,
            creation_time=scope.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            tags=dict(spec.tags),
            hive_partitions=spec.hive_partitions and spec.destination_type == S3,
            per_hour_partition=spec.per_hour_partition and spec.destination_type == S3,
        )
        scope.add(flow_log)
        made.append(flow_log)
    return made, refused


def _check(spec: FlowLogSpec) -> None:
    """The request-wide checks every destination shares."""
    if spec.resource_type not in RESOURCE_KINDS:
        raise errors.FlowLogUnsupported("ResourceType", spec.resource_type)
    if spec.traffic_type is None:
        raise errors.ParameterMissing("TrafficType")
    if spec.traffic_type not in TRAFFIC_TYPES:
        raise errors.InvalidParameterValue.because(
            f"Value ({spec.traffic_type}) for parameter TrafficType is invalid."
        )
    if spec.destination_type not in (CLOUDWATCH, S3):
        raise errors.FlowLogUnsupported("LogDestinationType", spec.destination_type)
    if spec.log_group_name and spec.log_destination:
        raise errors.FlowLogDestinationTwice()
    if not spec.log_group_name and not spec.log_destination:
        raise errors.FlowLogDestinationMissing()
    if spec.max_aggregation_interval not in INTERVALS:
        raise errors.FlowLogBadInterval()
    format.fields(spec.log_format or format.DEFAULT_FORMAT)


def _destination(scope: Scope, spec: FlowLogSpec) -> tuple[str, str]:
    """(log group name or "", LogDestination ARN) of a checked request."""
    if spec.destination_type == S3:
        if spec.log_group_name:
            raise errors.FlowLogGroupNotForS3()
        if not _BUCKET_ARN.match(spec.log_destination or ""):
            raise errors.FlowLogBadDestination(spec.log_destination or "", "S3 bucket")
        if spec.file_format != "plain-text":
            raise errors.FlowLogUnsupported("FileFormat", spec.file_format)
        return "", str(spec.log_destination)
    if not spec.permission_arn:
        raise errors.FlowLogPermissionMissing(spec.destination_type)
    if spec.log_group_name:
        group = spec.log_group_name
    else:
        match = _GROUP_ARN.match(spec.log_destination or "")
        if match is None or (match[1], match[2]) != (scope.region, scope.account):
            raise errors.FlowLogBadDestination(spec.log_destination or "", "log group")
        group = match[3]
    return group, f"arn:aws:logs:{scope.region}:{scope.account}:log-group:{group}"


def _refusal(
    scope: Scope, spec: FlowLogSpec, resource_id: str, destination: str
) -> errors.AwsError | None:
    kind = RESOURCE_KINDS[spec.resource_type]
    if scope.get(kind, resource_id) is None:
        not_found = kind.not_found
        assert not_found is not None
        error = not_found(resource_id)
        assert isinstance(error, errors.AwsError)
        return error
    for existing in scope.list(FlowLog, parent=resource_id):
        if (existing.traffic_type, existing.log_destination) == (spec.traffic_type, destination):
            return errors.FlowLogAlreadyExists()
    if spec.destination_type == S3:
        bucket = destination.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        if scope.foreign(Bucket, bucket) is None:
            return errors.FlowLogBucketMissing(bucket)
    return None


def delete_flow_logs(scope: Scope, flow_log_ids: Iterable[str]) -> list[Refusal]:
    """Delete the caller's flow logs; unknown ids are refused one by one."""
    refused: list[Refusal] = []
    for flow_log_id in dict.fromkeys(flow_log_ids):
        flow_log = scope.get(FlowLog, flow_log_id)
        if flow_log is None:
            refused.append(Refusal(flow_log_id, errors.InvalidFlowLogIdNotFound(flow_log_id)))
        else:
            scope.delete(flow_log)
    return refused
