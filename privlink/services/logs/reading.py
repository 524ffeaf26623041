"""Reading events: GetLogEvents (one stream, forward/backward tokens) and FilterLogEvents
(a group's streams merged by time, with a filter pattern and a resumable nextToken).

GetLogEvents tokens are stream positions: "f/N" reads forward from position
N, "b/N" backward from just before it. When nothing is left in a direction
the same token comes back, which is how SDKs and `aws logs get-log-events`
loops know they reached the end; a later call with it picks up new events.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.logs.patterns import Matcher
from privlink.services.logs.queries import StoredEvent, chunks, events_before, events_from
from privlink.services.logs.records import LogStream

MAX_RESPONSE = 1_048_576
_TOKEN = re.compile(r"^([fb])/(\d+)(/s)?$")


@dataclass(frozen=True)
class Window:
    """Times asked for, in ms: start inclusive, end exclusive (GetLogEvents) or inclusive."""

    start: int | None = None
    end: int | None = None
    end_inclusive: bool = False

    def holds(self, timestamp: int) -> bool:
        if self.start is not None and timestamp < self.start:
            return False
        if self.end is None:
            return True
        return timestamp <= self.end if self.end_inclusive else timestamp < self.end


@dataclass(frozen=True)
class StreamPage:
    events: list[StoredEvent]
    forward: str
    backward: str


def token(direction: str, position: int) -> str:
    return f"{direction}/{position:020d}/s"


def _parse(value: str) -> tuple[str, int]:
    match = _TOKEN.match(value)
    if match is None:
        raise errors.LogsInvalidParameter("The specified nextToken is invalid.")
    return match[1], int(match[2])


def _take(events: Iterable[StoredEvent], window: Window, limit: int) -> list[StoredEvent]:
    taken: list[StoredEvent] = []
    size = 0
    for event in events:
        if not window.holds(event.timestamp):
            continue
        size += event.size
        if len(taken) >= limit or (taken and size > MAX_RESPONSE):
            break
        taken.append(event)
    return taken


def read_stream(
    scope: Scope,
    stream: LogStream,
    window: Window,
    limit: int,
    next_token: str | None,
    from_head: bool,
) -> StreamPage:
    if next_token:
        direction, position = _parse(next_token)
    else:
        direction, position = ("f", 0) if from_head else ("b", stream.events)
    if direction == "f":
        found = _take(events_from(scope, stream, position), window, limit)
        if not found:
            return StreamPage([], token("f", position), token("b", position))
        return StreamPage(found, token("f", found[-1].position + 1), token("b", found[0].position))
    found = list(reversed(_take(events_before(scope, stream, position), window, limit)))
    if not found:
        return StreamPage([], token("f", position), token("b", position))
    return StreamPage(found, token("f", found[-1].position + 1), token("b", found[0].position))


def _key(event: StoredEvent) -> tuple[int, int, str, int]:
    return (event.timestamp, event.ingestion, event.stream.name, event.position)


def _candidates(scope: Scope, stream: LogStream, window: Window) -> Iterator[StoredEvent]:
    """The stream's events in the window (skipping streams that cannot hold any)."""
    if stream.first_event is None or stream.last_event is None:
        return
    if window.start is not None and stream.last_event < window.start:
        return
    if window.end is not None and stream.first_event > window.end:
        return
    for chunk in chunks(scope, stream, 0, len(stream.chunk_starts) - 1):
        for offset, (timestamp, ingestion, message) in enumerate(chunk.events):
            if window.holds(timestamp):
                yield StoredEvent(stream, chunk.start + offset, timestamp, ingestion, message)


def filter_events(
    scope: Scope,
    streams: list[LogStream],
    window: Window,
    matches: Matcher,
    limit: int,
    next_token: str | None,
) -> tuple[list[StoredEvent], str | None]:
    """Matching events of these streams in time order; the token resumes after the last."""
    after = _decode(next_token) if next_token else None
    found = sorted(
        (
            e
            for stream in streams
            for e in _candidates(scope, stream, window)
            if matches(e.message) and (after is None or _key(e) > after)
        ),
        key=_key,
    )
    page = _take(found, Window(), limit)
    if len(page) == len(found):
        return page, None
    return page, _encode(_key(page[-1])) if page else None


def _encode(key: tuple[int, int, str, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode(value: str) -> tuple[int, int, str, int]:
    try:
        timestamp, ingestion, stream, position = json.loads(base64.urlsafe_b64decode(value))
        return (int(timestamp), int(ingestion), str(stream), int(position))
    except (ValueError, TypeError) as exc:
        raise errors.LogsInvalidParameter("The specified nextToken is invalid.") from exc
