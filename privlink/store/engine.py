"""Engine creation and the store facade."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine

from privlink.store import schema
from privlink.store.cache import Mirror
from privlink.store.unit import Parsed, UnitOfWork, read_only

ChangeListener = Callable[[set[tuple[str, str]]], None]


class Store:
    """Owns the engine; hands out units of work, one transaction each.

    Writers are serialized by a lock: SQLite allows one writer anyway, and a
    single writer makes check-then-insert validations (unique names, CIDR
    overlaps) race-free on PostgreSQL too. Listeners hear which records
    changed after each commit (the reconcilers' change feed).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        schema.metadata.create_all(self.engine)
        self._lock = threading.RLock()
        self.mirror = Mirror(self.engine)
        with self.engine.connect() as conn:
            self.mirror.seq = conn.execute(select(func.max(schema.records.c.seq))).scalar() or 0
        self._listeners: list[ChangeListener] = []

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back on any exception."""
        with self._lock:
            with self.engine.begin() as conn:
                uow = UnitOfWork(conn, self.mirror)
                yield uow
            # Committed: now the mirror may show it.
            self.mirror.apply(uow.record_writes, uow.address_writes)
            self.mirror.seq = uow.seq
        if uow.changed:
            for listener in self._listeners:
                listener(set(uow.changed))

    def snapshot(self, parsed: Parsed | None = None) -> UnitOfWork:
        """A read-only unit over the committed state as it is now, for a thread other
        than the store thread: it waits for the writer lock only while the snapshot is
        taken (not while it is read), and it never sees a later commit. Writing raises.
        `parsed`: one reader's records parsed for its earlier snapshots (unit.Parsed)."""
        with self._lock:
            return read_only(self.mirror.snapshot(self._lock), parsed)

    def reset(self) -> None:
        with self._lock, self.engine.begin() as conn:
            for table in reversed(schema.metadata.sorted_tables):
                conn.execute(delete(table))
            self.mirror.clear()
        for listener in self._listeners:
            listener({("*", "*")})

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
