"""nftables and conntrack inside a namespace: libnftables to change, netlink to look.

A ruleset is applied as one nft script (one transaction) that creates, deletes and
re-creates `table inet plk`, so the swap is atomic; it runs in-process through libnftables
(libnft.py), on a thread inside the namespace. The table's comment carries a digest of its
body: observing that digest is how a re-apply of the same plan knows it has nothing to do.
Established flows keep their NAT bindings across a swap (they live in conntrack).

Observing is one netlink dump of the namespace's tables from this process (the digest is
the table's comment, in its user data); only a change runs a script. The driver also
remembers what it applied, keyed by the namespace's inode (a namespace re-created under the
same name is a different one), and skips the look when nothing is wanted differently --
except for the few namespaces a pass verifies (`due`: a trickle of those looked at longest
ago, settled.py), so a table removed by hand is repaired.

A body that differs from the one this process last applied (and trusts) only in the
members of named sets and maps (an NLB's ENIs: nlb_rulesets.py) is applied by adding and
deleting those members in one transaction (nft_members.py). The comment, which nft cannot
change in place, then lags until a verifying look writes the table whole again.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import time
from collections.abc import Iterable

from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.nftables.main import NFTables

from privlink.dataplane import names
from privlink.dataplane.linux import libnft, nft_elements, nft_members, settled
from privlink.dataplane.linux.netns import exec_argv, inode_of, run_in

log = logging.getLogger("privlink.dataplane.nft")

_TABLE = f"{names.NFT_FAMILY} {names.NFT_TABLE}"
_FAMILIES = {1: "inet", 2: "ip", 3: "arp", 5: "netdev", 7: "bridge", 10: "ip6"}
_UDATA_COMMENT = 0  # NFTNL_UDATA_TABLE_COMMENT
TIMEOUT = 20.0
# netns -> (namespace inode, digest applied or None for "no table", when last verified)
_applied: dict[str, tuple[int, str | None, float]] = {}
# netns -> (namespace inode, digest, the body last applied there): what members change from
_bodies: dict[str, tuple[int, str | None, str]] = {}


def forget(netns: str | None = None) -> None:
    """Drop what is remembered (one namespace, or all): the next apply observes."""
    if netns is None:
        _applied.clear()
        _bodies.clear()
    else:
        _applied.pop(netns, None)
        _bodies.pop(netns, None)


def _run(netns: str, argv: list[str]) -> None:
    """conntrack (a tool with no library here) inside `netns`; its exit status is ignored
    (1 just means nothing matched)."""
    subprocess.run(exec_argv(netns, argv), capture_output=True, text=True, timeout=TIMEOUT)


def digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:20]


def observe(netns: str) -> tuple[str | None, list[tuple[str, str]]]:
    """One look at a namespace's tables, over netlink from this process (no `nft` run):
    the digest in our table's comment ("" if it has none, None if there is no table) and
    any other table carrying our prefix (to delete)."""

    digest_: str | None = None
    foreign: list[tuple[str, str]] = []
    for family, name, comment in run_in(netns, tables_here):
        if (family, name) == (names.NFT_FAMILY, names.NFT_TABLE):
            digest_ = comment
        elif names.is_ours(name):
            foreign.append((family, name))
    return digest_, foreign


def tables_here() -> list[tuple[str, str, str]]:
    """(family, name, comment) of every table in the calling thread's namespace."""
    with NFTables(nfgen_family=0) as sock:  # 0: every family
        return [
            (
                _FAMILIES.get(msg["nfgen_family"], str(msg["nfgen_family"])),
                msg.get_attr("NFTA_TABLE_NAME"),
                _comment(msg.get_attr("NFTA_TABLE_USERDATA")),
            )
            for msg in sock.get_tables()
        ]


def _comment(userdata: str | None) -> str:
    """A table's comment from its user data (TLVs as pyroute2's "aa:bb" hex; type 0)."""
    data = bytes.fromhex((userdata or "").replace(":", ""))
    while len(data) >= 2:
        kind, size = data[0], data[1]
        if kind == _UDATA_COMMENT:
            return data[2 : 2 + size].rstrip(b"\0").decode(errors="replace")
        data = data[2 + size :]
    return ""


def export() -> dict[str, tuple[int, str | None]]:
    """What this process applied (memory.py keeps it across a restart)."""
    return {netns: (known[0], known[1]) for netns, known in _applied.items()}


