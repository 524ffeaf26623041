"""PutLogEvents: AWS's acceptance rules, and appending to a stream's chunks.

Sequence tokens are no longer required by AWS: one sent is accepted and
ignored. A batch must be in chronological order and span at most 24 hours
(else the whole batch is refused); events more than 2 hours ahead, more
than 14 days old, or older than the group's retention are skipped and
reported in rejectedLogEventsInfo, the rest are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.logs.operations.groups import create_log_stream, millis
from privlink.services.logs.queries import require_group, stream_arn
from privlink.services.logs.records import CHUNK_BYTES, CHUNK_EVENTS, LogChunk, LogGroup, LogStream

HOUR = 3600 * 1000
DAY = 24 * HOUR
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26


@dataclass(frozen=True)
class LogEvent:
    timestamp: int  # ms since the epoch
    message: str


@dataclass
class PutResult:
    next_sequence_token: str
    rejected: dict[str, int] = field(default_factory=dict)  # rejectedLogEventsInfo


def put_log_events(
    scope: Scope,
    group_name: str,
    stream_name: str,
    events: list[LogEvent],
    create_stream: bool = False,
) -> PutResult:
    """Store a batch; other services (MWAA task logs) call this directly, asking for the
    stream to be created if it does not exist yet."""
    group = require_group(scope, group_name)
    stream = scope.get(LogStream, stream_arn(group, stream_name))
    if stream is None:
        if not create_stream:
            raise errors.LogStreamNotFound()
        stream = create_log_stream(scope, group_name, stream_name)
    _check_batch(events)
    now = millis(scope)
    accepted, rejected = _accept(events, now, group.retention_days)
    if accepted:
        _append(scope, group, stream, accepted, now)
    return PutResult(f"{stream.events:056d}", rejected)


def _check_batch(events: list[LogEvent]) -> None:
    if any(b.timestamp < a.timestamp for a, b in zip(events, events[1:], strict=False)):
        raise errors.LogsInvalidParameter(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    if events and events[-1].timestamp - events[0].timestamp > DAY:
        raise errors.LogsInvalidParameter(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    size = sum(len(e.message.encode()) + EVENT_OVERHEAD for e in events)
    if size > MAX_BATCH_BYTES:
        raise errors.LogsInvalidParameter(
            f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )


def _accept(
    events: list[LogEvent], now: int, retention_days: int | None
) -> tuple[list[LogEvent], dict[str, int]]:
    """The events to store and rejectedLogEventsInfo (the batch is in time order)."""
    too_old = sum(1 for e in events if e.timestamp < now - 14 * DAY)
    expired = (
        sum(1 for e in events if e.timestamp < now - retention_days * DAY)
        if retention_days is not None
        else 0
    )
    too_new = next((i for i, e in enumerate(events) if e.timestamp > now + 2 * HOUR), len(events))
    rejected: dict[str, int] = {}
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old
    if expired:
        rejected["expiredLogEventEndIndex"] = expired
    if too_new < len(events):
        rejected["tooNewLogEventStartIndex"] = too_new
    return events[max(too_old, expired) : too_new], rejected


def _append(
    scope: Scope, group: LogGroup, stream: LogStream, events: list[LogEvent], now: int
) -> None:
    """Fill the stream's open chunk, then new ones; update the stream's summary."""
    chunk = scope.get(LogChunk, stream.chunk_id(len(stream.chunk_starts) - 1))
    is_new = False
    for event in events:
        size = len(event.message.encode())
        if chunk is None or len(chunk.events) >= CHUNK_EVENTS or chunk.size + size > CHUNK_BYTES:
            if chunk is not None:
                _save(scope, chunk, is_new)
            stream.chunk_starts.append(stream.events)
            chunk = LogChunk(
                id=stream.chunk_id(len(stream.chunk_starts) - 1),
                account=stream.account,
                region=stream.region,
                stream_arn=stream.id,
                start=stream.events,
            )
            is_new = True
        chunk.events.append((event.timestamp, now, event.message))
        chunk.size += size
        stream.events += 1
        stream.stored_bytes += size
        group.stored_bytes += size
    assert chunk is not None
    _save(scope, chunk, is_new)
    first, last = events[0].timestamp, events[-1].timestamp
    stream.first_event = first if stream.first_event is None else min(stream.first_event, first)
    stream.last_event = last if stream.last_event is None else max(stream.last_event, last)
    stream.last_ingestion = now
    scope.put(stream)
    scope.put(group)


def _save(scope: Scope, chunk: LogChunk, is_new: bool) -> None:
    if is_new:
        scope.add(chunk)
    else:
        scope.put(chunk)
