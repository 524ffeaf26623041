"""CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs: wire <-> operations."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.flowlogs import operations
from privlink.services.ec2.flowlogs.records import CLOUDWATCH, S3, FlowLog
from privlink.services.privatelink.handlers.wire import unsuccessful
from privlink.services.shared.describe import Describe
from privlink.services.shared.idempotency import remember_token, replayed

FLOW_LOGS = Describe(
    FlowLog,
    {
        "deliver-log-status": lambda f: f.deliver_status,
        "log-destination-type": lambda f: f.destination_type,
        "flow-log-id": lambda f: f.id,
        "log-group-name": lambda f: f.log_group_name,
        "resource-id": lambda f: f.resource_id,
        "traffic-type": lambda f: f.traffic_type,
    },
)


@handles("CreateFlowLogs")
def create_flow_logs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientToken")
    earlier = replayed(ctx, "CreateFlowLogs", params)
    if earlier is not None:
        return {"ClientToken": token, "FlowLogIds": earlier.split(","), "Unsuccessful": []}
    options = params.get("DestinationOptions") or {}
    spec = operations.FlowLogSpec(
        resource_type=params["ResourceType"],
        resource_ids=tuple(params["ResourceIds"]),
        traffic_type=params.get("TrafficType"),
        destination_type=params.get("LogDestinationType") or CLOUDWATCH,
        log_group_name=params.get("LogGroupName"),
        log_destination=params.get("LogDestination"),
        permission_arn=params.get("DeliverLogsPermissionArn"),
        log_format=params.get("LogFormat"),
        max_aggregation_interval=params.get("MaxAggregationInterval", 600),
        tags=tag_wire.by_type(params, ("vpc-flow-log",)).get("vpc-flow-log", {}),
        file_format=options.get("FileFormat") or "plain-text",
        hive_partitions=bool(options.get("HiveCompatiblePartitions")),
        per_hour_partition=bool(options.get("PerHourPartition")),
    )
    made, refused = operations.create_flow_logs(ctx, spec)
    if made:
        remember_token(ctx, "CreateFlowLogs", params, ",".join(f.id for f in made))
    return {
        "ClientToken": token,
        "FlowLogIds": [f.id for f in made],
        "Unsuccessful": unsuccessful(refused),
    }


@handles("DescribeFlowLogs")
def describe_flow_logs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Ids nobody has are not an error here: AWS answers with the ones it knows. (This
    call names its filters `Filter`, not `Filters`.)"""
    wanted = set(params.get("FlowLogIds") or [])
    known = [f for f in ctx.list(FlowLog) if not wanted or f.id in wanted]
    page, token = FLOW_LOGS.page(ctx, None, {**params, "Filters": params.get("Filter")}, known)
    return {"FlowLogs": [wire(f) for f in page], "NextToken": token}


@handles("DeleteFlowLogs")
def delete_flow_logs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Unsuccessful": unsuccessful(operations.delete_flow_logs(ctx, params["FlowLogIds"]))}


def wire(f: FlowLog) -> dict[str, Any]:
    s3 = f.destination_type == S3
    return {
        "CreationTime": f.creation_time,
        "DeliverLogsErrorMessage": f.deliver_error,
        "DeliverLogsPermissionArn": f.permission_arn,
        "DeliverLogsStatus": f.deliver_status,
        "FlowLogId": f.id,
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": f.log_group_name or None,
        "ResourceId": f.resource_id,
        "TrafficType": f.traffic_type,
        "LogDestinationType": f.destination_type,
        "LogDestination": f.log_destination,
        "LogFormat": f.log_format,
        "Tags": tag_wire.wire(f.tags),
        "MaxAggregationInterval": f.max_aggregation_interval,
        "DestinationOptions": {
            "FileFormat": "plain-text",
            "HiveCompatiblePartitions": f.hive_partitions,
            "PerHourPartition": f.per_hour_partition,
        }
        if s3
        else None,
    }
