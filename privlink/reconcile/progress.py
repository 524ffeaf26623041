"""What the data plane made of each resource, kept in the store: one feedback channel.

The data-plane controller writes one `Progress` record per resource whose
realisation it tracks (endpoints, instances): `ready` once its path was
applied without error, `retrying` after a temporary failure (with the
attempt count and when it will try again), `failed` after a permanent one
(with the reason a user can read). Lifecycle controllers read these records,
never the driver, so readiness travels the same way as target health: through
the store, visible after a restart, observable in tests.

`ProgressBook` turns an apply's outcome into those records. The data-plane controller is
their only writer, so the book remembers what it last wrote: an outcome costs the
resources whose state changed, not one parse per tracked resource.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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


# Temporary failures are retried after 1, 2, 4, ... seconds (at most BACKOFF_CAP); after
# MAX_ATTEMPTS in a row the resource is given up on and fails with the last reason.
BACKOFF_CAP = 30.0
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Outcome:
    """What one apply did for the resources whose realisation is tracked. `generation`:
    the newest change the applied plan was built after (see ProgressBook.forget)."""

    tracked: frozenset[str]  # active endpoints and instances of the applied plan
    errors: dict[str, str]
    permanent: frozenset[str]
    generation: int = 0


class ProgressBook:
    """The Progress records as last written, kept in step with the store."""

    def __init__(self) -> None:
        self._known: dict[str, Progress] | None = None  # None: read them from the store
        # Changed resources -> the generation that changed them: outcomes of plans built
        # before that say nothing about them any more.
        self._forgotten: dict[str, int] = {}

    def reload(self) -> None:
        """Read the records from the store again on next use (after a reset or resync)."""
        self._known = None

    def _records(self, uow: UnitOfWork) -> dict[str, Progress]:
        if self._known is None:
            self._known = {p.id: p for p in uow.list(Progress)}
        return self._known

    def forget(self, uow: UnitOfWork, changed: Iterable[str], generation: int) -> None:
        """A changed resource is realised anew: its old progress no longer says anything."""
        known = self._records(uow)
        for rid in changed:
            self._forgotten[rid] = generation
            stale = known.pop(rid, None)
            if stale is not None:
                uow.delete(stale)

    def record(self, uow: UnitOfWork, outcome: Outcome, now: dt.datetime) -> dt.datetime | None:
        """Write the Progress of each tracked resource whose state changed; drop those of
        resources no longer planned. Returns when the earliest retry is due (None: none)."""
        known = self._records(uow)
        self._forgotten = {r: g for r, g in self._forgotten.items() if g > outcome.generation}
        retry_at: dt.datetime | None = None
        for rid in outcome.tracked:
            before = known.get(rid)
            if rid in self._forgotten or (
                rid not in outcome.errors and before is not None and before.stage == Stage.READY
            ):
                continue  # changed after that plan was built, or still ready
            after = _progress(rid, before, outcome, now)
            if after.stage == Stage.RETRYING and after.retry_at:
                due = dt.datetime.fromisoformat(after.retry_at)
                retry_at = due if retry_at is None else min(retry_at, due)
            if before is None:
                uow.add(after)
            elif before != after:
                uow.put(after)
            known[rid] = after
        for rid in [r for r in known if r not in outcome.tracked and r not in self._forgotten]:
            uow.delete(known.pop(rid))
        return retry_at


def _progress(rid: str, before: Progress | None, outcome: Outcome, now: dt.datetime) -> Progress:
    error = outcome.errors.get(rid)
    if error is None:
        return _made(rid, Stage.READY)
    if before is not None and before.stage == Stage.FAILED:
        return before  # failed stays failed until the resource changes
    if rid in outcome.permanent:
        return _made(rid, Stage.FAILED, reason=error)
    attempts = (before.attempts if before and before.stage == Stage.RETRYING else 0) + 1
    if attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {attempts} attempts: {error}"
        return _made(rid, Stage.FAILED, reason=reason, attempts=attempts)
    delay = min(BACKOFF_CAP, 2.0 ** (attempts - 1))
    due = (now + dt.timedelta(seconds=delay)).isoformat()
    return _made(rid, Stage.RETRYING, reason=error, attempts=attempts, retry_at=due)


def _made(
    rid: str, stage: Stage, reason: str = "", attempts: int = 0, retry_at: str | None = None
) -> Progress:
    """Progress is the data plane's, not an account's: it carries no account or region."""
    return Progress(
        id=rid,
        account="-",
        region="-",
        stage=stage,
        reason=reason,
        attempts=attempts,
        retry_at=retry_at,
    )


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
