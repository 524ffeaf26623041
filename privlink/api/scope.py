"""Scoped access to records: the one way operations read and create them.

A `Scope` binds a unit of work to an account and a region. `get`, `require`
and `list` only ever see that account's records in that region, so an
operation cannot leak or change another account's resources by accident;
reading across accounts (a provider looking at a consumer's endpoint, a
service acting for a customer) is an explicit, visible call: `foreign` or
`acting_as`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from privlink.store.records import Record
from privlink.store.unit import UnitOfWork

R = TypeVar("R", bound=Record)


def random_hex(n: int) -> str:
    return secrets.token_hex((n + 1) // 2)[:n]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Scope:
    """Who acts, where, inside which unit of work."""

    account: str
    region: str
    uow: UnitOfWork
    now: Callable[[], dt.datetime] = utc_now
    hexid: Callable[[int], str] = random_hex
    # Work to run after the transaction commits (notifications, deliveries).
    after_commit: list[Callable[[], Any]] = field(default_factory=list)

    @classmethod
    def of(cls, record: Record, uow: UnitOfWork, **kwargs: Any) -> Scope:
        """The scope a record lives in (what a controller acts through)."""
        return cls(record.account, record.region, uow, **kwargs)

    def acting_as(self, account: str) -> Scope:
        """The same unit of work on another account's behalf (a service for a customer).

        Hooks queued through the new scope run with this scope's."""
        return Scope(account, self.region, self.uow, self.now, self.hexid, self.after_commit)

    def new_id(self, prefix: str, length: int = 17) -> str:
        return f"{prefix}-{self.hexid(length)}"

    def owns(self, record: Record | None) -> bool:
        return record is not None and (record.account, record.region) == (
            self.account,
            self.region,
        )

    # --- reads ------------------------------------------------------------------------
    def get(self, cls: type[R], record_id: str) -> R | None:
        """The caller's record, or None (another account's record is None too)."""
        record = self.uow.get(cls, record_id)
        return record if self.owns(record) else None

    def require(self, cls: type[R], record_id: str) -> R:
        """The caller's record, or the kind's NotFound error (`cls.not_found`)."""
        record = self.get(cls, record_id)
        if record is None:
            raise _not_found(cls, record_id)
        return record

    def require_all(self, cls: type[R], ids: Iterable[str]) -> list[R]:
        """Exactly these records (deduplicated, in the order asked): all must exist."""
        wanted = list(dict.fromkeys(ids))
        found = self.uow.get_many(cls, wanted)
        missing = [i for i in wanted if not self.owns(found.get(i))]
        if missing:
            raise _not_found(cls, *missing)
        return [found[i] for i in wanted]

    def list(self, cls: type[R], parent: str | None = None) -> list[R]:
        """The caller's records of a kind in this region (under a parent), creation order."""
        return self.uow.list(cls, self.account, self.region, parent=parent)

    def foreign(self, cls: type[R], record_id: str) -> R | None:
        """A record of any account in any region: cross-account reads say so."""
        return self.uow.get(cls, record_id)

    # --- writes -----------------------------------------------------------------------
    def add(self, record: Record) -> None:
        self.uow.add(record)

    def put(self, record: Record) -> None:
        self.uow.put(record)

    def delete(self, record: Record) -> None:
        self.uow.delete(record)


def _not_found(cls: type[Record], *ids: str) -> Exception:
    error = cls.not_found
    if error is None:
        raise TypeError(f"{cls.__name__} declares no not_found error")
    return error(*ids)


@dataclass
class Context(Scope):
    """A scope that came from an API request. Only the gateway creates these."""

    request_id: str = ""
