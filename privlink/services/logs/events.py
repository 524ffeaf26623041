"""Event handlers: PutLogEvents, GetLogEvents, FilterLogEvents."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.logs import operations, queries, reading, validation, wire
from privlink.services.logs.patterns import compile_pattern


@handles("PutLogEvents")
def put_log_events(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    events = [operations.LogEvent(int(e["timestamp"]), e["message"]) for e in params["logEvents"]]
    result = operations.put_log_events(ctx, params["logGroupName"], params["logStreamName"], events)
    return {
        "nextSequenceToken": result.next_sequence_token,
        "rejectedLogEventsInfo": result.rejected or None,
    }


@handles("GetLogEvents")
def get_log_events(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = queries.require_group(ctx, params.get("logGroupName"), params.get("logGroupIdentifier"))
    stream = queries.require_stream(ctx, group, params["logStreamName"])
    page = reading.read_stream(
        ctx,
        stream,
        reading.Window(params.get("startTime"), params.get("endTime")),
        validation.limit(params.get("limit"), 10000, 10000),
        params.get("nextToken"),
        bool(params.get("startFromHead")),
    )
    return {
        "events": [wire.output_event(e) for e in page.events],
        "nextForwardToken": page.forward,
        "nextBackwardToken": page.backward,
    }


@handles("FilterLogEvents")
def filter_log_events(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = queries.require_group(ctx, params.get("logGroupName"), params.get("logGroupIdentifier"))
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise errors.LogsInvalidParameter(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
        )
    streams = queries.streams(ctx, group)
    if names is not None:
        wanted = set(names)
        streams = [s for s in streams if s.name in wanted]
    if prefix is not None:
        streams = [s for s in streams if s.name.startswith(prefix)]
    window = reading.Window(params.get("startTime"), params.get("endTime"), end_inclusive=True)
    found, token = reading.filter_events(
        ctx,
        streams,
        window,
        compile_pattern(params.get("filterPattern")),
        validation.limit(params.get("limit"), 10000, 10000),
        params.get("nextToken"),
    )
    return {
        "events": [wire.filtered_event(e) for e in found],
        "searchedLogStreams": [
            {"logStreamName": s.name, "searchedCompletely": True} for s in streams
        ],
        "nextToken": token,
    }
