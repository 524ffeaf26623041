"""Reads over groups, streams and events, for the handlers and for other services."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.logs.records import LogChunk, LogGroup, LogStream


@dataclass(frozen=True)
class StoredEvent:
    stream: LogStream
    position: int
    timestamp: int
    ingestion: int
    message: str

    @property
    def event_id(self) -> str:
        """Stable and unique per event: the stream's checksum and the event's position."""
        return f"{zlib.crc32(self.stream.id.encode()):010d}{self.position:016d}"

    @property
    def size(self) -> int:
        return len(self.message.encode()) + 26  # what Logs counts per event


def group_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:logs:{scope.region}:{scope.account}:log-group:{name}"


def stream_arn(group: LogGroup, name: str) -> str:
    return f"{group.id}:log-stream:{name}"


def group_by_name(scope: Scope, name: str) -> LogGroup | None:
    return scope.get(LogGroup, group_arn(scope, name))


def require_group(scope: Scope, name: str | None, identifier: str | None = None) -> LogGroup:
    """A group by name or by identifier (a name or an ARN, with or without ":*")."""
    if name is not None and identifier is not None:
        raise errors.LogsInvalidParameter(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters."
        )
    key = name if name is not None else identifier
    if key is None:
        raise errors.LogsInvalidParameter("Either logGroupName or logGroupIdentifier is required.")
    arn = key.removesuffix(":*") if key.startswith("arn:") else group_arn(scope, key)
    group = scope.get(LogGroup, arn)
    if group is None:
        raise errors.LogGroupNotFound()
    return group


def require_stream(scope: Scope, group: LogGroup, name: str) -> LogStream:
    stream = scope.get(LogStream, stream_arn(group, name))
    if stream is None:
        raise errors.LogStreamNotFound()
    return stream


def groups(scope: Scope) -> list[LogGroup]:
    return sorted(scope.list(LogGroup), key=lambda g: g.name)


def streams(scope: Scope, group: LogGroup) -> list[LogStream]:
    return sorted(scope.list(LogStream, parent=group.id), key=lambda s: s.name)


def chunks(scope: Scope, stream: LogStream, first: int, last: int) -> Iterator[LogChunk]:
    """The stream's chunks numbered first..last (inclusive), each read once."""
    for number in range(max(first, 0), min(last, len(stream.chunk_starts) - 1) + 1):
        chunk = scope.get(LogChunk, stream.chunk_id(number))
        if chunk is not None:
            yield chunk


def events_from(scope: Scope, stream: LogStream, position: int) -> Iterator[StoredEvent]:
    """Events at `position` and after, in ingestion order."""
    if position >= stream.events:
        return
    for chunk in chunks(scope, stream, stream.chunk_of(max(position, 0)), len(stream.chunk_starts)):
        for offset, (timestamp, ingestion, message) in enumerate(chunk.events):
            at = chunk.start + offset
            if at >= position:
                yield StoredEvent(stream, at, timestamp, ingestion, message)


def events_before(scope: Scope, stream: LogStream, position: int) -> Iterator[StoredEvent]:
    """Events before `position`, newest first."""
    if position <= 0 or not stream.events:
        return
    last = stream.chunk_of(min(position, stream.events) - 1)
    for number in range(last, -1, -1):
        for chunk in chunks(scope, stream, number, number):
            for offset in range(len(chunk.events) - 1, -1, -1):
                at = chunk.start + offset
                if at < position:
                    timestamp, ingestion, message = chunk.events[offset]
                    yield StoredEvent(stream, at, timestamp, ingestion, message)
