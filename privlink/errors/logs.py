"""CloudWatch Logs: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import _error, _templated

# CloudWatch Logs (json protocol: the code travels as __type)
LogGroupNotFound = _templated(
    "ResourceNotFoundException", "The specified log group does not exist."
)
LogStreamNotFound = _templated(
    "ResourceNotFoundException", "The specified log stream does not exist."
)
LogGroupAlreadyExists = _templated(
    "ResourceAlreadyExistsException", "The specified log group already exists"
)
LogStreamAlreadyExists = _templated(
    "ResourceAlreadyExistsException", "The specified log stream already exists"
)
LogsResourceNotFound = _error("ResourceNotFoundException")
LogsLimitExceeded = _error("LimitExceededException")
LogsInvalidParameter = _error("InvalidParameterException")
