"""Flow logs as the store keeps them."""

from __future__ import annotations

from privlink import errors
from privlink.services.ec2.records import Tagged

CLOUDWATCH = "cloud-watch-logs"
S3 = "s3"


class FlowLog(Tagged):
    """One flow log: which resource's interfaces it captures, which traffic, and where
    its records go (a CloudWatch Logs group, or an S3 bucket)."""

    kind = "flow-log"
    not_found = errors.InvalidFlowLogIdNotFound
    resource_id: str  # a VPC, subnet or network interface
    traffic_type: str  # ACCEPT | REJECT | ALL
    destination_type: str  # cloud-watch-logs | s3
    log_group_name: str = ""  # cloud-watch-logs
    log_destination: str  # the log group's or the bucket's ARN (arn:aws:s3:::bucket/prefix)
    permission_arn: str | None = None  # DeliverLogsPermissionArn
    log_format: str
    max_aggregation_interval: int = 600
    creation_time: str
    # s3's DestinationOptions (plain text only: parquet is not written)
    hive_partitions: bool = False
    per_hour_partition: bool = False
    # Whether the last delivery worked (the role must let vpc-flow-logs assume it).
    deliver_status: str = "SUCCESS"
    deliver_error: str | None = None

    @property
    def parent(self) -> str | None:
        return self.resource_id

    @property
    def bucket(self) -> str:
        """s3: the bucket LogDestination names."""
        return self.log_destination.removeprefix("arn:aws:s3:::").split("/", 1)[0]

    @property
    def key_prefix(self) -> str:
        """s3: the folder LogDestination names inside the bucket ("" for none)."""
        rest = self.log_destination.removeprefix("arn:aws:s3:::")
        return rest.split("/", 1)[1].strip("/") if "/" in rest else ""
