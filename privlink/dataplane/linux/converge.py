"""One convergence pass: KernelSpec -> the kernel, observing before changing.

The order is fixed: stop unowned processes, delete unowned namespaces (sweep.py),
resolv.conf, create namespaces, links, addresses, routes (and the PROXY v2 program on
the links that need it), its listeners, dnsmasq, nftables (one atomic transaction per
namespace), proxies to privlink's own services, user data, and last a few settled
namespaces looked at again (verify). A failing step
is reported against its resource (ApplyReport.fail, permanent or temporary)
and the rest goes on: one broken instance never blocks a VPC. The driver
(driver.py) owns what lasts between passes; a pass owns nothing.
"""

from __future__ import annotations

import functools
import logging
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from privlink.dataplane import names
from privlink.dataplane.base import ApplyReport, PermanentFailure
from privlink.dataplane.linux import daemons, memory, netns, nft, proxy_procs, sweep
from privlink.dataplane.linux.delta import Delta
from privlink.dataplane.linux.files import write_if_changed
from privlink.dataplane.linux.links import NamespaceLinks
from privlink.dataplane.linux.spec import (
    EndpointState,
    InstanceSpec,
    KernelSpec,
    LinkSpec,
    NamespaceSpec,
)
from privlink.dataplane.plan import PUBLIC_DNS

if TYPE_CHECKING:
    from privlink.dataplane.linux.driver import LinuxDriver

log = logging.getLogger("privlink.dataplane")

RESOLVER_STARTS = 16  # resolvers converged at once
NFT_APPLIES = 4  # namespaces whose nftables are looked at or changed at once
HOPPERS = 4  # namespaces created, or opened for netlink, at once (netns.Hopper)
# The namespaces with policy rules: VPC routers (route tables), NLBs (their ENIs' tables)
RULED = (f"{names.PREFIX}-vpc-", f"{names.PREFIX}-nlb-")


