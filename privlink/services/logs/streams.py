"""Log stream handlers: create, describe (name or last-event order), delete."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.logs import operations, queries, validation, wire


@handles("CreateLogStream")
def create_log_stream(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.create_log_stream(ctx, params["logGroupName"], params["logStreamName"])
    return {}


@handles("DeleteLogStream")
def delete_log_stream(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_log_stream(ctx, params["logGroupName"], params["logStreamName"])
    return {}


@handles("DescribeLogStreams")
def describe_log_streams(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = queries.require_group(ctx, params.get("logGroupName"), params.get("logGroupIdentifier"))
    prefix = params.get("logStreamNamePrefix")
    order = params.get("orderBy") or "LogStreamName"
    if prefix is not None and order == "LastEventTime":
        raise errors.LogsInvalidParameter(
            "Cannot order by LastEventTime with a logStreamNamePrefix."
        )
    found = queries.streams(ctx, group)
    if prefix is not None:
        found = [s for s in found if s.name.startswith(prefix)]
    if order == "LastEventTime":
        found.sort(key=lambda s: s.last_event if s.last_event is not None else -1)
    if params.get("descending"):
        found.reverse()
    chunk, token = validation.page(found, params, lambda s: s.name)
    return {"logStreams": [wire.stream(s) for s in chunk], "nextToken": token}
