"""Which namespaces' links, addresses and routes need a look in this pass.

Observing a namespace costs netlink dumps decoded in Python (~3 ms a namespace), so a pass
that looks at all of them costs what exists, not what changed. The driver remembers, per
namespace, the network part of the spec it last converged without error and the
namespace's inode (a re-created namespace is a new one). A namespace is settled, and
skipped, when that part and inode are unchanged and no namespace a veth joins it to is new
(a veth dies with either end; a joined namespace that only changed shape changes nothing
here: an NLB's namespace that gains an endpoint's link does not send all its other
endpoints' namespaces for a look). So that a link deleted by hand is repaired, a pass also
looks again (`trickle`, after its real work) at up to VERIFY_BATCH of the namespaces last
looked at more than VERIFY_AFTER seconds ago, oldest first: never the whole world in one
pass (at 3,000 namespaces that was ~10 s added to whichever apply came 30 s after the last
full look). `forget()` (resync, restart) trusts nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from privlink.dataplane.linux.delta import Delta, Shape, between
from privlink.dataplane.linux.delta import shape as _shape
from privlink.dataplane.linux.memory import digest
from privlink.dataplane.linux.netns import inode_of
from privlink.dataplane.linux.spec import NamespaceSpec

VERIFY_AFTER = 30.0
VERIFY_BATCH = 8  # namespaces looked at again per pass, at most, for being old


class Settled:
    def __init__(self) -> None:
        # name -> (inode, shape, when last looked at, digest of the shape)
        self._known: dict[str, tuple[int, Shape, float, str]] = {}
        self._adopted: dict[str, tuple[int, str]] = {}  # from a previous process (memory.py)
        # namespaces the last `unsettled` found changed (not new, not joined to a new one)
        self._changed: set[str] = set()

    def forget(self) -> None:
        self._known.clear()
        self._adopted.clear()
        self._changed.clear()

    def adopt(self, links: dict[str, tuple[int, str]]) -> None:
        """What a previous process knew (memory.py): trusted for a namespace whose inode
        and shape digest still match, the first time this process meets it."""
        self._adopted = dict(links)

    def export(self) -> dict[str, tuple[int, str]]:
        return {name: (k[0], k[3]) for name, k in self._known.items()}

    def _adopt(self, ns: NamespaceSpec, now: float) -> bool:
        was = self._adopted.pop(ns.name, None)
        if was is None or was != (inode_of(ns.name), digest(_shape(ns))):
            return False
        self._known[ns.name] = (was[0], _shape(ns), now, was[1])
        return True

    def unsettled(self, spaces: Iterable[NamespaceSpec]) -> set[str]:
        """Names of the namespaces that need a look because something changed: their own
        shape, or a namespace joined to them by a veth is new (see the module docstring)."""
        spaces = list(spaces)
        now = time.monotonic()
        changed, new = set(), set()
        for ns in spaces:
            known = self._known.get(ns.name)
            if known is None and self._adopted and self._adopt(ns, now):
                continue
            if known is None or known[0] != inode_of(ns.name):
                new.add(ns.name)
            elif known[1] != _shape(ns):
                changed.add(ns.name)
        joined = set()
        for ns in spaces:
            peers = _peers(ns)
            if ns.name in new:
                joined |= peers
            elif peers & new:
                joined.add(ns.name)
        self._changed = changed - joined
        return changed | new | joined

    def delta(self, ns: NamespaceSpec) -> Delta | None:
        """What changed in a namespace the last `unsettled` found changed (delta.py);
        None: it must be looked at whole."""
        if ns.name not in self._changed:
            return None
        return between(self._known[ns.name][1], _shape(ns))

    def trickle(self, spaces: Iterable[NamespaceSpec], skip: set[str]) -> set[str]:
        """The few settled namespaces (not in `skip`) due a look although nothing changed."""
        return due(
            (ns.name, known[2])
            for ns in spaces
            if ns.name not in skip and (known := self._known.get(ns.name)) is not None
        )

    def remember(self, spaces: Iterable[NamespaceSpec], keep: set[str]) -> None:
        """`spaces` were converged without error just now; namespaces not in `keep` (the
        plan's) are forgotten."""
        now = time.monotonic()
        for ns in spaces:
            shape = _shape(ns)
            self._known[ns.name] = (inode_of(ns.name), shape, now, digest(shape))
        for name in set(self._known) - keep:
            del self._known[name]


def _peers(ns: NamespaceSpec) -> set[str]:
    return {link.peer.netns for link in ns.links if link.kind == "veth" and link.peer}


def due(looked: Iterable[tuple[str, float]], limit: int = VERIFY_BATCH) -> set[str]:
    """Of (name, when last looked at) pairs, up to `limit` names looked at VERIFY_AFTER
    seconds ago or more, oldest first: what a pass looks at again although nothing changed
    (links here, tables in nft.py), a trickle rather than the whole world at once."""
    now = time.monotonic()
    old = sorted((when, name) for name, when in looked if now - when >= VERIFY_AFTER)
    return {name for _, name in old[:limit]}
