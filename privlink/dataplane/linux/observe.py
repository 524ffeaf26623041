"""Counting real traffic in the kernel, for VPC Flow Logs and PrivateLink metrics.

Each observed namespace gets one more nftables table, `inet observe`, beside privlink's
`inet plk` (whose security-group chains it never touches), so what it counts is what the
kernel really did:

- flow logs (only interfaces that have one: `plan.flow_logged`): dynamic sets keyed by the
  5-tuple with a counter per element, one set of what arrived (`*_seen`, on a chain just
  before the security groups') and one of what they let through (`*_ok`, just after):
  ACCEPT is `ok`, REJECT is `seen - ok`. Instances are counted on their interface's
  input/output hooks; endpoint ENIs on prerouting (keyed by the tuple as it arrived, so
  the destination is the ENI's address: an NLB's security groups run after DNAT) and
  postrouting (after SNAT is undone). A namespace with no logged interface has none of
  these chains;
- PrivateLink metrics (every active interface endpoint): named counters per ENI (packets
  let in, new connections, bytes leaving, resets coming back from the service side of a
  DNATed flow) on the forward, input and output hooks behind the namespace's own filters:
  a packet of the endpoint path crosses one chain. The packets the security groups drop
  are counted by the `plk` table where it drops them (rulesets.DROPPED), read here too;
  conntrack gives the connections open now.

ICMP is not counted (its "ports" are not a 5-tuple). The table is named outside the
`plk` prefix because `nft.apply` deletes every other `plk*` table in the namespaces it
manages; it dies with its namespace. Collection reads each table in-process (libnft.py,
one thread hop per namespace, plus `conntrack -L` for an endpoint whose counters moved)
and turns the kernel's cumulative element counters into deltas since the previous
collection.

A table outlives privlink (a restart leaves namespaces in place), so each install is
remembered in the state dir (namespace inode + digest of the table). A new process adopts a
table that still matches instead of replacing it: nothing changes in the kernel, the
endpoint counters stay cumulative (CloudWatch's marks in the store carry the deltas across
the restart), and the first reading of its flow sets only sets the baseline, so flows
reported before the restart are not reported again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from privlink.dataplane import names
from privlink.dataplane.flows import Action, EniCounters, FlowCount, Observation
from privlink.dataplane.linux import libnft
from privlink.dataplane.linux.netns import Hopper, exec_argv, inode_of, run_in
from privlink.dataplane.linux.observe_tables import (
    NOTHING_KEPT,
    TABLE,
    Element,
    FlowKey,
    Kept,
    Port,
    Watch,
    drops,
    open_connections,
    parse,
    render,
    update_script,
    watches,
)
from privlink.dataplane.linux.rulesets import DROPPED
from privlink.dataplane.plan import DataplanePlan

log = logging.getLogger("privlink.dataplane.observe")

TIMEOUT = 10.0
INSTALLS = 4  # namespaces whose counting table is written at once
Delta = tuple[int, int, int]  # packets, bytes, idle seconds


# -- the kernel --------------------------------------------------------------------------
def _run(netns: str, argv: list[str], stdin: str | None = None) -> str:
    result = subprocess.run(
        exec_argv(netns, argv),  # nft and conntrack need the namespace's network only
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in {netns}: {result.stderr.strip()}")
    return result.stdout


class Observer:
    """Installs the counting tables a plan asks for and reads them back as deltas."""

    def __init__(self, state_dir: Path) -> None:
        self._marks = state_dir / "observe"  # netns -> "inode digest" of its installed table
        self._baseline: set[str] = set()  # adopted: the next reading only sets the baseline
        self._marks_read = False
        self._lock = threading.Lock()
        # netns -> (inode, digest of the table installed, what it watches)
        self._installed: dict[str, tuple[int, str, Watch]] = {}
        self._last: dict[tuple[str, str, FlowKey], tuple[int, int]] = {}  # cumulative
        self._since: dict[str, float] = {}  # netns -> when it was last read
        # netns -> (its counters, open connections per ENI address) when conntrack was read
        self._open: dict[str, tuple[dict[str, tuple[int, int]], dict[str, int]]] = {}

    def install(self, plan: DataplanePlan, slots: Mapping[str, int]) -> list[str]:
        """Make every watched namespace's `inet observe` match the plan; drop the tables of
        namespaces no longer watched. Failures are logged and retried on the next apply:
        counting must never stand in the way of the network itself. Tables are written a
        few namespaces at once, in-process (libnft.py): thousands at a large first apply."""
        wanted = {w.netns: w for w in watches(plan, slots)}
        with self._lock:
            installed = dict(self._installed)
        dropped = set(installed) - set(wanted)
        if not self._marks_read:  # an earlier process's tables the plan no longer wants
            self._marks_read = True
            dropped |= {p.name for p in self._marks.glob("*")} - set(wanted)
        todo = []
        for netns, watch in wanted.items():
            inode = inode_of(netns)
            known = installed.get(netns)
            if inode < 0 or (known is not None and (known[0], known[2]) == (inode, watch)):
                continue  # as installed: not even rendered (an NLB's holds every ENI)
            digest = hashlib.sha256(render(watch).encode()).hexdigest()[:20]
            if known is not None and known[:2] == (inode, digest):
                continue
            if known is None and self._mark(netns) == f"{inode} {digest}":
                with self._lock:  # installed by an earlier process, and still as planned
                    self._installed[netns] = (inode, digest, watch)
                    self._baseline.add(netns)
                continue
            todo.append((watch, inode, digest, known[2] if known and known[0] == inode else None))
        with Hopper(INSTALLS, "observe") as pool:
            changes = [c for c in pool.map(lambda job: self._install(*job), todo) if c]
        for netns in dropped:
            self._drop(netns)
        return changes

    def _install(self, watch: Watch, inode: int, digest: str, before: Watch | None) -> str | None:
        """Write the namespace's table. One this process installed is changed in place
        when only ports came and went (observe_tables.update_script), else replaced with
        what it counted so far (read just before: what arrives meanwhile is lost)."""
        update = update_script(before, watch) if before is not None else None
        if update is not None:
            try:
                libnft.run(watch.netns, update)
            except (RuntimeError, OSError) as exc:  # one transaction: nothing was changed
                log.info("flow counting in %s, changed in place: %s", watch.netns, exc)
            else:
                return self._installed_as(watch, inode, digest, kept_on=True)
        kept = self._kept(watch.netns) if before is not None else NOTHING_KEPT
        script = f"table inet {TABLE} {{}}\ndelete table inet {TABLE}\n"
        script += f"table inet {TABLE} {{\n{render(watch, kept)}\n}}\n"
        try:
            libnft.run(watch.netns, script)
        except (RuntimeError, OSError) as exc:
            log.warning("flow counting in %s: %s", watch.netns, exc)
            return None
        return self._installed_as(watch, inode, digest, kept_on=kept is not NOTHING_KEPT)

    def _installed_as(self, watch: Watch, inode: int, digest: str, kept_on: bool) -> str:
        """Record the table now in the namespace; `kept_on`: its counts went on from the
        previous one, so the last readings stay the base of the next deltas."""
        with self._lock:
            self._installed[watch.netns] = (inode, digest, watch)
            if kept_on:
                self._open.pop(watch.netns, None)
            else:
                self._forget(watch.netns)
        self._set_mark(watch.netns, f"{inode} {digest}")
        return f"{watch.netns}: nft table {TABLE}"

    def _kept(self, netns: str) -> Kept:
        try:
            listing = json.loads(libnft.read(netns, f"list table inet {TABLE}"))
        except (RuntimeError, OSError, ValueError) as exc:
            log.debug("reading %s before replacing it: %s", netns, exc)
            return NOTHING_KEPT
        counters, sets = parse(listing)
        return Kept(counters, sets)

    def _drop(self, netns: str) -> None:
        if inode_of(netns) >= 0:
            with contextlib.suppress(RuntimeError, OSError):  # gone with its namespace
                libnft.run(netns, f"delete table inet {TABLE}")
        with self._lock:
            self._installed.pop(netns, None)
            self._forget(netns)
        self._set_mark(netns, None)

    def _mark(self, netns: str) -> str | None:
        try:
            return (self._marks / netns).read_text()
        except OSError:
            return None

    def _set_mark(self, netns: str, mark: str | None) -> None:
        path = self._marks / netns
        if mark is None:
            path.unlink(missing_ok=True)
            return
        self._marks.mkdir(parents=True, exist_ok=True)
        path.write_text(mark)

    def _forget(self, netns: str) -> None:
        self._baseline.discard(netns)
        self._since.pop(netns, None)
        self._open.pop(netns, None)
        for key in [k for k in self._last if k[0] == netns]:
            del self._last[key]

    def collect(self) -> Observation:
        """Read every watched namespace once: flow deltas and endpoint counters."""
        now = time.time()
        with self._lock:
            installed = list(self._installed.items())
        flows: list[FlowCount] = []
        endpoints: list[EniCounters] = []
        for netns, (_, _, watch) in installed:
            try:
                listing, dropped = run_in(netns, functools.partial(_read_here, watch))
                counters, sets = parse(listing)
                open_now = self._open_now(netns, watch, counters)
            except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
                log.debug("reading %s: %s", netns, exc)
                continue
            with self._lock:
                if netns not in self._installed:
                    continue  # dropped meanwhile
                found = self._flows(netns, watch, sets, now)
                if netns in self._baseline:  # adopted: counted before this process began
                    self._baseline.discard(netns)
                else:
                    flows += found
                self._since[netns] = now
            if watch.kind == "endpoint":
                endpoints += _endpoint_counters(watch, counters, dropped, open_now)
        return Observation(now, tuple(flows), tuple(endpoints))

    def _open_now(
        self, netns: str, watch: Watch, counters: dict[str, tuple[int, int]]
    ) -> dict[str, int]:
        """An endpoint's open connections per ENI address, from conntrack. No connection
        opens or closes without a packet, so while its counters stand still the last
        answer stands too and conntrack is not asked (idle endpoints cost one read)."""
        if watch.kind != "endpoint":
            return {}
        known = self._open.get(netns)
        if known is not None and known[0] == counters:
            return known[1]
        listing = _run(netns, ["conntrack", "-L", "-p", "tcp"])
        found = open_connections(listing, watch.ports)
        self._open[netns] = (counters, found)
        return found

    def _flows(
        self, netns: str, watch: Watch, sets: dict[str, list[Element]], now: float
    ) -> list[FlowCount]:
        since = int(self._since.get(netns, now))
        found: list[FlowCount] = []
        for port in watch.ports:
            if not port.logged:
                continue
            for direction in ("in", "out"):
                ok_name, seen_name = f"{port.tag}_{direction}_ok", f"{port.tag}_{direction}_seen"
                ok = self._deltas(netns, ok_name, sets.get(ok_name, []))
                seen = self._deltas(netns, seen_name, sets[seen_name]) if seen_name in sets else ok
                found += _counts(port.eni_id, seen, ok, since, int(now))
        live = {(netns, name, e.key) for name, elems in sets.items() for e in elems}
        for key in [k for k in self._last if k[0] == netns and k not in live]:
            del self._last[key]
        return found

    def _deltas(self, netns: str, name: str, elements: list[Element]) -> dict[FlowKey, Delta]:
        """Per 5-tuple of one set: (packets, bytes, idle seconds) since the previous
        reading. A counter lower than before belongs to a new element (the old one
        expired): all of it is new."""
        out: dict[FlowKey, Delta] = {}
        for e in elements:
            before = self._last.get((netns, name, e.key), (0, 0))
            self._last[(netns, name, e.key)] = (e.packets, e.bytes)
            packets, nbytes = (
                (e.packets - before[0], e.bytes - before[1])
                if e.packets >= before[0]
                else (e.packets, e.bytes)
            )
            if packets > 0:
                out[e.key] = (packets, nbytes, e.idle)
        return out


def _counts(
    eni_id: str, seen: dict[FlowKey, Delta], ok: dict[FlowKey, Delta], since: int, now: int
) -> Iterator[FlowCount]:
    """ACCEPT and REJECT counts of one direction of one interface."""
    for key in sorted(set(seen) | set(ok)):
        sp, sb, idle = seen.get(key) or ok[key]
        op, ob, _ = ok.get(key, (0, 0, 0))
        src, dst, proto, sport, dport = key
        end = max(since, now - idle)
        accepted: tuple[Action, int, int] = ("ACCEPT", op, ob)
        rejected: tuple[Action, int, int] = ("REJECT", sp - op, sb - ob)
        for action, packets, nbytes in (accepted, rejected):
            if packets > 0:
                yield FlowCount(
                    eni_id, src, dst, sport, dport, proto, action, packets, nbytes, since, end
                )


def _read_here(watch: Watch) -> tuple[dict[str, Any], dict[str, int]]:
    """The namespace's counting table and, for endpoints, the packets the `plk` table's
    security groups dropped per ENI link (in the calling thread's namespace)."""
    listing = json.loads(libnft.read_here(f"list table inet {TABLE}"))
    if watch.kind != "endpoint":
        return listing, {}
    try:
        found = libnft.read_here(f"list set {names.NFT_FAMILY} {names.NFT_TABLE} {DROPPED}")
    except libnft.NftError:  # no such set: an inactive endpoint's table drops nothing
        return listing, {}
    return listing, drops(json.loads(found))


def _endpoint_counters(
    watch: Watch,
    counters: dict[str, tuple[int, int]],
    dropped: dict[str, int],
    open_now: dict[str, int],
) -> list[EniCounters]:
    def get(port: Port, name: str) -> tuple[int, int]:
        return counters.get(f"{port.tag}_{name}", (0, 0))

    return [
        EniCounters(
            p.owner,
            p.eni_id,
            p.subnet_id,
            active=open_now.get(p.eni_id, 0),
            new=get(p, "new")[0],
            bytes=get(p, "ok")[1] + get(p, "out")[1],
            dropped=dropped.get(p.link, 0),
            rst=get(p, "rst")[0],
        )
        for p in watch.ports
    ]
