"""CloudWatch Logs as privlink serves it."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.logs import events, groups, records, streams


def service() -> Service:
    return Service.from_modules(
        "logs",
        [groups, streams, events],
        records=[records.LogGroup, records.LogStream, records.LogChunk],
    )
