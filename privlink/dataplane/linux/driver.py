"""LinuxDriver: realises a DataplanePlan in network namespaces, idempotently.

apply(plan) = validate -> render (topology.build, pure) -> converge (converge.py: one
pass in a fixed order, observing before changing, so a re-apply of the same plan changes
nothing). The driver keeps what lasts between passes: sysctls set, processes, the health
checker, injected faults; nothing it keeps grows descriptors with the namespaces.

Target health comes from HealthChecker; a health change re-renders only what depends on it
(NLB rulesets and proxy target lists).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from privlink.dataplane import names
from privlink.dataplane.base import (
    ApplyReport,
    Faults,
    HealthCallback,
    TargetHealth,
    TargetState,
)
from privlink.dataplane.flows import Observation
from privlink.dataplane.linux import memory, netns, nft, proxy_header, subnet_shortcut, topology
from privlink.dataplane.linux.converge import Converge, raise_conntrack_max
from privlink.dataplane.linux.dnsmasq import DnsmasqManager
from privlink.dataplane.linux.files import read
from privlink.dataplane.linux.haproxy import HaproxyManager
from privlink.dataplane.linux.health import REASONS, HealthChecker
from privlink.dataplane.linux.hostlock import HostLock
from privlink.dataplane.linux.observe import Observer
from privlink.dataplane.linux.procs import ProcessTable
from privlink.dataplane.linux.rendered import Rendered
from privlink.dataplane.linux.settled import Settled
from privlink.dataplane.linux.spec import HealthKey
from privlink.dataplane.linux.sweep import etc_netns_dirs, sweep_root
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.plan_checks import validate

log = logging.getLogger("privlink.dataplane")


class LinuxDriver:
    def __init__(
        self,
        state_dir: Path,
        *,
        on_target_health: HealthCallback | None = None,
        conntrack_max: int | None = None,
    ) -> None:
        """`state_dir` holds configs, logs and pidfiles. `conntrack_max` (optional) raises
        the host-wide nf_conntrack_max; it is never lowered."""
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._host_lock = HostLock()
        self._host_lock.acquire()
        self.procs = ProcessTable(self.state_dir / "run")
        self.dns = DnsmasqManager(self.state_dir, self.procs)
        self.haproxy = HaproxyManager(self.state_dir, self.procs)  # load balancers
        self._lock = threading.RLock()
        self._plan = DataplanePlan()
        # Kept across applies, so an apply costs what changed, not what exists (dropped by
        # resync()): the sysctls set per namespace (digest), keyed by the namespace's inode
        # (a re-created namespace is a new one). Netlink handles last one pass only. What
        # the previous process knew at the end of its last pass is adopted (memory.py).
        self._resync = False
        self._sysctls_set: dict[str, tuple[int, str]] = {}
        self.settled = Settled()  # namespaces whose links need no look (settled.py)
        self.orphans_looked = -math.inf  # when a pass last looked for orphan processes
        self.memory = memory.Memory(self.state_dir)
        self._slots = memory.Slots(self.state_dir)
        self.rendered = Rendered()  # pieces of the last render, kept where unchanged
        self._adopt(self.memory.load())
        self.on_target_health = on_target_health
        self.faults = Faults()
        self._health = HealthChecker(self._on_health, poll=self._alb_health)
        self.observer = Observer(self.state_dir)  # traffic counting: flow logs, metrics
        self.headers = proxy_header.Headers(self.state_dir)  # PROXY v2 on the kernel path
        self.shortcuts = subnet_shortcut.Shortcuts(self.state_dir)  # past subnet bridges
        self._closed = False
        self.stopping = False  # set by teardown(): it need not wait for a whole pass
        if conntrack_max:
            raise_conntrack_max(conntrack_max)

    # -- the Dataplane interface -----------------------------------------------------------
    def apply(self, plan: DataplanePlan) -> ApplyReport:
        report = ApplyReport()
        problems = validate(plan)
        for rid, found in problems.items():  # the plan itself is wrong: retrying cannot help
            report.fail(rid, "; ".join(found), permanent=True)
        plan = plan.without(problems)
        with self._lock:
            self._closed = False
            if self._resync:
                self._resync = False
                self._forget_remembered()
            started = time.monotonic()
            spec = topology.build(plan, self._health_map(), self._slots.load(), self.rendered)
            self._slots.save(spec.eni_slots)
            report.timed("render", started)
            self._plan = plan
            self.memory.begin()  # until this pass ends, it may stop being true
            Converge(self, spec, report).run()
            self.memory.end(self._remembered())
            started = time.monotonic()
            report.changes += self.observer.install(plan, spec.eni_slots)
            report.timed("observe", started)
            self._health.update(spec.checks)
        return report

    def teardown(self) -> None:
        self.stopping = True  # an apply in progress skips its remaining steps
        self._health.stop()  # outside the lock: its callback thread may be waiting on it
        with self._lock:
            self.stopping = False
            self._closed = True
            self.procs.stop_all(self.procs.keys())  # all at once: one wait, not one each
            self.procs.stop_orphans(set())
            self._sysctls_set.clear()
            self.settled.forget()
            self.dns.forget()
            spaces = [name for name in netns.list_names() if names.is_ours(name)]
            netns.kill_processes_in(spaces)
            for name in spaces:
                netns.remove(name, kill=False)
            nft.forget()
            self.headers.close(everything=True)
            self.shortcuts.close(everything=True)
            sweep_root()
            for path in etc_netns_dirs():
                shutil.rmtree(path, ignore_errors=True)
            self.memory.clear()
            self._slots.save({})
            for sub in ("vpc", "dns", "instances", "endpoints", "run", "observe"):
                shutil.rmtree(self.state_dir / sub, ignore_errors=True)
            self._plan = DataplanePlan()
        self._host_lock.release()

    def resync(self) -> None:
        """Look at everything again on the next apply (nothing remembered is trusted).
        Only a flag: callers (the store thread) must never wait for an apply in progress."""
        self._resync = True

    def _adopt(self, known: memory.Remembered) -> None:
        self.settled.adopt(known.links)
        nft.adopt(known.tables)
        self._sysctls_set.update(known.sysctls)

    def _remembered(self) -> memory.Remembered:
        return memory.Remembered(self.settled.export(), nft.export(), dict(self._sysctls_set))

    def _forget_remembered(self) -> None:
        self.dns.forget()
        self.orphans_looked = -math.inf
        nft.forget()
        self._sysctls_set.clear()
        self.settled.forget()

    def close(self) -> None:
        self._health.stop()
        with self._lock:
            self._closed = True
            self.headers.close()
            self.shortcuts.close()
        self._host_lock.release()

    def target_health(self, target_group_id: str | None = None) -> list[TargetHealth]:
        """Lock-free, so the store thread never waits for an apply: the plan last handed
        to apply (replaced whole, never changed in place) and what the health checker
        published (NLB targets: its own checks; ALB targets: its poll of HAProxy)."""
        states = self._health.states()
        result = []
        plan = self._plan
        for nlb in plan.nlbs:
            for tg in nlb.target_groups():
                if target_group_id not in (None, tg.target_group_id):
                    continue
                for t in tg.targets:
                    if tg.health_check is None:
                        state, reason = TargetState.HEALTHY, ""
                    else:
                        state, reason = states.get(
                            (tg.target_group_id, t.ip, t.port),
                            (TargetState.INITIAL, REASONS[TargetState.INITIAL]),
                        )
                    result.append(TargetHealth(tg.target_group_id, t.ip, t.port, state, reason))
        albs = self._health.polled()
        return result + [h for h in albs if target_group_id in (None, h.target_group_id)]

    def _alb_health(self) -> list[TargetHealth]:
        """ALB targets as their HAProxy's checks see them (asked over the stats sockets:
        run by the health checker's poll, never by a reader)."""
        return self.haproxy.target_health(self._plan)

    def observe(self) -> Observation:
        return self.observer.collect()

    def instance_netns(self, instance_id: str) -> str | None:
        name = names.instance_netns(instance_id)
        return name if netns.exists(name) else None

    def exec_in_instance(
        self,
        instance_id: str,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        name = self.instance_netns(instance_id)
        if name is None:
            raise KeyError(f"instance {instance_id} has no namespace")
        return subprocess.run(
            ["ip", "netns", "exec", name, *argv], input=input, capture_output=True, timeout=timeout
        )

    def proxy_stats(self, endpoint_id: str, timeout: float = 2.0) -> dict[str, int] | None:
        """Counters of an endpoint's PROXY-v2 proxy (flows, bulk, open), or None."""
        stats = self.endpoint_dir(endpoint_id) / "proxy.stats"
        stats.unlink(missing_ok=True)
        if not self.procs.signal(f"proxy-{endpoint_id}", signal.SIGUSR1):
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = read(stats)
            if text:
                return json.loads(text)  # type: ignore[no-any-return]
            time.sleep(0.02)
        return None

    # -- health ----------------------------------------------------------------------------
    def _health_map(self) -> dict[HealthKey, TargetState]:
        return {key: state for key, (state, _) in self._health.states().items()}

    def _on_health(self, key: HealthKey, state: TargetState, reason: str) -> None:
        """Re-render what depends on health (NLB rules, proxy targets), then tell the
        callback: once it hears of a change, traffic already follows it."""
        with self._lock:
            if self._closed:
                return
            # the slots of the last pass: ENIs whose hashes collide were given theirs
            # in the order they came, which a build from nothing would not repeat
            spec = topology.build(self._plan, self._health_map(), self._slots.load(), self.rendered)
            report = ApplyReport()
            converge = Converge(self, spec, report)
            self.memory.begin()
            converge.rulesets(only=lambda ns: ns.name.startswith(f"{names.PREFIX}-nlb-"))
            converge.proxies()
            self.memory.end(self._remembered())
            if report.errors:
                log.warning("health refresh: %s", report.errors)
        if self.on_target_health is not None:
            self.on_target_health(TargetHealth(key[0], key[1], key[2], state, reason))

    # -- paths -----------------------------------------------------------------------------
    def instance_dir(self, instance_id: str) -> Path:
        return self.state_dir / "instances" / instance_id

    def endpoint_dir(self, endpoint_id: str) -> Path:
        return self.state_dir / "endpoints" / endpoint_id