class Converge:
    """One convergence pass over a KernelSpec; collects changes and per-resource errors."""

    def __init__(self, driver: LinuxDriver, spec: KernelSpec, report: ApplyReport) -> None:
        self.driver = driver
        self.spec = spec
        self.report = report
        self.failed: set[str] = set()  # namespaces that could not be set up
        self.looked: set[str] = set()  # namespaces whose network this pass converged
        self.made: set[str] = set()  # owners this pass began making something of
        self._made_lock = threading.Lock()

    def step(self, owner: str, label: str, fn: Callable[..., list[str] | None], *args: Any) -> bool:
        """Run fn(*args); record its changes, or its failure against `owner`. Nothing
        runs once teardown has begun: it removes everything this pass would make."""
        if self.driver.stopping:
            return False
        started = time.monotonic()
        try:
            if self._first_step(owner, label):
                self.driver.faults.check(owner)
            changes = fn(*args)
        except Exception as exc:  # reported per resource; the pass goes on
            log.warning("%s: %s failed: %s", owner, label, exc)
            self.report.fail(owner, f"{label}: {exc}", permanent=_is_permanent(exc))
            return False
        elapsed = (time.monotonic() - started) * 1000
        if elapsed > 5:
            log.debug("%s: %s took %.0f ms", owner, label, elapsed)
        if changes:
            self.report.changes.extend(changes)
        return True

    def _first_step(self, owner: str, label: str) -> bool:
        """Whether this is the first step of the pass that makes something of `owner`'s:
        its namespace, or (an endpoint whose ENIs live in its NLB's namespace) a veth.
        An injected fault (base.Faults) fires there, once a pass."""
        if not (label == "namespace" or label.startswith("veth ")):
            return False
        with self._made_lock:  # steps may run on several threads
            first = owner not in self.made
            self.made.add(owner)
        return first

    def run(self) -> None:
        """The pass, each phase timed into the report (report.phases)."""
        phases: list[tuple[str, Callable[[], None]]] = [
            ("sweep", self.sweep),
            # first: a namespace `privlink exec` can enter already has its resolv.conf
            ("files", self.files),
            ("namespaces", self.namespaces),
            ("network", self.changed_network),
            ("headers", self.headers),
            ("resolvers", self.resolvers),  # before the filters: new instances ask it first
            ("nftables", self.rulesets),
            ("proxies", self.proxies),
            ("haproxy", self.haproxies),
            ("user data", self.user_data),
            ("daemons", self.daemons),
            ("verify", self.verify),  # last: never before what somebody waits for
        ]
        for phase, fn in phases:
            started = time.monotonic()
            fn()
            self.report.timed(phase, started)

    def namespaces(self) -> None:
        """Create what is missing and set sysctls, on Hopper workers; a namespace that
        exists with its sysctls as set is only looked at here (no hand-off per namespace:
        that alone cost ~20 ms a pass at 1,500 namespaces)."""

        def one(ns: NamespaceSpec) -> None:
            if not self.step(ns.owner, "namespace", self.namespace, ns):
                self.failed.add(ns.name)

        todo = []
        for ns in self.spec.namespaces.values():
            wanted = (netns.inode_of(ns.name), _sysctls_digest(ns.sysctls))
            if self.driver._sysctls_set.get(ns.name) != wanted:
                todo.append(ns)
            else:
                one(ns)  # nothing to do but the fault check
        with netns.Hopper(HOPPERS, "netns") as pool:
            list(pool.map(one, todo))

    def _live(self) -> list[NamespaceSpec]:
        return [ns for ns in self.spec.namespaces.values() if ns.name not in self.failed]

    def changed_network(self) -> None:
        """The network of the namespaces that changed (settled.unsettled); all of them
        when the PROXY v2 program is not the one the previous process attached."""
        spaces = self._live()
        owner = next((ns.owner for ns in spaces if ns.headers), None)
        if owner is not None:
            self.step(owner, "proxy headers", self._load_headers)
        owner = next((ns.owner for ns in spaces if ns.shortcuts), None)
        if owner is not None:
            self.step(owner, "subnet shortcut", self._load_shortcut)
        self.network(spaces, self.driver.settled.unsettled(spaces), deltas=True)

    def verify(self) -> None:
        """A few namespaces' links and tables looked at again although nothing changed
        (settled.trickle, nft.due), so what was changed by hand is repaired; after the
        pass's real work, which never waits for it."""
        spaces = self._live()
        self.network(spaces, self.driver.settled.trickle(spaces, self.looked))
        self.rulesets(verify=True)

    def network(self, spaces: list[NamespaceSpec], todo: set[str], deltas: bool = False) -> None:
        """Links, addresses, routes and rules of the namespaces named in `todo`, through
        netlink handles opened for this pass only (~40 us each): descriptors never pile
        up with the namespaces. With `deltas`, a namespace whose change settled.py can
        name gets only that change (delta.py), the rest whole."""
        settled = self.driver.settled
        work = [ns for ns in spaces if ns.name in todo]
        if not work:
            return
        self.looked |= todo
        changes = {
            ns.name: found for ns in work if deltas and (found := settled.delta(ns)) is not None
        }
        needed = todo | {
            link.peer.netns for ns in work for link in _links(ns, changes) if link.peer
        }
        handles: dict[str, NamespaceLinks] = {}
        errors = len(self.report.errors)

        def open_handle(ns: NamespaceSpec) -> None:
            if not self.step(ns.owner, "netlink", self._handle, handles, ns.name):
                self.failed.add(ns.name)

        try:
            with netns.Hopper(HOPPERS, "netlink") as pool:
                list(pool.map(open_handle, [ns for ns in spaces if ns.name in needed]))
            self.links(work, handles, changes)
        finally:
            for handle in handles.values():
                handle.close()
        if len(self.report.errors) == errors:
            settled.remember(work, set(self.spec.namespaces))

    @staticmethod
    def _handle(handles: dict[str, NamespaceLinks], name: str) -> None:
        handles[name] = NamespaceLinks(name)

    # -- sweep -----------------------------------------------------------------------------
    def sweep(self) -> None:
        sweep.unowned(self)

    # -- namespaces and links ----------------------------------------------------------------
    def namespace(self, ns: NamespaceSpec) -> list[str]:
        changes = []
        if not netns.exists(ns.name):
            netns.create(ns.name)
            nft.forget(ns.name)  # a new namespace: nothing applied there yet
            changes.append(f"netns add {ns.name}")
        inode = netns.inode_of(ns.name)
        wanted = (inode, _sysctls_digest(ns.sysctls))
        if self.driver._sysctls_set.get(ns.name) != wanted:
            for key in netns.write_sysctls(ns.name, dict(ns.sysctls)):
                changes.append(f"{ns.name}: sysctl {key}")
            self.driver._sysctls_set[ns.name] = wanted
        return changes

    def links(
        self,
        spaces: list[NamespaceSpec],
        handles: dict[str, NamespaceLinks],
        deltas: dict[str, Delta],
    ) -> None:
        """Each namespace's links, addresses, routes and rules, in dependency order; only
        its delta's for a namespace in `deltas`."""
        live = [ns for ns in spaces if ns.name in handles]
        whole = [ns for ns in live if ns.name not in deltas]
        before = len(self.report.changes)
        for ns in live:
            handle, delta = handles[ns.name], deltas.get(ns.name)
            if delta is not None:
                self.step(ns.owner, "links", handle.delete, delta.removed)
            else:
                self.step(ns.owner, "links", handle.delete_unwanted, {k.name for k in ns.links})
        if len(self.report.changes) > before:
            for handle in handles.values():  # a deleted veth takes its peer elsewhere with it
                handle.invalidate()
        for ns in live:
            for link in _links(ns, deltas):
                if link.kind == "bridge":
                    self.step(
                        link.owner or ns.owner,
                        f"bridge {link.name}",
                        handles[ns.name].ensure_bridge,
                        link,
                    )
        self._veths(live, handles, deltas)
        for ns in live:
            handle = handles[ns.name]
            if ns.name not in deltas:  # a delta's loopback is as it was
                self.step(ns.owner, "loopback", handle.ensure_loopback, ns.loopback)
            for link in _links(ns, deltas):
                self.step(link.owner or ns.owner, f"link {link.name}", handle.configure, link)
        for ns in live:
            if not self.step(ns.owner, "routes", self._routes, handles[ns.name], ns, deltas):
                self.failed.add(ns.name)
        for ns in whole:  # a delta's PROXY v2 listeners and shortcut ports are as they were
            if ns.headers:
                self.step(ns.owner, "proxy headers", self._attach_headers, handles[ns.name], ns)
            if ns.shortcuts or any(link.kind == "bridge" for link in ns.links):
                # a router without ports to serve (any more) has what it held deleted
                self.step(ns.owner, "subnet shortcut", self._shortcut, handles[ns.name], ns)
        for ns in live:  # every link is up on both ends now: tell neighbours
            self.step(ns.owner, "announce", handles[ns.name].announce)

    def _veths(
        self,
        live: list[NamespaceSpec],
        handles: dict[str, NamespaceLinks],
        deltas: dict[str, Delta],
    ) -> None:
        for ns in live:
            for link in _links(ns, deltas):
                if link.kind != "veth" or link.peer is None:
                    continue
                far = handles.get(link.peer.netns)
                if far is None:
                    self.report.fail(link.owner, f"no namespace {link.peer.netns}", False)
                    continue
                self.step(
                    link.owner or ns.owner,
                    f"veth {link.name}",
                    handles[ns.name].ensure_veth,
                    link,
                    far,
                )

    @staticmethod
    def _routes(handle: NamespaceLinks, ns: NamespaceSpec, deltas: dict[str, Delta]) -> list[str]:
        """Routes, and the policy rules of the namespaces that have them (RULED)."""
        delta, ruled = deltas.get(ns.name), ns.name.startswith(RULED)
        if delta is not None:
            changes = handle.change_routes(delta.routes_gone, delta.routes_new)
            return changes + (
                handle.change_rules(delta.rules_gone, delta.rules_new) if ruled else []
            )
        changes = handle.sync_routes(ns.routes)
        return changes + (handle.sync_rules(ns.rules) if ruled else [])

    def _load_headers(self) -> list[str]:
        if self.driver.headers.load():
            self.driver.settled.forget()
            return ["proxy headers: program loaded"]
        return []

    def _load_shortcut(self) -> list[str]:
        if self.driver.shortcuts.load():
            self.driver.settled.forget()
            return ["subnet shortcut: program loaded"]
        return []

    def _shortcut(self, handle: NamespaceLinks, ns: NamespaceSpec) -> list[str]:
        return self.driver.shortcuts.apply(
            ns.name, handle.ipr, handle.raw, ns.shortcuts, handle.links()
        )

    def _attach_headers(self, handle: NamespaceLinks, ns: NamespaceSpec) -> list[str]:
        observed = handle.links()
        indexes = {h.link: observed[h.link].index for h in ns.headers if h.link in observed}
        return self.driver.headers.attach(ns.name, handle.ipr, indexes)

    def headers(self) -> None:
        """The PROXY v2 listeners map, as every namespace's headers say (proxy_header.py);
        the subnet shortcut's entries of namespaces gone (subnet_shortcut.py)."""
        live = self._live()
        wanted = [h for ns in live for h in ns.headers]
        owner = next((ns.owner for ns in live if ns.headers), "proxy-headers")
        spaces = set(self.spec.namespaces)
        self.step(owner, "proxy headers", self.driver.headers.sync, wanted, spaces)
        self.step("subnet-shortcut", "subnet shortcut", self.driver.shortcuts.forget, spaces)

    # -- nftables ----------------------------------------------------------------------------
    def rulesets(
        self, only: Callable[[NamespaceSpec], bool] | None = None, verify: bool = False
    ) -> None:
        """Only namespaces whose table this process did not apply as wanted (or, with
        `verify`, the few due a re-look: nft.due) are handed to Hopper workers; observing
        is netlink and changing a libnftables script, both in-process, a few namespaces at
        a time."""
        by_netns: dict[str, list[EndpointState]] = {}
        for ep in self.spec.endpoints.values():
            by_netns.setdefault(ep.netns, []).append(ep)
        todo = [
            ns
            for ns in self.spec.namespaces.values()
            if ns.name not in self.failed and (only is None or only(ns))
        ]
        if verify:
            due = nft.due([ns.name for ns in todo])
            work = [ns for ns in todo if ns.name in due]
        else:
            work = [ns for ns in todo if not nft.applied(ns.name, ns.ruleset)]
        with netns.Hopper(NFT_APPLIES, "nft") as pool:
            for ns in work:
                pool.submit(self.step, ns.owner, "nftables", self._ruleset, ns, by_netns, verify)

    def _ruleset(
        self, ns: NamespaceSpec, endpoints: dict[str, list[EndpointState]], verify: bool
    ) -> list[str]:
        changes = nft.apply(ns.name, ns.ruleset, verify)
        if not any(c.endswith("nft ruleset") for c in changes):
            return changes
        for ep in endpoints.get(ns.name, ()):
            if ep.active:
                continue
            # Cut open flows: forget them, so their next packet meets the inactive ruleset
            # (TCP reset) instead of a surviving NAT binding or 'established' verdict.
            nft.flush_conntrack(ep.netns, ep.zones)
            changes.append(f"{ns.name}: conntrack of {ep.endpoint_id} flushed")
        return changes

    # -- files and processes -----------------------------------------------------------------
    def resolvers(self) -> None:
        """Every VPC's resolver, several at once: starting one is mostly waiting for it to
        answer, and one VPC's resolver never depends on another's. The shared hosts file of
        public names first: each front reloads it in its own ensure()."""
        self.step(PUBLIC_DNS, "dnsmasq", self.driver.dns.write_public, self.spec.public_hosts)
        dnsmasq = self.driver.dns
        todo = [
            dns
            for dns in self.spec.dns.values()
            if dns.netns not in self.failed and not dnsmasq.current(dns)
        ]
        with ThreadPoolExecutor(RESOLVER_STARTS, thread_name_prefix="dnsmasq") as pool:
            for dns in todo:
                pool.submit(self.step, dns.vpc_id, "dnsmasq", dnsmasq.ensure, dns)

    def files(self) -> None:
        for inst in self.spec.instances.values():
            self.step(inst.instance_id, "resolv.conf", _write_resolv, inst.netns, inst.resolv_conf)
        for name, content in self.spec.resolv.items():
            if name not in self.failed:
                self.step(name, "resolv.conf", _write_resolv, name, content)

    def proxies(self) -> None:
        for ps in self.spec.proxies.values():
            if ps.listen_netns in self.failed or ps.connect_netns in self.failed:
                continue
            root = self.driver.endpoint_dir(ps.endpoint_id)
            self.step(ps.endpoint_id, "proxy", proxy_procs.ensure, self.driver.procs, root, ps)
        for key in self.driver.procs.keys():
            kind, _, rid = key.partition("-")
            if kind == "proxy" and rid not in self.spec.proxies and self.driver.procs.stop(key):
                self.report.changes.append(f"proxy {rid}: stopped")

    def haproxies(self) -> None:
        """The load balancers' HAProxies (haproxy.py): started, reloaded on a change."""
        for hs in self.spec.haproxies.values():
            if hs.netns not in self.failed:
                self.step(hs.owner, "haproxy", self.driver.haproxy.ensure, hs)
        self.driver.haproxy.prune(set(self.spec.haproxies))

    def daemons(self) -> None:
        """sshd and OpenVPN (daemons.py), after the namespaces, links and filters they use."""
        for daemon in self.spec.daemons.values():
            if daemon.netns not in self.failed:
                state = self.driver.state_dir
                self.step(
                    daemon.owner, daemon.kind, daemons.ensure, self.driver.procs, state, daemon
                )

    def user_data(self) -> None:
        """First boot only: a marker file records that the instance has booted."""
        for inst in self.spec.instances.values():
            if inst.netns in self.failed:
                continue
            self.step(inst.instance_id, "user data", self._boot, inst)

    def _boot(self, inst: InstanceSpec) -> list[str]:
        root = self.driver.instance_dir(inst.instance_id)
        marker = root / "booted"
        if marker.exists():
            return []
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
        if not inst.user_data:
            return [f"instance {inst.instance_id}: booted"]
        script = root / "user-data"
        script.write_text(inst.user_data)
        script.chmod(0o700)
        runner = [str(script)] if inst.user_data.startswith("#!") else ["/bin/sh", str(script)]
        self.driver.procs.start(
            f"userdata-{inst.instance_id}",
            ["ip", "netns", "exec", inst.netns, *runner],
            root / "user-data.log",
        )
        return [f"instance {inst.instance_id}: booted, user data started"]


