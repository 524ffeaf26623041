"""Parts of the data-plane plan kept from one plan to the next, rebuilt only when what
they read changed: how one change costs the planner what it changes.

The planner builds the whole plan from every snapshot (so the plan stays a pure function
of the store), but each per-resource part (an instance's, an endpoint's, a subnet's ...)
goes through `Pieces.get`: built once with the snapshot recording what it reads
(store/reads.py), then reused while what it read stays as it was. Which parts may have
changed is worked out once per plan from the change itself (`begin`): the rows that
differ from the last plan's snapshot (identity checks over the kinds written to), the
kinds listed, the members of the security groups expanded; an index from each of those
to the parts that read it names the parts to look at again, and only those are checked
(Reads.still) and, if really changed, rebuilt. A part reused is the very same object as
before, so what is derived from the plan further on can skip it by identity too.

A part must read the store only through the unit it is given, and take nothing else
that changes (what it is keyed by aside). What a plan did not use is forgotten at
`turn()`; after a failed plan, `forget()` starts over.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from privlink.services.ec2.security.effective_rules import MEMBERS, Members
from privlink.store.cache import Mirror, Row
from privlink.store.reads import Reads
from privlink.store.unit import UnitOfWork

T = TypeVar("T")
_NOTHING = Reads()  # what a value kept by Pieces.same read (it is compared, not checked)


@dataclass(frozen=True)
class _Kept:
    value: Any
    reads: Reads


class Pieces:
    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        """Trust nothing kept: the next plan builds every part."""
        self._kept: dict[Hashable, _Kept] = {}
        self._used: dict[Hashable, _Kept] = {}
        self._index = _Index()
        self._mirror: Mirror | None = None  # the snapshot the kept parts were read from
        self._dirty: set[Hashable] | None = None  # parts to look at (None: all)
        self._members: Members | None = None
        self.built = 0  # parts built (not reused) by the plan in the making

    def begin(self, uow: UnitOfWork, members: Members) -> None:
        """A plan from `uow`'s snapshot starts (its groups' members: `members`): work out
        which kept parts may have changed since the last plan."""
        self._members = members
        self._dirty = (
            None if self._mirror is None else self._index.touched(self._mirror, uow.mirror, members)
        )
        self._mirror = uow.mirror
        self.built = 0

    def get(self, uow: UnitOfWork, key: Hashable, build: Callable[[], T]) -> T:
        """The part `key`: the one kept, unless what it read changed; else `build()`,
        with what it reads recorded."""
        kept = self._used.get(key)
        if kept is None:
            kept = self._kept.pop(key, None)
            if kept is not None and self._changed(uow, key, kept):
                self._index.drop(key, kept.reads)
                kept = None
            if kept is None:
                kept = self._build(uow, build)
                self._index.add(key, kept.reads)
            self._used[key] = kept
        if uow.reads is not None:  # a part of a part: what it read, the whole read
            uow.reads.merge(kept.reads)
        return cast(T, kept.value)

    def same(self, key: Hashable, value: T) -> T:
        """`value`, or the equal one kept under `key` from the last plan: a whole made of
        parts (a VPC of its subnets) is then the very same object when nothing in it
        changed, which is what later stages check (comparing mostly identical parts)."""
        kept = self._used.get(key) or self._kept.pop(key, None)
        if kept is not None and kept.value == value:
            value = kept.value
        self._used[key] = _Kept(value, _NOTHING)
        return value

    def turn(self) -> None:
        """A plan is done: keep only the parts it used."""
        for key, kept in self._kept.items():
            self._index.drop(key, kept.reads)
        self._kept, self._used = self._used, {}

    def _changed(self, uow: UnitOfWork, key: Hashable, kept: _Kept) -> bool:
        if self._dirty is not None and key not in self._dirty:
            return False
        assert self._members is not None, "begin() first"
        return not kept.reads.still(uow.mirror, _members(self._members))

    def _build(self, uow: UnitOfWork, build: Callable[[], T]) -> _Kept:
        outer, uow.reads = uow.reads, Reads()
        try:
            value = build()
            reads = uow.reads
        finally:
            uow.reads = outer
        self.built += 1
        return _Kept(value, reads)


class _Index:
    """Which parts read each row, kind, subnet's addresses and group's members."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], set[Hashable]] = {}
        self.row_kinds: dict[str, int] = {}  # kind -> how many of its rows are read
        self.kinds: dict[str, set[Hashable]] = {}
        self.addresses: set[Hashable] = set()
        self.derived: dict[Hashable, set[Hashable]] = {}
        self.values: dict[Hashable, object] = {}  # derived key -> value at the last plan

    def add(self, key: Hashable, reads: Reads) -> None:
        for row in reads.rows:
            keys = self.rows.setdefault(row, set())
            if not keys:
                self.row_kinds[row[0]] = self.row_kinds.get(row[0], 0) + 1
            keys.add(key)
        for kind in reads.kinds:
            self.kinds.setdefault(kind, set()).add(key)
        if reads.addresses:
            self.addresses.add(key)
        for found, value in reads.derived.items():
            self.derived.setdefault(found, set()).add(key)
            self.values[found] = value

    def drop(self, key: Hashable, reads: Reads) -> None:
        for row in reads.rows:
            if _discard(self.rows, row, key):
                self.row_kinds[row[0]] -= 1
                if not self.row_kinds[row[0]]:
                    del self.row_kinds[row[0]]
        for kind in reads.kinds:
            _discard(self.kinds, kind, key)
        self.addresses.discard(key)
        for found in reads.derived:
            if _discard(self.derived, found, key):
                del self.values[found]

    def touched(self, old: Mirror, new: Mirror, members: Members) -> set[Hashable]:
        """The parts that read something that differs between two snapshots (only kinds
        some part read are compared: the others may be large and are nobody's concern)."""
        dirty: set[Hashable] = set()
        for kind in self.kinds.keys() | self.row_kinds.keys():
            before, after = old.kinds.get(kind), new.rows(kind)
            if before is after:
                continue
            dirty |= self.kinds.get(kind, set())
            for rid in _changed_ids(before or {}, after):
                dirty |= self.rows.get((kind, rid), set())
        if self.addresses and old.addresses is not new.address_map():
            dirty |= self.addresses
        value = _members(members)
        for found, keys in self.derived.items():
            now = value(found)
            if now != self.values[found]:
                self.values[found] = now
                dirty |= keys
        return dirty


def _changed_ids(before: dict[str, Row], after: dict[str, Row]) -> Iterable[str]:
    yield from (rid for rid, row in after.items() if before.get(rid) is not row)
    yield from (rid for rid in before if rid not in after)


def _discard(index: dict[Any, set[Hashable]], found: Any, key: Hashable) -> bool:
    """Take `key` off `found`'s parts; True when none are left."""
    keys = index.get(found)
    if keys is None:
        return False
    keys.discard(key)
    if keys:
        return False
    del index[found]
    return True


def _members(members: Members) -> Callable[[Hashable], object]:
    def value(key: Hashable) -> object:
        kind, group_id = cast(tuple[str, str], key)
        assert kind == MEMBERS
        return tuple(members.of(group_id))

    return value
