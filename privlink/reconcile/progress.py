"""What the data plane made of each resource, kept in the store: one feedback channel.

The data-plane controller writes one `Progress` record per resource whose
realisation it tracks (endpoints, instances): `ready` once its path was
applied without error, `retrying` after a temporary failure (with the
attempt count and when it will try again), `failed` after a permanent one
(with the reason a user can read). Lifecycle controllers read these records,
never the driver, so readiness travels the same way as target health: through
the store, visible after a restart, observable in tests.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Protocol

from privlink.store.records import Record
from privlink.store.unit import UnitOfWork


class Stage(enum.StrEnum):
    READY = "ready"
    RETRYING = "retrying"
    FAILED = "failed"


class Progress(Record):
    kind = "dataplane-progress"
    stage: Stage
    reason: str = ""
    attempts: int = 0
    retry_at: str | None = None  # ISO time of the next attempt while retrying


class Readiness(Protocol):
    """How far a resource got: READY, FAILED (with a reason), or None (not yet)."""

    def __call__(self, uow: UnitOfWork, record: Record) -> tuple[Stage, str] | None: ...


def always_ready(uow: UnitOfWork, record: Record) -> tuple[Stage, str] | None:
    """Control-plane-only mode: nothing to realise, so everything is ready at once."""
    return Stage.READY, ""


def from_store(expects_path: Callable[[Record], bool]) -> Readiness:
    """Readiness read from Progress records; resources that never get a path are ready."""

    def readiness(uow: UnitOfWork, record: Record) -> tuple[Stage, str] | None:
        if not expects_path(record):
            return Stage.READY, ""
        progress = uow.get(Progress, record.id)
        if progress is None or progress.stage == Stage.RETRYING:
            return None
        return progress.stage, progress.reason

    return readiness
