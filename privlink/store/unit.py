"""A unit of work: typed reads and writes inside one transaction.

Reads see the committed mirror (store.cache) overlaid with this unit's own
pending writes; writes go to the database at once (so constraints hold and a
crash keeps exactly what was committed) and to the mirror on commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from privlink.store import schema
from privlink.store.cache import AddressWrites, Mirror, RecordWrites, Row
from privlink.store.reads import Reads
from privlink.store.records import Record

R = TypeVar("R", bound=Record)

_r = schema.records.c
_INSERT = insert(schema.records)
_UPDATE = (
    update(schema.records)
    .where(_r.kind == bindparam("k"), _r.id == bindparam("i"))
    .values(parent=bindparam("parent"), doc=bindparam("doc"))
)
_DELETE = delete(schema.records).where(_r.kind == bindparam("k"), _r.id == bindparam("i"))
_a = schema.addresses.c
_CLAIM = insert(schema.addresses)
_RELEASE = delete(schema.addresses).where(
    _a.subnet_id == bindparam("s"), _a.address == bindparam("a")
)


# A kind as last listed: the snapshot's dict of it, its records, and them by document.
_Listed = tuple[dict[str, Row], list[Record], dict[tuple[type[Record], str], Record]]


class Parsed:
    """Records already parsed from their JSON, kept from one snapshot to the next by one
    reader (the data-plane planner, which reads every record for every plan). A snapshot
    shares the rows nothing wrote since with the one before (the very same document
    strings), so only what changed is parsed again: at 500 endpoints parsing was a third of
    building a plan. A whole kind listed is kept too, while the snapshot's dict of that
    kind is the very same (nothing of it written since). What a snapshot did not use is
    forgotten at `turn()`. Readers must not change the records they get (snapshots are
    for reading)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[type[Record], str], Record] = {}
        self._used: dict[tuple[type[Record], str], Record] = {}
        self._lists_kept: dict[type[Record], _Listed] = {}
        self._lists_used: dict[type[Record], _Listed] = {}

    def get(self, cls: type[R], doc: str) -> R:
        key = (cls, doc)
        found = self._used.get(key)
        if found is None:
            found = self._kept.pop(key, None) or cls.model_validate_json(doc)
            self._used[key] = found
        return cast(R, found)

    def listed(self, cls: type[R], rows: dict[str, Row]) -> list[R]:
        """Every record of a kind, `rows` being the snapshot's dict of it."""
        kept = self._lists_used.get(cls) or self._lists_kept.pop(cls, None)
        if kept is None or kept[0] is not rows:
            parsed: dict[tuple[type[Record], str], Record] = {
                (cls, row.doc): self.get(cls, row.doc) for row in rows.values()
            }
            kept = (rows, list(parsed.values()), parsed)
        else:
            self._used.update(kept[2])
        self._lists_used[cls] = kept
        return cast(list[R], list(kept[1]))

    def turn(self) -> None:
        """A snapshot is done with: keep only what it used."""
        self._kept, self._used = self._used, {}
        self._lists_kept, self._lists_used = self._lists_used, {}


