"""VPC Flow Logs (part of the EC2 API): error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import InvalidParameter, _not_found, _templated, _variant

InvalidFlowLogIdNotFound = _not_found("InvalidFlowLogId.NotFound", "flow log ID")
FlowLogAlreadyExists = _templated(
    "FlowLogAlreadyExists",
    "Error. There is an existing Flow Log with the same configuration and log destination.",
)
FlowLogDestinationMissing = _variant(
    InvalidParameter, "LogDestination can't be empty if LogGroupName is not provided."
)
FlowLogDestinationTwice = _variant(
    InvalidParameter, "Please only provide LogGroupName or only provide LogDestination."
)
FlowLogPermissionMissing = _variant(
    InvalidParameter, "DeliverLogsPermissionArn can't be empty if LogDestinationType is {0}."
)
FlowLogGroupNotForS3 = _variant(
    InvalidParameter, "LogDestination type must be cloud-watch-logs if LogGroupName is provided."
)
FlowLogBadDestination = _variant(InvalidParameter, "LogDestination: {0} is not a valid {1} ARN.")
FlowLogBadInterval = _variant(InvalidParameter, "Invalid Flow Log Max Aggregation Interval")
FlowLogUnsupported = _variant(InvalidParameter, "{0} {1} is not supported by privlink.")
FlowLogBadFormat = _variant(InvalidParameter, "Unknown fields provided in LogFormat: {0}")
FlowLogBucketMissing = _templated("400", "LogDestination: {0} does not exist.")
