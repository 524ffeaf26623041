"""A committed-state mirror of the records and addresses tables, in memory.

privlink is the only writer of its database and all writes go through one
Store, so the rows it last committed *are* the database's rows. Reads are
served from this mirror (a dict lookup instead of a SQL round trip: the API
benchmark's describe and create paths were dominated by statement overhead);
writes still go to the database inside the transaction, and reach the mirror
only after that transaction commits. A rollback therefore never shows up
here. Kinds are loaded from the database the first time they are read.

A snapshot (`Mirror.snapshot`) is a frozen view for a thread other than the store
thread (the data-plane planner): it shares the per-kind dicts, and the mirror copies a
shared kind before its next write to it (copy on write), so taking one costs the number
of kinds, not of records, and the snapshot never sees a later commit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from privlink.store import schema


@dataclass(frozen=True)
class Row:
    seq: int
    account: str
    region: str
    parent: str | None
    doc: str


# Pending changes of one unit of work: None marks a deletion.
RecordWrites = dict[tuple[str, str], Row | None]
AddressWrites = dict[tuple[str, str], str | None]  # (subnet, address) -> owner


class Mirror:
    """Loads kinds on first read through a connection of its own, so a load that happens
    inside a transaction sees only committed rows, never that transaction's writes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kinds: dict[str, dict[str, Row]] = {}
        # kind -> parent -> ids in creation order (a dict used as an ordered set)
        self.children: dict[str, dict[str | None, dict[str, None]]] = {}
        self.addresses: dict[str, dict[str, str]] | None = None  # subnet -> address -> owner
        self.seq = 0
        # Kinds (and "" for the addresses) whose dicts a snapshot also holds: copied before
        # this mirror next changes them.
        self._shared: set[str] = set()
        # A snapshot's origin, and the lock that guards it (the store's writer lock).
        self._origin: tuple[Mirror, threading.RLock] | None = None

    def clear(self) -> None:
        self.kinds = {}
        self.children = {}
        self.addresses = None
        self._shared = set()

    def snapshot(self, lock: threading.RLock) -> Mirror:
        """A frozen view of the committed state now. Call it holding `lock`, the store's
        writer lock: the snapshot takes it again only to load, through this mirror, a
        kind nobody had read yet (that kind is then as of its first read)."""
        view = Mirror(self.engine)
        view.kinds = dict(self.kinds)
        view.children = dict(self.children)
        view.addresses = self.addresses
        view.seq = self.seq
        view._origin = (self, lock)
        self._shared = set(self.kinds) | {""}
        return view

    def _borrow(self, kind: str) -> dict[str, Row]:
        assert self._origin is not None
        origin, lock = self._origin
        with lock:
            rows = origin.rows(kind)
            self.kinds[kind], self.children[kind] = rows, origin.children[kind]
            origin._shared.add(kind)
        return rows

    def _own(self, kind: str) -> dict[str, Row]:
        """This mirror's own copy of a kind a snapshot shares, before changing it."""
        self._shared.discard(kind)
        self.kinds[kind] = dict(self.kinds[kind])
        self.children[kind] = {p: dict(ids) for p, ids in self.children[kind].items()}
        return self.kinds[kind]

    def rows(self, kind: str) -> dict[str, Row]:
        rows = self.kinds.get(kind)
        if rows is None and self._origin is not None:
            rows = self._borrow(kind)
        if rows is None:
            c = schema.records.c
            query = (
                select(c.id, c.seq, c.account, c.region, c.parent, c.doc)
                .where(c.kind == kind)
                .order_by(c.seq)
            )
            with self.engine.connect() as conn:
                rows = {
                    rid: Row(seq, account, region, parent, doc)
                    for rid, seq, account, region, parent, doc in conn.execute(query)
                }
            self.kinds[kind] = rows
            index: dict[str | None, dict[str, None]] = {}
            for rid, row in rows.items():
                index.setdefault(row.parent, {})[rid] = None
            self.children[kind] = index
        return rows

    def child_ids(self, kind: str, parent: str | None) -> list[str]:
        self.rows(kind)
        return list(self.children[kind].get(parent, ()))

    def address_map(self) -> dict[str, dict[str, str]]:
        if self.addresses is None and self._origin is not None:
            origin, lock = self._origin
            with lock:
                self.addresses = origin.address_map()
                origin._shared.add("")
        if self.addresses is None:
            c = schema.addresses.c
            table: dict[str, dict[str, str]] = {}
            with self.engine.connect() as conn:
                for subnet, address, owner in conn.execute(select(c.subnet_id, c.address, c.owner)):
                    table.setdefault(subnet, {})[address] = owner
            self.addresses = table
        return self.addresses

    def apply(self, records: RecordWrites, addresses: AddressWrites) -> None:
        for (kind, rid), row in records.items():
            rows = self.kinds.get(kind)
            if rows is None:
                continue  # not loaded yet: the next read loads the committed rows
            if kind in self._shared:
                rows = self._own(kind)
            index = self.children[kind]
            old = rows.get(rid)
            if row is None:
                rows.pop(rid, None)
                if old is not None:
                    index.get(old.parent, {}).pop(rid, None)
                continue
            rows[rid] = row  # an existing key keeps its (creation-order) position
            if old is not None and old.parent == row.parent:
                continue  # same place in its parent's list
            if old is not None:
                index.get(old.parent, {}).pop(rid, None)
            siblings = index.setdefault(row.parent, {})
            siblings[rid] = None
            if old is not None:  # moved: keep the new parent's list in creation order
                ordered = sorted(siblings, key=lambda i: rows[i].seq)
                index[row.parent] = dict.fromkeys(ordered)
        if self.addresses is not None and addresses:
            if "" in self._shared:
                self._shared.discard("")
                self.addresses = {s: dict(held) for s, held in self.addresses.items()}
            for (subnet, address), owner in addresses.items():
                if owner is None:
                    self.addresses.get(subnet, {}).pop(address, None)
                else:
                    self.addresses.setdefault(subnet, {})[address] = owner