def adopt(tables: dict[str, tuple[int, str | None]]) -> None:
    """Trust what a previous process applied: `apply` still compares the inode and the
    digest, and `due` verifies it in its turn."""
    now = time.monotonic()
    for netns, (inode, table) in tables.items():
        _applied.setdefault(netns, (inode, table, now))


def due(spaces: Iterable[str]) -> set[str]:
    """The few of `spaces` whose table a pass looks at again although nothing changed
    (settled.due: last looked at longest ago, once that is VERIFY_AFTER seconds or more)."""
    return settled.due((name, _applied[name][2]) for name in spaces if name in _applied)


def applied(netns: str, body: str | None) -> bool:
    """Whether this process applied `body` to this very namespace (a look, no netlink)."""
    known = _applied.get(netns)
    wanted = None if body is None else digest(body)
    return known is not None and known[:2] == (inode_of(netns), wanted)


def apply(netns: str, body: str | None, verify: bool = False) -> list[str]:
    """Make `table inet plk` in `netns` equal `body` (None: no table), and delete other
    tables with our prefix. Returns what changed. What this process applied to this very
    namespace is trusted unless `verify` (see `due`): when only members of its named sets
    and maps differ from that, they are changed in place (nft_members.update)."""
    if not verify and applied(netns, body):
        return []
    wanted = None if body is None else digest(body)
    inode = inode_of(netns)
    if not verify and body is not None and _update_members(netns, inode, body):
        _applied[netns] = (inode, wanted, _applied[netns][2])  # changed, not verified
        _bodies[netns] = (inode, wanted, body)
        return [f"{netns}: nft ruleset"]
    current, foreign = observe(netns)
    changes = []
    for family, name in foreign:
        libnft.run(netns, f"delete table {family} {name}")
        changes.append(f"{netns}: delete table {family} {name}")
    if current == wanted:
        _applied[netns] = (inode, wanted, time.monotonic())
        if body is not None:
            _bodies[netns] = (inode, wanted, body)
        return changes
    if body is None:
        libnft.run(netns, f"delete table {_TABLE}")
        _bodies.pop(netns, None)
    else:
        script = (
            f"table {_TABLE} {{}}\n"
            f"delete table {_TABLE}\n"
            f"table {_TABLE} {{\n"
            f'comment "{wanted}"\n'
            f"{body}\n"
            "}\n"
        )
        libnft.run(netns, script)
        _bodies[netns] = (inode, wanted, body)
    _applied[netns] = (inode, wanted, time.monotonic())
    return [*changes, f"{netns}: nft ruleset"]


def _update_members(netns: str, inode: int, body: str) -> bool:
    """Change only the members that differ from the body this process last applied here
    (and still trusts); False when that is not all that differs, or it failed (one
    transaction: then nothing changed). The table's comment keeps the digest of the last
    whole write, so a verifying look writes the table whole again once."""
    known, last = _applied.get(netns), _bodies.get(netns)
    if known is None or last is None or known[:2] != (inode, last[1]) or last[0] != inode:
        return False
    found = nft_members.changes(last[2], body)
    if found is None:
        return False
    messages = nft_elements.encode(_TABLE, found.members, found.chains_gone)
    try:
        if messages is None:  # a type nft_elements does not write: libnftables does it all
            script = nft_members.update(_TABLE, last[2], body)
            assert script is not None
            libnft.run(netns, script)
            return True
        # chains first (what members will jump to), then members and unused chains at once
        if found.chains_new:
            libnft.run(netns, "\n".join(f"table {_TABLE} {{\n{b}\n}}" for b in found.chains_new))
        run_in(netns, lambda: nft_elements.send_here(messages))
    except (RuntimeError, OSError, NetlinkError) as exc:
        log.info("%s: members not changed in place (%s); writing the table whole", netns, exc)
        return False
    return True


def flush_conntrack(netns: str, zones: tuple[int, ...] = ()) -> None:
    """Forget tracked flows (all, or those whose original direction is in one of `zones`),
    so their NAT bindings and 'established' verdicts stop carrying packets."""
    if not zones:
        _run(netns, ["conntrack", "-F"])
        return
    for zone in zones:
        _run(netns, ["conntrack", "-D", "--orig-zone", str(zone)])
