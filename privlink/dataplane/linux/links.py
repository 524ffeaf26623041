"""Links, addresses and routes of one namespace, reconciled over netlink (pyroute2).

Each NamespaceLinks holds an IPRoute socket (changes) and a raw rtnetlink socket (dumps,
rtdump.py) opened *inside* its namespace (see netns.run_in), for one pass, so one driver
thread can manage many namespaces without forking a helper per namespace.
Every method observes first and changes only what differs, returning what it changed.
Observations (link and address dumps) are cached until this handle changes something, or
`invalidate` is called: a router namespace with a port per instance would otherwise be
dumped once per port.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

from privlink.dataplane import names
from privlink.dataplane.linux import netns, rtdump
from privlink.dataplane.linux.spec import LOCAL_TABLE, MAIN_TABLE, LinkSpec, RouteSpec, RuleSpec

IFF_UP = 0x1
RTPROT_KERNEL = 2
RTPROT_STATIC = 4
FR_ACT_GOTO = 2  # a policy rule's action: go on at another priority
RT_SCOPE_UNIVERSE, RT_SCOPE_LINK = 0, 253  # a route via a gateway; onto a link
OUR_RULES = range(1, 32000)  # priorities of our policy rules (0, 32766, 32767: the kernel's)
# BIG TCP: the largest IPv4 packet a veth end builds and aggregates, over the 64 KB
# default. Fewer, larger packets per byte cut what every namespace on a path costs per
# packet (conntrack, NAT, routing): bulk TCP in bench/dataplane/bench.py went from 32 to
# ~80 Gbit/s instance to instance and from 22 to ~60 through an endpoint. 128 KB gained
# nothing here, 256 and 512 KB less than this (the size the kernel's BIG TCP notes use).
SEGMENT_LIMIT = 185_000


@dataclass(frozen=True)
class Observed:
    index: int
    kind: str | None
    master: int | None
    up: bool
    link: int | None  # a veth's peer ifindex (in the peer's namespace)
    segments: int | None = None  # IPv4 GSO limit (None: not observed, or no such limit)
    mac: str | None = None


def _observed(msg: Any) -> tuple[str, Observed]:
    info = msg.get_attr("IFLA_LINKINFO")
    return msg.get_attr("IFLA_IFNAME"), Observed(
        index=msg["index"],
        kind=info.get_attr("IFLA_INFO_KIND") if info else None,
        master=msg.get_attr("IFLA_MASTER"),
        up=bool(msg["flags"] & IFF_UP),
        link=msg.get_attr("IFLA_LINK"),
        mac=msg.get_attr("IFLA_ADDRESS"),
    )


class NamespaceLinks:
    def __init__(self, name: str) -> None:
        self.name = name
        self.ipr, self.raw = netns.run_in(name, lambda: (IPRoute(), rtdump.open_socket()))
        self._links: dict[str, Observed] | None = None
        self._found: dict[str, Observed] = {}  # links looked up one by one (no dump)
        self._addrs: dict[int, set[str]] | None = None
        self._fresh: dict[int, set[str]] = {}  # links this handle created: their addresses
        self.added: list[tuple[str, str]] = []  # (link, address) added since announce()

    def invalidate(self) -> None:
        self._links = None
        self._found = {}
        self._addrs = None

    def close(self) -> None:
        self.ipr.close()
        self.raw.close()

    def __enter__(self) -> NamespaceLinks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- observation ---------------------------------------------------------------------
    def links(self) -> dict[str, Observed]:
        if self._links is None:
            self._links = {
                name: Observed(index, kind, master, bool(flags & IFF_UP), peer, segments, mac)
                for name, index, kind, master, flags, peer, segments, mac in rtdump.links(self.raw)
            }
        return self._links

    def find(self, name: str) -> Observed | None:
        """One link: from the dump when there is one, else looked up by name (a namespace
        with thousands of links is not dumped for the few a delta touches: delta.py)."""
        if self._links is not None:
            return self._links.get(name)
        if name not in self._found:
            try:
                key, value = _observed(self.ipr.link("get", ifname=name)[0])
            except NetlinkError as exc:
                if exc.code != errno.ENODEV:
                    raise
                return None
            self._found[key] = value
        return self._found[name]

    def _refresh_one(self, name: str) -> None:
        """Re-read one link into the cache (cheaper than a dump after creating it)."""
        if self._links is None and name not in self._found:
            return
        msgs = self.ipr.link("get", ifname=name)
        key, value = _observed(msgs[0])
        if self._links is not None:
            self._links[key] = value
        self._found[key] = value

    def addresses(self, index: int) -> set[str]:
        if self._addrs is None and index in self._fresh:
            return set(self._fresh[index])  # created by this handle: what it added since
        if self._addrs is None:
            self._addrs = {}
            for index_, cidr in rtdump.addresses(self.raw):
                self._addrs.setdefault(index_, set()).add(cidr)
        return set(self._addrs.get(index, ()))

    def routes(self) -> set[RouteSpec]:
        """Routes we manage: IPv4, in the main table or a route table's (names.
        ROUTE_TABLE_BASE and up), added by us (proto static): not the kernel's connected
        routes, nor those a program run on the internet computer adds (an OpenVPN client).
        Each names its link (RouteSpec.dev); sync_routes compares it where wanted."""
        found = [
            (dst, gateway, table, oif)
            for dst, gateway, table, protocol, oif in rtdump.routes(self.raw)
            if protocol == RTPROT_STATIC and _ours(table)
        ]
        by_index = {link.index: name for name, link in self.links().items()} if found else {}
        return {
            RouteSpec(dst, gateway, table, by_index.get(oif, "?"))
            for dst, gateway, table, oif in found
        }

    def rules(self, priorities: range = OUR_RULES) -> set[RuleSpec]:
        """Our IPv4 policy rules (priorities in OUR_RULES)."""
        return {RuleSpec(*rule) for rule in rtdump.rules(self.raw) if rule[0] in priorities}

    # -- changes -------------------------------------------------------------------------
    def delete_unwanted(self, wanted: set[str]) -> list[str]:
        changes = []
        for name, link in self.links().items():
            if names.is_ours(name) and name not in wanted:
                self._delete(link.index)
                changes.append(f"{self.name}: link del {name}")
        return changes

    def delete(self, gone: tuple[str, ...]) -> list[str]:
        """Links by name (a delta's): one already gone with its veth peer is fine."""
        changes = []
        for name in gone:
            link = self.find(name)
            if link is not None:
                self._delete(link.index)
                changes.append(f"{self.name}: link del {name}")
        return changes

    def _delete(self, index: int) -> None:
        self.invalidate()
        try:
            self.ipr.link("del", index=index)
        except NetlinkError as exc:
            if exc.code != 19:  # ENODEV: already gone with its veth peer
                raise

    def ensure_bridge(self, spec: LinkSpec) -> list[str]:
        current = self.find(spec.name)
        if current and current.kind == "bridge":
            return []
        if current:
            self._delete(current.index)
        self.ipr.link("add", ifname=spec.name, kind="bridge", br_forward_delay=0)
        self._made(spec.name)
        return [f"{self.name}: bridge add {spec.name}"]

    def ensure_veth(self, spec: LinkSpec, far: NamespaceLinks) -> list[str]:
        """Create the pair from this side unless both ends exist and point at each other."""
        assert spec.peer is not None
        mine = self.find(spec.name)
        theirs = far.find(spec.peer.name)
        if (
            mine
            and theirs
            and mine.kind == "veth"
            and theirs.kind == "veth"
            and mine.link == theirs.index
            and theirs.link == mine.index
        ):
            return []
        if mine:
            self._delete(mine.index)
        theirs = far.find(spec.peer.name)
        if theirs:
            far._delete(theirs.index)
        self.ipr.link(
            "add",
            ifname=spec.name,
            kind="veth",
            peer={"ifname": spec.peer.name, "net_ns_fd": spec.peer.netns},
        )
        made = [(self._made(spec.name), self), (far._made(spec.peer.name), far)]
        for index, end in made:
            end._raise_segment_limit(index)
        return [f"{self.name}: veth add {spec.name} <-> {spec.peer.netns}/{spec.peer.name}"]

    def _made(self, name: str) -> int:
        """A link this handle just created: read once, known to hold no address."""
        key, value = _observed(self.ipr.link("get", ifname=name)[0])
        if self._links is not None:
            self._links[key] = value
        self._found[key] = value
        self._fresh[value.index] = set()
        return value.index

    def configure(self, spec: LinkSpec) -> list[str]:
        """Master, addresses, up: whatever differs from `spec`."""
        link = self.find(spec.name)
        if link is None:
            raise RuntimeError(f"link {spec.name} missing in {self.name}")
        changes = []
        bridge = self.find(spec.master) if spec.master else None
        if spec.master and bridge is None:
            raise RuntimeError(f"link {spec.master} missing in {self.name}")
        master = bridge.index if bridge else None
        if bridge and link.master != master:
            self.ipr.link("set", index=link.index, master=master)
            changes.append(f"{self.name}: {spec.name} master {spec.master}")
            self._raise_segment_limit(bridge.index)  # once it has a port
        if spec.mac and link.mac != spec.mac:
            self.ipr.link("set", index=link.index, address=spec.mac)
            self.added += [(spec.name, a.split("/")[0]) for a in spec.addresses]  # announce
            changes.append(f"{self.name}: {spec.name} address {spec.mac}")
        changes += self.sync_addresses(link.index, spec.name, set(spec.addresses))
        if link.segments not in (None, SEGMENT_LIMIT) and self._raise_segment_limit(link.index):
            changes.append(f"{self.name}: {spec.name} segments up to {SEGMENT_LIMIT} bytes")
        if not link.up:
            self.ipr.link("set", index=link.index, state="up")
            changes.append(f"{self.name}: {spec.name} up")
        if changes:
            self._refresh_one(spec.name)
        return changes

    def _raise_segment_limit(self, index: int) -> bool:
        """SEGMENT_LIMIT on a link; False for a bridge with no port yet (its limit cannot
        exceed its ports': EINVAL), which gets it when its first port joins. A packet
        routed out of a bridge larger than the bridge's limit is cut up in software."""
        try:
            rtdump.set_ipv4_segment_limits(self.raw, index, SEGMENT_LIMIT)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            return False
        return True

    def sync_addresses(self, index: int, label: str, wanted: set[str]) -> list[str]:
        """IPv4 addresses of one link; loopback's 127.0.0.1/8 is never ours to remove."""
        have = self.addresses(index)
        changes = []
        for cidr in sorted(wanted - have):
            iface = ipaddress.ip_interface(cidr)
            self.ipr.addr(
                "add", index=index, address=str(iface.ip), prefixlen=iface.network.prefixlen
            )
            changes.append(f"{self.name}: {label} addr add {cidr}")
            self.added.append((label, str(iface.ip)))
            if self._addrs is not None:
                self._addrs.setdefault(index, set()).add(cidr)
            self._fresh.get(index, set()).add(cidr)
        for cidr in sorted(have - wanted):
            if cidr.startswith("127."):
                continue
            iface = ipaddress.ip_interface(cidr)
            self.ipr.addr(
                "del", index=index, address=str(iface.ip), prefixlen=iface.network.prefixlen
            )
            changes.append(f"{self.name}: {label} addr del {cidr}")
            if self._addrs is not None:
                self._addrs.get(index, set()).discard(cidr)
            self._fresh.get(index, set()).discard(cidr)
        return changes

    def announce(self) -> list[str]:
        """Gratuitous ARP for the addresses added since the last call.

        A neighbour that tried an address before it existed (a client polling a new
        endpoint) holds an INCOMPLETE entry that Linux re-probes only once a second;
        an announcement fills it at once. The kernel sends it: every namespace has
        arp_notify on (spec.ANNOUNCE), which announces a link's addresses when its
        hardware address is set, so each link is given its own address again. (arp_notify
        alone fires when a link comes up, often before its veth peer has carrier, and that
        frame is lost; a packet socket per announcement cost an RCU grace period to close,
        and thousands of those slowed every netlink call of a large apply.) Call it once
        every link of an apply is configured.
        """
        added, self.added = [(ln, ip) for ln, ip in self.added if ln != "lo"], []
        for link in dict.fromkeys(ln for ln, _ in added):
            with contextlib.suppress(NetlinkError):  # best effort: a probe still resolves it
                msg = self.ipr.link("get", ifname=link)[0]
                self.ipr.link("set", index=msg["index"], address=msg.get_attr("IFLA_ADDRESS"))
        return [f"{self.name}: {link} announce {address}" for link, address in added]

    def ensure_loopback(self, addresses: tuple[str, ...]) -> list[str]:
        lo = self.find("lo")
        assert lo is not None  # every namespace has one
        changes = self.sync_addresses(lo.index, "lo", set(addresses))
        if not lo.up:
            self.ipr.link("set", index=lo.index, state="up")
            changes.append(f"{self.name}: lo up")
            self._refresh_one("lo")
        return changes

    def sync_routes(self, wanted: tuple[RouteSpec, ...]) -> list[str]:
        """Routes as wanted; a wanted route without a link (dev) is the same route on any
        link, one with a link only there (an ENI's table may pass to another ENI)."""
        want = set(wanted)
        have = {_as_wanted(r, want) for r in self.routes()}
        return self._del_routes(have - want) + self._add_routes(want - have)

    def change_routes(self, gone: tuple[RouteSpec, ...], new: tuple[RouteSpec, ...]) -> list[str]:
        """A delta's routes (delta.py): one already gone, or already there, is fine."""
        return self._del_routes(gone, quiet=errno.ESRCH) + self._add_routes(new, quiet=errno.EEXIST)

    def _del_routes(self, routes: Iterable[RouteSpec], quiet: int = 0) -> list[str]:
        changes = []
        for r in sorted(routes, key=_route_key):
            with _naming(f"route del {r.dst} via {r.gateway or r.dev} table {r.table}", quiet):
                self.ipr.route(
                    "del",
                    dst=r.dst,
                    gateway=r.gateway or None,
                    table=r.table,
                    scope=RT_SCOPE_UNIVERSE if r.gateway else RT_SCOPE_LINK,
                )
                changes.append(f"{self.name}: route del {r.dst} via {r.gateway} table {r.table}")
        return changes

    def _add_routes(self, routes: Iterable[RouteSpec], quiet: int = 0) -> list[str]:
        """Routes onto a link first: a gateway in a table of its own is reached through them."""
        changes = []
        for r in sorted(routes, key=lambda r: (bool(r.gateway), _route_key(r))):
            where: dict[str, Any] = (
                {"gateway": r.gateway} if r.gateway else {"scope": RT_SCOPE_LINK}
            )
            if r.dev:
                link = self.find(r.dev)
                if link is None:
                    raise RuntimeError(f"link {r.dev} missing in {self.name}")
                where["oif"] = link.index
            with _naming(f"route add {r.dst} via {r.gateway or r.dev} table {r.table}", quiet):
                self.ipr.route("add", dst=r.dst, proto=RTPROT_STATIC, table=r.table, **where)
                changes.append(
                    f"{self.name}: route add {r.dst} via {r.gateway or r.dev} table {r.table}"
                )
        return changes

    def sync_rules(self, wanted: tuple[RuleSpec, ...]) -> list[str]:
        """Policy rules: which table a packet from a subnet (or to one) looks up."""
        want = set(wanted)
        have = self.rules()
        changes = self._del_rules(have - want) + self._add_rules(want - have)
        if any(_moves_local(r) for r in want):  # only now: the local table stays reachable
            for r in self.rules(range(1)):
                if _moves_local(r):
                    self.ipr.rule("del", **_rule_args(r))
                    changes.append(f"{self.name}: rule del {r}")
        return changes

    def change_rules(self, gone: tuple[RuleSpec, ...], new: tuple[RuleSpec, ...]) -> list[str]:
        """A delta's rules (delta.py): one already gone, or already there, is fine."""
        return self._del_rules(gone, quiet=errno.ENOENT) + self._add_rules(new, quiet=errno.EEXIST)

    def _del_rules(self, rules: Iterable[RuleSpec], quiet: int = 0) -> list[str]:
        changes = []
        for r in sorted(rules, key=_rule_key):
            with _naming(f"rule del {r}", quiet):
                self.ipr.rule("del", **_rule_args(r))
                changes.append(f"{self.name}: rule del {r}")
        return changes

    def _add_rules(self, rules: Iterable[RuleSpec], quiet: int = 0) -> list[str]:
        changes = []
        for r in sorted(rules, key=_rule_key):
            with _naming(f"rule add {r}", quiet):
                self.ipr.rule("add", **_rule_args(r))
                changes.append(f"{self.name}: rule add {r}")
        return changes


@contextlib.contextmanager
def _naming(what: str, quiet: int = 0) -> Iterator[None]:
    """A netlink error that says which change it refused (the kernel's says only why);
    one with errno `quiet` is no error (the rest of the block is skipped)."""
    try:
        yield
    except NetlinkError as exc:
        if quiet and exc.code == quiet:
            return
        raise NetlinkError(exc.code, f"{what}: {exc}") from exc


def _as_wanted(route: RouteSpec, want: set[RouteSpec]) -> RouteSpec:
    """A gateway route found on the kernel, compared without its link unless a wanted
    route names that link."""
    if route in want or not route.gateway:
        return route
    return replace(route, dev="")


def _ours(table: int | None) -> bool:
    return table == MAIN_TABLE or (table or 0) >= names.ROUTE_TABLE_BASE


def _route_key(route: RouteSpec) -> tuple[int, str, str]:
    return (route.table, route.dst, route.gateway)


def _rule_key(rule: RuleSpec) -> tuple[int, int, str, str, int, int, int]:
    return (rule.priority, rule.table, rule.src, rule.dst, rule.fwmark, rule.fwmask, rule.goto)


def _moves_local(rule: RuleSpec) -> bool:
    """A rule to the local table matching everything (the kernel's has priority 0)."""
    return rule.table == LOCAL_TABLE and not (rule.src or rule.dst or rule.fwmark or rule.fwmask)


def _rule_args(rule: RuleSpec) -> dict[str, Any]:
    args: dict[str, Any] = {"family": socket.AF_INET, "priority": rule.priority}
    if rule.goto:
        args.update(action=FR_ACT_GOTO, goto=rule.goto)
    else:
        args["table"] = rule.table
    if rule.fwmark or rule.fwmask:
        args["fwmark"] = rule.fwmark
    if rule.fwmask:
        args["fwmask"] = rule.fwmask
    for side in ("src", "dst"):
        cidr = getattr(rule, side)
        if cidr:
            net = ipaddress.IPv4Network(cidr)
            args[side] = str(net.network_address)
            args[f"{side}_len"] = net.prefixlen
    return args
