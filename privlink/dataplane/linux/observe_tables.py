"""What each namespace counts and the `inet observe` table that counts it, and reading
what the kernel prints back. Pure: no I/O (observe.py installs and reads the tables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from privlink.dataplane import names
from privlink.dataplane.flows import PROTOCOLS
from privlink.dataplane.plan import DataplanePlan

SET_TIMEOUT = 600  # seconds an idle 5-tuple keeps its counters
SET_SIZE = 65536
_TUPLE = "ip saddr . ip daddr . meta l4proto . th sport . th dport"
_TYPE = "ipv4_addr . ipv4_addr . inet_proto . inet_service . inet_service"
_OPEN_STATES = ("ESTABLISHED", "SYN_SENT")
Kind = Literal["instance", "endpoint"]
FlowKey = tuple[str, str, int, int, int]  # src, dst, protocol number, sport, dport


@dataclass(frozen=True)
class Port:
    """One observed interface: its link inside the namespace and what it belongs to."""

    eni_id: str
    link: str
    ip: str
    subnet_id: str
    logged: bool  # a flow log names it (or its subnet or VPC)
    owner: str = ""  # the endpoint it belongs to
    zone: int = 0  # the conntrack zone of its flows (0: the namespace is its endpoint's)

    @property
    def tag(self) -> str:
        """The interface's prefix for nft object names (no '-' in nft identifiers)."""
        return self.eni_id.replace("-", "_")


@dataclass(frozen=True)
class Watch:
    """What one namespace counts: an instance's interface, or endpoints' ENIs (an NLB's
    namespace holds those of all its endpoints)."""

    netns: str
    kind: Kind
    owner: str  # the instance, or the namespace's owner
    ports: tuple[Port, ...]


def watches(plan: DataplanePlan, slots: Mapping[str, int]) -> list[Watch]:
    """The namespaces worth counting in: logged instances, and every active endpoint
    (`slots`: each ENI's in its NLB's namespace, KernelSpec.eni_slots)."""
    logged = set(plan.flow_logged)
    found = [
        Watch(
            names.instance_netns(i.instance_id),
            "instance",
            i.instance_id,
            (Port(i.eni_id, names.INSTANCE_IFNAME, i.ip, i.subnet_id, True),),
        )
        for i in plan.instances
        if i.eni_id and i.eni_id in logged
    ]
    ports: dict[str, list[Port]] = {}
    for e in plan.endpoints:
        if not (e.active and e.enis):
            continue
        netns, zones = names.endpoint_netns(e.endpoint_id), None
        if e.nlb_id is not None:  # its ENIs are in its NLB's namespace (topology.py)
            netns, zones = names.nlb_netns(e.nlb_id), slots
        ports.setdefault(netns, []).extend(
            Port(
                n.eni_id,
                names.eni_link(n.eni_id),
                n.ip,
                n.subnet_id,
                n.eni_id in logged,
                e.endpoint_id,
                zones.get(n.eni_id, 0) if zones is not None else 0,
            )
            for n in e.enis
        )
    found += [Watch(netns, "endpoint", netns, tuple(p)) for netns, p in sorted(ports.items())]
    return found


# -- rendering (pure) --------------------------------------------------------------------
_HOOKS = {  # kind -> (in hook, before, after, out hook, before, after)
    "instance": ("input", -1, 1, "output", -1, 1),
    "endpoint": ("prerouting", -120, -105, "postrouting", None, 200),
}


@dataclass(frozen=True)
class Kept:
    """What the table being replaced had counted (its named counters, its flow sets'
    elements), declared again in its successor: an NLB's table changes whenever one of
    its endpoints comes or goes, and every other endpoint's counts must go on."""

    counters: dict[str, tuple[int, int]] = field(default_factory=dict)
    sets: dict[str, list[Element]] = field(default_factory=dict)


NOTHING_KEPT = Kept()


def _set(name: str, kept: Kept) -> str:
    elements = ", ".join(
        f"{' . '.join(map(str, e.key))} counter packets {e.packets} bytes {e.bytes}"
        for e in kept.sets.get(name, ())
    )
    return (
        f"set {name} {{ type {_TYPE}; flags dynamic,timeout; timeout {SET_TIMEOUT}s; "
        f"size {SET_SIZE}; counter;{f' elements = {{ {elements} }};' if elements else ''} }}"
    )


def _counter(name: str, kept: Kept) -> str:
    packets, nbytes = kept.counters.get(name, (0, 0))
    return f"counter {name} {{ packets {packets} bytes {nbytes} }}"


def _update(name: str) -> str:
    return f"  meta l4proto {{ tcp, udp }} update @{name} {{ {_TUPLE} }}"


def _chain(name: str, hook: str, priority: int, rules: list[str]) -> list[str]:
    head = f"  type filter hook {hook} priority {priority}; policy accept;"
    return [f"chain {name} {{", head, *rules, "}"]


