"""CloudWatch Logs operations: typed calls that decide and write, for handlers and for other
services (MWAA writes task logs with `put_log_events`)."""

from privlink.services.logs.operations.events import LogEvent, PutResult, put_log_events
from privlink.services.logs.operations.groups import (
    create_log_group,
    create_log_stream,
    delete_log_group,
    delete_log_stream,
    put_retention,
    tag_log_group,
    untag_log_group,
)

__all__ = [
    "LogEvent",
    "PutResult",
    "create_log_group",
    "create_log_stream",
    "delete_log_group",
    "delete_log_stream",
    "put_log_events",
    "put_retention",
    "tag_log_group",
    "untag_log_group",
]