class UnitOfWork:
    def __init__(self, conn: Connection, mirror: Mirror, parsed: Parsed | None = None) -> None:
        self.conn = conn
        self.mirror = mirror
        self.parsed = parsed
        self.changed: set[tuple[str, str]] = set()
        self.record_writes: RecordWrites = {}
        self.address_writes: AddressWrites = {}
        self.seq = mirror.seq
        self.reads: Reads | None = None  # what a reader records of its reads (store/reads.py)

    # --- records --------------------------------------------------------------
    def _row(self, kind: str, record_id: str) -> Row | None:
        key = (kind, record_id)
        if key in self.record_writes:
            return self.record_writes[key]
        row = self.mirror.rows(kind).get(record_id)
        if self.reads is not None:
            self.reads.rows[key] = row
        return row

    def _rows(self, kind: str, parent: str | None = None) -> Iterator[tuple[str, Row]]:
        """Every live row of a kind (under a parent, if given), in creation order."""
        committed = self.mirror.rows(kind)
        if self.reads is not None:
            self.reads.kinds[kind] = committed
        if parent is not None:
            committed = {rid: committed[rid] for rid in self.mirror.child_ids(kind, parent)}
        pending = {rid: row for (k, rid), row in self.record_writes.items() if k == kind}
        if not pending:
            yield from committed.items()
            return
        merged = {**committed, **pending}
        live = [(rid, row) for rid, row in merged.items() if row is not None]
        yield from sorted(live, key=lambda item: item[1].seq)

    def _model(self, cls: type[R], row: Row) -> R:
        if self.parsed is not None:
            return self.parsed.get(cls, row.doc)
        return cls.model_validate_json(row.doc)

    def get(self, cls: type[R], record_id: str) -> R | None:
        row = self._row(cls.kind, record_id)
        return self._model(cls, row) if row else None

    def get_many(self, cls: type[R], ids: Iterable[str]) -> dict[str, R]:
        out: dict[str, R] = {}
        for rid in set(ids):
            row = self._row(cls.kind, rid)
            if row is not None:
                out[rid] = self._model(cls, row)
        return out

    def list(
        self,
        cls: type[R],
        account: str | None = None,
        region: str | None = None,
        parent: str | None = None,
    ) -> list[R]:
        """Records of a kind in creation order, optionally scoped."""
        if (
            self.parsed is not None
            and not self.record_writes
            and (account, region, parent)
            == (
                None,
                None,
                None,
            )
        ):
            committed = self.mirror.rows(cls.kind)
            if self.reads is not None:
                self.reads.kinds[cls.kind] = committed
            return self.parsed.listed(cls, committed)
        return [
            self._model(cls, row)
            for _, row in self._rows(cls.kind, parent)
            if (account is None or row.account == account)
            and (region is None or row.region == region)
            and (parent is None or row.parent == parent)
        ]

    def count(self, cls: type[R], parent: str) -> int:
        return sum(1 for _, row in self._rows(cls.kind, parent) if row.parent == parent)

    def add(self, record: Record) -> None:
        self.seq += 1
        row = Row(self.seq, record.account, record.region, record.parent, record.model_dump_json())
        self.conn.execute(
            _INSERT,
            {
                "kind": record.kind,
                "id": record.id,
                "account": row.account,
                "region": row.region,
                "parent": row.parent,
                "seq": row.seq,
                "doc": row.doc,
            },
        )
        self._wrote(record, row)

    def put(self, record: Record) -> None:
        """Replace a stored record with this version."""
        old = self._row(record.kind, record.id)
        if old is None:
            raise KeyError(f"{record.kind} {record.id} is not stored")
        row = Row(old.seq, old.account, old.region, record.parent, record.model_dump_json())
        self.conn.execute(
            _UPDATE, {"k": record.kind, "i": record.id, "parent": row.parent, "doc": row.doc}
        )
        self._wrote(record, row)

    def delete(self, record: Record) -> None:
        self.conn.execute(_DELETE, {"k": record.kind, "i": record.id})
        self.record_writes[(record.kind, record.id)] = None
        self.changed.add((record.kind, record.id))

    def _wrote(self, record: Record, row: Row) -> None:
        self.record_writes[(record.kind, record.id)] = row
        self.changed.add((record.kind, record.id))

    # --- addresses ------------------------------------------------------------
    def _addresses(self, subnet_id: str) -> dict[str, str]:
        held = self.mirror.address_map().get(subnet_id)
        if self.reads is not None:
            self.reads.addresses[subnet_id] = held
        current = dict(held or {})
        for (subnet, address), owner in self.address_writes.items():
            if subnet != subnet_id:
                continue
            if owner is None:
                current.pop(address, None)
            else:
                current[address] = owner
        return current

    def addresses_in(self, subnet_id: str) -> set[str]:
        return set(self._addresses(subnet_id))

    def address_count(self, subnet_id: str) -> int:
        return len(self._addresses(subnet_id))

    def claim_address(self, subnet_id: str, address: str, owner: str) -> bool:
        """Reserve an address; False when it is taken."""
        if address in self._addresses(subnet_id):
            return False
        # The primary key still guards the table; privlink is its only writer.
        self.conn.execute(_CLAIM, {"subnet_id": subnet_id, "address": address, "owner": owner})
        self.address_writes[(subnet_id, address)] = owner
        return True

    def release_addresses(self, owner: str) -> None:
        table = self.mirror.address_map()
        held = [(s, a) for s, held in table.items() for a, o in held.items() if o == owner]
        held += [key for key, o in self.address_writes.items() if o == owner]
        for subnet, address in set(held):
            if self.address_writes.get((subnet, address), owner) != owner:
                continue
            self.conn.execute(_RELEASE, {"s": subnet, "a": address})
            self.address_writes[(subnet, address)] = None

    def address_owner(self, subnet_id: str, address: str) -> str | None:
        return self._addresses(subnet_id).get(address)

    # --- unique names ---------------------------------------------------------
    def claim_name(self, scope: str, name: str, owner: str) -> str | None:
        """Claim a name in a scope; returns the current owner if someone else holds it."""
        current = self.name_owner(scope, name)
        if current is not None:
            return None if current == owner else current
        self.conn.execute(insert(schema.unique_names).values(scope=scope, name=name, owner=owner))
        return None

    def name_owner(self, scope: str, name: str) -> str | None:
        c = schema.unique_names.c
        row = self.conn.execute(select(c.owner).where(c.scope == scope, c.name == name)).first()
        return str(row[0]) if row else None

    def release_name(self, scope: str, name: str) -> None:
        c = schema.unique_names.c
        self.conn.execute(delete(schema.unique_names).where(c.scope == scope, c.name == name))

    def release_names(self, owner: str) -> None:
        self.conn.execute(delete(schema.unique_names).where(schema.unique_names.c.owner == owner))


class ReadOnlyError(RuntimeError):
    """A write through a snapshot (Store.snapshot): snapshots only read."""


class _NoConnection:
    def execute(self, *_args: Any, **_kwargs: Any) -> Any:
        raise ReadOnlyError("a snapshot is read-only")


def read_only(mirror: Mirror, parsed: Parsed | None = None) -> UnitOfWork:
    """A unit reading `mirror` (a snapshot) whose every write raises ReadOnlyError; with
    `parsed`, records parsed for an earlier snapshot are reused."""
    return UnitOfWork(cast(Connection, _NoConnection()), mirror, parsed)
