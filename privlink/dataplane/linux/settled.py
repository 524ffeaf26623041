"""Which namespaces' links, addresses and routes need a look in this pass.

Observing a namespace costs netlink dumps decoded in Python (~3 ms a namespace), so a pass
that looks at all of them costs what exists, not what changed. The driver remembers, per
namespace, the network part of the spec it last converged without error and the
namespace's inode (a re-created namespace is a new one). A namespace is settled, and
skipped, when that part and inode are unchanged, the same holds for every namespace a veth
joins it to (a veth dies with either end), and it was looked at within VERIFY_AFTER
seconds (so a link deleted by hand is repaired). `forget()` (resync, restart) trusts
nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from privlink.dataplane.linux.spec import NamespaceSpec

VERIFY_AFTER = 30.0

Shape = tuple[object, ...]


def _shape(ns: NamespaceSpec) -> Shape:
    """The part of a namespace's spec that links.py converges (not sysctls or nftables)."""
    return (ns.loopback, ns.links, ns.routes, ns.rules)


def inode(name: str) -> int:
    try:
        return os.stat(f"/run/netns/{name}").st_ino
    except OSError:
        return -1


class Settled:
    def __init__(self) -> None:
        self._known: dict[str, tuple[int, Shape, float]] = {}

    def forget(self) -> None:
        self._known.clear()

    def unsettled(self, spaces: Iterable[NamespaceSpec]) -> set[str]:
        """Names of the namespaces that need a look (see the module docstring)."""
        spaces = list(spaces)
        now = time.monotonic()
        changed = set()
        for ns in spaces:
            known = self._known.get(ns.name)
            if (
                known is None
                or known[1] != _shape(ns)
                or now - known[2] >= VERIFY_AFTER
                or known[0] != inode(ns.name)
            ):
                changed.add(ns.name)
        joined: dict[str, set[str]] = {}
        for ns in spaces:
            for peer in _peers(ns):
                joined.setdefault(ns.name, set()).add(peer)
                joined.setdefault(peer, set()).add(ns.name)
        return changed | {name for name, peers in joined.items() if peers & changed}

    def remember(self, spaces: Iterable[NamespaceSpec], keep: set[str]) -> None:
        """`spaces` were converged without error just now; namespaces not in `keep` (the
        plan's) are forgotten."""
        now = time.monotonic()
        for ns in spaces:
            self._known[ns.name] = (inode(ns.name), _shape(ns), now)
        for name in set(self._known) - keep:
            del self._known[name]


def _peers(ns: NamespaceSpec) -> set[str]:
    return {link.peer.netns for link in ns.links if link.kind == "veth" and link.peer}
