"""CloudWatch Logs records as the store keeps them.

Groups and streams are records keyed by ARN. Events are many and small, so
they are not one record each: a stream's events live in chunks (LogChunk,
child of the stream) of up to CHUNK_EVENTS events or CHUNK_BYTES of
messages, appended in ingestion order. Writing a batch rewrites only the
stream's last, open chunk and adds new ones; reading from a position reads
only the chunks that hold it (`LogStream.chunk_starts` maps positions to
chunks). An event's position in its stream never changes, which is what
GetLogEvents tokens and event ids are made of.
"""

from __future__ import annotations

from bisect import bisect_right

from pydantic import Field

from privlink import errors
from privlink.store.records import Record

CHUNK_EVENTS = 500
CHUNK_BYTES = 256 * 1024


class LogGroup(Record):
    kind = "logs-group"
    not_found = errors.LogGroupNotFound
    name: str
    created: int  # ms since the epoch, as Logs reports times
    retention_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    tags: dict[str, str] = Field(default_factory=dict)
    stored_bytes: int = 0

    @property
    def arn(self) -> str:
        """The ARN without the trailing ":*" that `arn` in DescribeLogGroups carries."""
        return self.id


class LogStream(Record):
    kind = "logs-stream"
    not_found = errors.LogStreamNotFound
    group_arn: str
    name: str
    created: int
    first_event: int | None = None  # timestamps of the earliest / latest event
    last_event: int | None = None
    last_ingestion: int | None = None
    stored_bytes: int = 0
    events: int = 0  # how many events were ever ingested (the next position)
    chunk_starts: list[int] = Field(default_factory=list)  # first position of each chunk

    @property
    def parent(self) -> str | None:
        return self.group_arn

    def chunk_id(self, number: int) -> str:
        return f"{self.id}#{number:09d}"

    def chunk_of(self, position: int) -> int:
        """The number of the chunk holding a position (which must be < events)."""
        return bisect_right(self.chunk_starts, position) - 1


class LogChunk(Record):
    """Consecutive events of one stream: [timestamp, ingestion time, message] each."""

    kind = "logs-chunk"
    stream_arn: str
    start: int  # the stream position of events[0]
    events: list[tuple[int, int, str]] = Field(default_factory=list)
    size: int = 0  # bytes of messages held

    @property
    def parent(self) -> str | None:
        return self.stream_arn
