"""Publishing flow log records, as the flow logs service does on AWS.

The records come from real traffic the data plane counted (privlink.dataplane.flows); the
controller aggregates them over each flow log's interval and hands one window here.

- CloudWatch Logs: one log stream per network interface, named by its id; the group is
  created when missing (the delivery role may create it, as AWS's does). Delivery needs
  the role of DeliverLogsPermissionArn to exist and trust vpc-flow-logs.amazonaws.com;
  otherwise the flow log shows DeliverLogsStatus FAILED ("Access error").
- S3: one gzipped object per window in AWS's key layout
  (`[prefix/]AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/[HH/]ACCOUNT_vpcflowlogs_REGION_
  FLOWLOGID_YYYYMMDDTHHmmZ_HASH.log.gz`, or the Hive-style partitions), a header line of
  the format's field names first. A bucket that is gone makes the delivery FAILED.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from privlink.api import Scope
from privlink.dataplane.flows import FlowCount
from privlink.services.ec2.flowlogs import format
from privlink.services.ec2.flowlogs.records import S3, FlowLog
from privlink.services.ec2.records import NetworkInterface
from privlink.services.iam.queries import role_by_arn, trusts
from privlink.services.logs.operations.events import LogEvent, put_log_events
from privlink.services.logs.operations.groups import create_log_group
from privlink.services.logs.queries import group_by_name
from privlink.services.s3.operations.objects import ObjectMeta, put_object_file
from privlink.services.s3.records import Bucket
from privlink.services.s3.storage import Storage

PRINCIPAL = "vpc-flow-logs.amazonaws.com"
ACCESS_ERROR = "Access error"


def deliver(scope: Scope, storage: Storage, flow_log: FlowLog, counts: Sequence[FlowCount]) -> None:
    """Write one aggregation window of a flow log (`scope`: the flow log's own)."""
    wanted = [c for c in counts if flow_log.traffic_type in ("ALL", c.action)]
    if flow_log.destination_type == S3:
        bucket = scope.foreign(Bucket, flow_log.bucket)
        if _delivered(scope, flow_log, bucket is not None) and wanted and bucket is not None:
            _to_s3(scope.acting_as(bucket.account), storage, flow_log, wanted)
    elif _may_deliver(scope, flow_log) and wanted:
        _to_cloudwatch(scope, flow_log, wanted)


def _to_cloudwatch(scope: Scope, flow_log: FlowLog, wanted: list[FlowCount]) -> None:
    if group_by_name(scope, flow_log.log_group_name) is None:
        create_log_group(scope, flow_log.log_group_name)
    by_eni: dict[str, list[FlowCount]] = defaultdict(list)
    for count in wanted:
        by_eni[count.eni_id].append(count)
    for eni_id, found in sorted(by_eni.items()):
        eni = scope.foreign(NetworkInterface, eni_id)
        events = [
            LogEvent(c.start * 1000, format.line(flow_log.log_format, _values(scope, eni, c)))
            for c in sorted(found, key=lambda c: (c.start, c.end))
        ]
        put_log_events(scope, flow_log.log_group_name, eni_id, events, create_stream=True)


def _may_deliver(scope: Scope, flow_log: FlowLog) -> bool:
    """Whether the delivery role works; records the answer on the flow log."""
    role = role_by_arn(scope, flow_log.permission_arn or "")
    return _delivered(scope, flow_log, role is not None and trusts(role, PRINCIPAL))


def _delivered(scope: Scope, flow_log: FlowLog, ok: bool) -> bool:
    """Record whether delivery works on the flow log (DeliverLogsStatus); returns `ok`."""
    status, error = ("SUCCESS", None) if ok else ("FAILED", ACCESS_ERROR)
    if (flow_log.deliver_status, flow_log.deliver_error) != (status, error):
        scope.put(flow_log.model_copy(update={"deliver_status": status, "deliver_error": error}))
    return ok


def _to_s3(scope: Scope, storage: Storage, flow_log: FlowLog, wanted: list[FlowCount]) -> None:
    """One gzipped object with the window's records (`scope`: the bucket owner's)."""
    lines = [" ".join(format.fields(flow_log.log_format))]
    for c in sorted(wanted, key=lambda c: (c.start, c.end)):
        eni = scope.foreign(NetworkInterface, c.eni_id)
        lines.append(format.line(flow_log.log_format, _values(scope, eni, c)))
    body = gzip.compress(("\n".join(lines) + "\n").encode())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.log.gz"
        path.write_bytes(body)
        meta = ObjectMeta(content_type="application/x-gzip")
        put_object_file(
            scope, storage, flow_log.bucket, object_key(flow_log, scope.now()), path, meta
        )


def object_key(flow_log: FlowLog, at: dt.datetime) -> str:
    """Where AWS puts one delivery of a flow log in its bucket."""
    account, region = flow_log.account, flow_log.region
    if flow_log.hive_partitions:
        folder = (
            f"AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/"
            f"year={at:%Y}/month={at:%m}/day={at:%d}/"
            + (f"hour={at:%H}/" if flow_log.per_hour_partition else "")
        )
    else:
        folder = f"AWSLogs/{account}/vpcflowlogs/{region}/{at:%Y/%m/%d}/" + (
            f"{at:%H}/" if flow_log.per_hour_partition else ""
        )
    digest = hashlib.sha256(f"{flow_log.id}{at.isoformat()}".encode()).hexdigest()[:8]
    name = f"{account}_vpcflowlogs_{region}_{flow_log.id}_{at:%Y%m%dT%H%MZ}_{digest}.log.gz"
    prefix = f"{flow_log.key_prefix}/" if flow_log.key_prefix else ""
    return prefix + folder + name


def _values(scope: Scope, eni: NetworkInterface | None, c: FlowCount) -> dict[str, object]:
    """Every field privlink knows of one record."""
    ingress = eni is not None and c.dst == eni.private_ip
    return {
        "account-id": eni.account if eni is not None else scope.account,
        "interface-id": c.eni_id,
        "srcaddr": c.src,
        "dstaddr": c.dst,
        "srcport": c.sport,
        "dstport": c.dport,
        "protocol": c.protocol,
        "packets": c.packets,
        "bytes": c.bytes,
        "start": c.start,
        "end": c.end,
        "action": c.action,
        "log-status": "OK",
        "vpc-id": eni.vpc_id if eni is not None else None,
        "subnet-id": eni.subnet_id if eni is not None else None,
        "instance-id": eni.instance_id if eni is not None else None,
        "type": "IPv4",
        "pkt-srcaddr": c.src,
        "pkt-dstaddr": c.dst,
        "region": scope.region,
        "az-id": None,
        "flow-direction": "ingress" if ingress else "egress",
        "traffic-path": None,
        "sublocation-type": None,
        "sublocation-id": None,
        "tcp-flags": None,
        "pkt-src-aws-service": None,
        "pkt-dst-aws-service": None,
    }
