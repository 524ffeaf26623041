"""What a reader read from a snapshot, so it can tell later whether that is still so.

A snapshot (Mirror.snapshot) shares with the one before it every row nothing wrote since
(the very same Row object) and every kind nothing of it was written to (the very same
dict: the mirror copies a kind on its first write after a snapshot). So "has what I read
changed?" is a few identity checks, not a re-read. The data-plane planner uses this to
rebuild only the parts of its plan whose records changed (reconcile/pieces.py).

A UnitOfWork with `reads` set records each row it looks up and each kind it lists (a
list under a parent counts as the whole kind: what the parent holds may change with
any row of it), and readers that keep derived indexes record what they looked up
there (`derived`: key -> value, checked by whoever checks the reads).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from privlink.store.cache import Mirror, Row


@dataclass
class Reads:
    rows: dict[tuple[str, str], Row | None] = field(default_factory=dict)
    kinds: dict[str, object] = field(default_factory=dict)  # kind -> the dict listed
    addresses: dict[str, object] = field(default_factory=dict)  # subnet -> its addresses
    derived: dict[Hashable, object] = field(default_factory=dict)

    def merge(self, other: Reads) -> None:
        """What a part read counts as read by the whole it was part of."""
        self.rows.update(other.rows)
        self.kinds.update(other.kinds)
        self.addresses.update(other.addresses)
        self.derived.update(other.derived)

    def still(self, mirror: Mirror, derived: Callable[[Hashable], object]) -> bool:
        """Whether `mirror` (a later snapshot) holds exactly what was read; `derived`
        gives a derived key's value as of that snapshot."""
        for (kind, record_id), row in self.rows.items():
            if mirror.rows(kind).get(record_id) is not row:
                return False
        for kind, rows in self.kinds.items():
            if mirror.rows(kind) is not rows:
                return False
        if self.addresses:
            table = mirror.address_map()
            if any(table.get(s) is not a for s, a in self.addresses.items()):
                return False
        return all(derived(key) == value for key, value in self.derived.items())
