"""Flow logs as the store keeps them."""

from __future__ import annotations

from privlink import errors
from privlink.services.ec2.records import Tagged

CLOUDWATCH = "cloud-watch-logs"


class FlowLog(Tagged):
    """One flow log: which resource's interfaces it captures, which traffic, and the
    CloudWatch Logs group its records go to."""

    kind = "flow-log"
    not_found = errors.InvalidFlowLogIdNotFound
    resource_id: str  # a VPC, subnet or network interface
    traffic_type: str  # ACCEPT | REJECT | ALL
    destination_type: str  # cloud-watch-logs
    log_group_name: str
    log_destination: str  # the log group's ARN
    permission_arn: str | None = None  # DeliverLogsPermissionArn
    log_format: str
    max_aggregation_interval: int = 600
    creation_time: str
    # Whether the last delivery worked (the role must let vpc-flow-logs assume it).
    deliver_status: str = "SUCCESS"
    deliver_error: str | None = None

    @property
    def parent(self) -> str | None:
        return self.resource_id