@functools.lru_cache(maxsize=256)
def _sysctls_digest(sysctls: tuple[tuple[str, str], ...]) -> str:
    """Few sets of sysctls exist (one per kind of namespace); every pass asks for each
    namespace's."""
    return memory.digest(sysctls)


def _links(ns: NamespaceSpec, deltas: dict[str, Delta]) -> tuple[LinkSpec, ...]:
    """The links a pass converges in `ns`: its delta's new ones, or all of them."""
    delta = deltas.get(ns.name)
    return ns.links if delta is None else delta.added


def _write_resolv(name: str, content: str) -> list[str]:
    path = netns.ETC_DIR / name / "resolv.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    return [f"write {path}"] if write_if_changed(path, content) else []


def raise_conntrack_max(value: int) -> None:
    path = Path("/proc/sys/net/netfilter/nf_conntrack_max")
    try:
        if int(path.read_text()) < value:
            path.write_text(str(value))
    except OSError as exc:
        log.warning("cannot raise nf_conntrack_max: %s", exc)


__all__ = ["LinuxDriver"]


def _is_permanent(exc: Exception) -> bool:
    """Failures retrying cannot fix: injected ones, and a tool that rejected its input
    (nft or ip refusing a ruleset or address is a plan the kernel will never take).
    Exhausted resources (EMFILE, ENOMEM), races and timeouts are temporary."""
    if isinstance(exc, PermanentFailure):
        return True
    if isinstance(exc, subprocess.CalledProcessError):
        output = exc.stderr if isinstance(exc.stderr, str) else (exc.stderr or b"").decode()
        return "Error:" in output and "Resource busy" not in output
    return False