def _flow_rules(watch: Watch, kept: Kept) -> tuple[list[str], dict[str, list[str]]]:
    """The flow sets, and the rules each chain (in_first ...) adds for logged ports: a
    jump by link to a chain of the port's own, so a packet costs one lookup however many
    ports the namespace holds (an NLB's holds every endpoint's ENIs)."""
    objects: list[str] = []
    rules: dict[str, list[str]] = {"in_first": [], "in_last": [], "out_first": [], "out_last": []}
    both = watch.kind == "instance"  # endpoints filter nothing on the way out
    jumps: dict[str, list[str]] = {chain: [] for chain in rules}
    for port in watch.ports:
        if not port.logged:
            continue
        t = port.tag
        sets = {"in_first": f"{t}_in_seen", "in_last": f"{t}_in_ok", "out_last": f"{t}_out_ok"}
        if both:
            sets["out_first"] = f"{t}_out_seen"
        for chain, name in sets.items():
            objects += [_set(name, kept), f"chain {t}_{chain} {{", _update(name), "}"]
            jumps[chain].append(f'"{port.link}" : jump {t}_{chain}')
    for chain, entries in jumps.items():
        if entries:
            side = "iifname" if chain.startswith("in") else "oifname"
            rules[chain].append(f"  {side} vmap {{ {', '.join(entries)} }}")
    return objects, rules


def _meter_rules(watch: Watch, rules: dict[str, list[str]], kept: Kept) -> list[str]:
    """Per-ENI counters of an endpoint (PrivateLink metrics); returns their declarations.
    Each rule picks the port's counter by its link from a map: one lookup a packet."""
    objects = [
        _counter(f"{p.tag}_{c}", kept)
        for p in watch.ports
        for c in ("seen", "ok", "new", "out", "rst")
    ]

    def by(side: str, counter: str) -> str:
        entries = ", ".join(f'"{p.link}" : "{p.tag}_{counter}"' for p in watch.ports)
        return f"counter name {side} map {{ {entries} }}"

    rules["in_first"].append(f"  {by('iifname', 'seen')}")
    rules["in_last"].append(f"  {by('iifname', 'ok')}")
    rules["in_last"].append(f"  ct state new {by('iifname', 'new')}")
    rules["out_last"].append(f"  {by('oifname', 'out')}")
    rules["out_last"].append(f"  tcp flags & rst == rst ct status dnat {by('oifname', 'rst')}")
    return objects


def render(watch: Watch, kept: Kept = NOTHING_KEPT) -> str:
    """The body of `table inet observe` for one namespace (with what its predecessor
    counted, when it replaces one)."""
    objects, rules = _flow_rules(watch, kept)
    if watch.kind == "endpoint":
        objects += _meter_rules(watch, rules, kept)
    in_hook, in_first, in_last, out_hook, out_first, out_last = _HOOKS[watch.kind]
    body = list(objects)
    for chain, hook, priority in (
        ("in_first", in_hook, in_first),
        ("in_last", in_hook, in_last),
        ("out_first", out_hook, out_first),
        ("out_last", out_hook, out_last),
    ):
        if rules[chain] and priority is not None:
            body += _chain(chain, hook, priority, rules[chain])
    return "\n".join(body)


# -- reading (pure) ----------------------------------------------------------------------
@dataclass(frozen=True)
class Element:
    key: FlowKey
    packets: int
    bytes: int
    idle: int  # seconds since its last packet


def parse(listing: dict[str, Any]) -> tuple[dict[str, tuple[int, int]], dict[str, list[Element]]]:
    """`nft -j list table inet observe` -> named counters, and each set's elements."""
    counters: dict[str, tuple[int, int]] = {}
    sets: dict[str, list[Element]] = {}
    for item in listing.get("nftables", []):
        if "counter" in item:
            c = item["counter"]
            counters[c["name"]] = (int(c["packets"]), int(c["bytes"]))
        elif "set" in item:
            s = item["set"]
            sets[s["name"]] = [e for e in map(_element, s.get("elem", [])) if e is not None]
    return counters, sets


def _element(raw: Any) -> Element | None:
    elem = raw.get("elem") if isinstance(raw, dict) else None
    if not isinstance(elem, dict) or "counter" not in elem:
        return None
    src, dst, proto, sport, dport = elem["val"]["concat"]
    number = PROTOCOLS.get(proto, proto) if isinstance(proto, str) else int(proto)
    idle = max(0, SET_TIMEOUT - int(elem.get("expires", SET_TIMEOUT)))
    counter = elem["counter"]
    return Element(
        (str(src), str(dst), int(number), int(sport), int(dport)),
        int(counter["packets"]),
        int(counter["bytes"]),
        idle,
    )


def open_connections(conntrack_listing: str, ports: Sequence[Port]) -> dict[str, int]:
    """Per ENI, the TCP connections open now (SYN_SENT or ESTABLISHED) that it received
    (`conntrack -L -p tcp` output): those of its conntrack zone, or, in an endpoint's own
    namespace, those to its address."""
    by_zone = {p.zone: p.eni_id for p in ports if p.zone}
    by_address = {p.ip: p.eni_id for p in ports if not p.zone}
    found = dict.fromkeys((p.eni_id for p in ports), 0)
    for line in conntrack_listing.splitlines():
        parts = line.split()
        if len(parts) < 5 or parts[3] not in _OPEN_STATES:
            continue
        zone = next(
            (int(p.split("=")[1]) for p in parts if p.startswith(("zone=", "zone-orig="))), 0
        )
        dst = next((p[4:] for p in parts if p.startswith("dst=")), "")
        eni = by_zone.get(zone) if zone else by_address.get(dst)
        if eni is not None:
            found[eni] += 1
    return found
