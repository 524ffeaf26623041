"""A committed-state mirror of the records and addresses tables, in memory.

privlink is the only writer of its database and all writes go through one
Store, so the rows it last committed *are* the database's rows. Reads are
served from this mirror (a dict lookup instead of a SQL round trip: the API
benchmark's describe and create paths were dominated by statement overhead);
writes still go to the database inside the transaction, and reach the mirror
only after that transaction commits. A rollback therefore never shows up
here. Kinds are loaded from the database the first time they are read.
"""

from __future__ import annotations

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

    def clear(self) -> None:
        self.kinds.clear()
        self.children.clear()
        self.addresses = None

    def rows(self, kind: str) -> dict[str, Row]:
        rows = self.kinds.get(kind)
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
        if self.addresses is not None:
            for (subnet, address), owner in addresses.items():
                if owner is None:
                    self.addresses.get(subnet, {}).pop(address, None)
                else:
                    self.addresses.setdefault(subnet, {})[address] = owner
