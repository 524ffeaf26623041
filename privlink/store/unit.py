"""A unit of work: typed reads and writes inside one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from privlink.store import schema
from privlink.store.records import Record

R = TypeVar("R", bound=Record)


class UnitOfWork:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.changed: set[tuple[str, str]] = set()
        self._seq: int | None = None

    # --- records --------------------------------------------------------------
    def get(self, cls: type[R], record_id: str) -> R | None:
        row = self.conn.execute(
            select(schema.records.c.doc).where(
                schema.records.c.kind == cls.kind, schema.records.c.id == record_id
            )
        ).first()
        return cls.model_validate_json(row[0]) if row else None

    def get_many(self, cls: type[R], ids: Iterable[str]) -> dict[str, R]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = self.conn.execute(
            select(schema.records.c.id, schema.records.c.doc).where(
                schema.records.c.kind == cls.kind, schema.records.c.id.in_(wanted)
            )
        )
        return {rid: cls.model_validate_json(doc) for rid, doc in rows}

    def list(
        self,
        cls: type[R],
        account: str | None = None,
        region: str | None = None,
        parent: str | None = None,
    ) -> list[R]:
        """Records of a kind in creation order, optionally scoped."""
        c = schema.records.c
        query = select(c.doc).where(c.kind == cls.kind)
        if account is not None:
            query = query.where(c.account == account)
        if region is not None:
            query = query.where(c.region == region)
        if parent is not None:
            query = query.where(c.parent == parent)
        query = query.order_by(c.seq)
        return [cls.model_validate_json(doc) for (doc,) in self.conn.execute(query)]

    def count(self, cls: type[R], parent: str) -> int:
        c = schema.records.c
        rows = self.conn.execute(select(c.id).where(c.kind == cls.kind, c.parent == parent))
        return len(rows.all())

    def add(self, record: Record) -> None:
        self.conn.execute(
            insert(schema.records).values(
                kind=record.kind,
                id=record.id,
                account=record.account,
                region=record.region,
                parent=record.parent,
                seq=self._next_seq(),
                doc=record.model_dump_json(),
            )
        )
        self.changed.add((record.kind, record.id))

    def put(self, record: Record) -> None:
        """Replace a stored record with this version."""
        c = schema.records.c
        self.conn.execute(
            update(schema.records)
            .where(and_(c.kind == record.kind, c.id == record.id))
            .values(parent=record.parent, doc=record.model_dump_json())
        )
        self.changed.add((record.kind, record.id))

    def delete(self, record: Record) -> None:
        c = schema.records.c
        self.conn.execute(delete(schema.records).where(c.kind == record.kind, c.id == record.id))
        self.changed.add((record.kind, record.id))

    def _next_seq(self) -> int:
        if self._seq is None:
            row = self.conn.execute(
                select(schema.counters.c.value).where(schema.counters.c.name == "seq")
            ).first()
            if row is None:
                self.conn.execute(insert(schema.counters).values(name="seq", value=0))
                self._seq = 0
            else:
                self._seq = int(row[0])
        self._seq += 1
        self.conn.execute(
            update(schema.counters).where(schema.counters.c.name == "seq").values(value=self._seq)
        )
        return self._seq

    # --- addresses ------------------------------------------------------------
    def addresses_in(self, subnet_id: str) -> set[str]:
        c = schema.addresses.c
        return {a for (a,) in self.conn.execute(select(c.address).where(c.subnet_id == subnet_id))}

    def address_count(self, subnet_id: str) -> int:
        return len(self.addresses_in(subnet_id))

    def claim_address(self, subnet_id: str, address: str, owner: str) -> bool:
        """Reserve an address; False when it is taken."""
        try:
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(schema.addresses).values(
                        subnet_id=subnet_id, address=address, owner=owner
                    )
                )
        except IntegrityError:
            return False
        return True

    def release_addresses(self, owner: str) -> None:
        self.conn.execute(delete(schema.addresses).where(schema.addresses.c.owner == owner))

    def address_owner(self, subnet_id: str, address: str) -> str | None:
        c = schema.addresses.c
        row = self.conn.execute(
            select(c.owner).where(c.subnet_id == subnet_id, c.address == address)
        ).first()
        return row[0] if row else None

    # --- unique names ---------------------------------------------------------
    def claim_name(self, scope: str, name: str, owner: str) -> str | None:
        """Claim a name in a scope; returns the current owner if someone else holds it."""
        c = schema.unique_names.c
        row = self.conn.execute(select(c.owner).where(c.scope == scope, c.name == name)).first()
        if row is not None:
            return None if row[0] == owner else str(row[0])
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
