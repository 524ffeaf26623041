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

TABLE = "observe"  # `table inet observe` in every watched namespace
SET_TIMEOUT = 600  # seconds an idle 5-tuple keeps its counters
SET_SIZE = 65536
_TUPLE = "ip saddr . ip daddr . meta l4proto . th sport . th dport"
# The same as the packet arrived, for a chain after DNAT (conntrack's original tuple).
_ARRIVED = (
    "ct original ip saddr . ct original ip daddr . meta l4proto"
    " . ct original proto-src . ct original proto-dst"
)
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
_FLOW_HOOKS = {  # kind -> (in hook, before, after, out hook, before, after)
    "instance": ("input", -1, 1, "output", -1, 1),
    # An NLB's security groups run after DNAT (nlb_rulesets.eni_in, dstnat + 10): 'ok'
    # after them, keyed by the tuple as it arrived (the destination is the ENI's).
    "endpoint": ("prerouting", -120, -85, "postrouting", None, 200),
}
# An endpoint's per-ENI counters are kept behind the namespace's own filters (priority
# 0): the packets they let through, on the one hook each meets wherever it goes (forwarded
# to or from the provider's side, or delivered to and sent by the namespace's proxies), so
# a forwarded packet costs one chain. What the security groups drop, the `plk` table
# counts where it drops it (rulesets.DROPPED).
_METERED = 10
_METER_CHAINS = {  # base chain -> its hook and the port maps it looks packets up in
    "m_forward": ("forward", ("rx", "tx")),
    "m_input": ("input", ("rx",)),
    "m_output": ("output", ("tx",)),
}
_METER_RULES = {  # a port's chain -> what it counts ({t}: the port's tag)
    "rx": ("counter name {t}_ok", "ct state new counter name {t}_new"),
    "tx": ("counter name {t}_out", "tcp flags & rst == rst ct status dnat counter name {t}_rst"),
}
_METERS = ("ok", "new", "out", "rst")  # an endpoint's per-ENI counters


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


def _update(name: str, key: str) -> str:
    return f"  meta l4proto {{ tcp, udp }} update @{name} {{ {key} }}"


# A flow-log chain of the table -> the flow set a logged port fills in it. Each chain
# picks the port's own chain from a map by link: one lookup a packet however many ports
# the namespace holds (an NLB's holds every endpoint's ENIs), and a port that comes or
# goes is a few elements, not a new table (update_script).
_FLOW_SETS = {
    "in_first": "in_seen",
    "in_last": "in_ok",
    "out_first": "out_seen",
    "out_last": "out_ok",
}


def _flow_chains(watch: Watch) -> list[tuple[str, str, int]]:
    """(chain, hook, priority) of the table's flow-log base chains: none unless a flow
    log names one of the watch's ports."""
    if not any(p.logged for p in watch.ports):
        return []
    in_hook, in_first, in_last, out_hook, out_first, out_last = _FLOW_HOOKS[watch.kind]
    found = [
        ("in_first", in_hook, in_first),
        ("in_last", in_hook, in_last),
        ("out_first", out_hook, out_first),
        ("out_last", out_hook, out_last),
    ]
    return [(chain, hook, priority) for chain, hook, priority in found if priority is not None]


def _port_objects(watch: Watch, port: Port, kept: Kept) -> list[str]:
    """A port's flow sets and the chains that fill them (when a flow log names it), and
    an endpoint's counters for it and the chains that count them."""
    objects: list[str] = []
    if port.logged:
        for chain, _, _ in _flow_chains(watch):
            name = f"{port.tag}_{_FLOW_SETS[chain]}"
            key = _ARRIVED if (watch.kind, chain) == ("endpoint", "in_last") else _TUPLE
            objects += [_set(name, kept), f"chain {port.tag}_{chain} {{", _update(name, key), "}"]
    if watch.kind == "endpoint":
        objects += [_counter(f"{port.tag}_{c}", kept) for c in _METERS]
        for side, rules in _METER_RULES.items():
            counted = [f"  {r.format(t=port.tag)}" for r in rules]
            objects += [f"chain {port.tag}_{side} {{", *counted, "}"]
    return objects


def _port_elements(watch: Watch, port: Port) -> list[tuple[str, str, str]]:
    """(map, key, value) of a port in the table's maps."""
    key = f'"{port.link}"'
    found: list[tuple[str, str, str]] = []
    if port.logged:
        found += [(f"{c}_flows", key, f"jump {port.tag}_{c}") for c, _, _ in _flow_chains(watch)]
    if watch.kind == "endpoint":
        found += [(f"{side}_ports", key, f"jump {port.tag}_{side}") for side in _METER_RULES]
    return found


def _base_chains(watch: Watch) -> list[tuple[str, str, int, list[str]]]:
    """(chain, hook, priority, rules) of the table's base chains."""

    def pick(side: str, maps: str) -> str:  # a packet's port by the link it came or goes by
        return f"  {'iifname' if side in ('in', 'rx') else 'oifname'} vmap @{maps}"

    found = [
        (chain, hook, priority, [pick(chain[:2], f"{chain}_flows")])
        for chain, hook, priority in _flow_chains(watch)
    ]
    if watch.kind == "endpoint":
        found += [
            (chain, hook, _METERED, [pick(side, f"{side}_ports") for side in sides])
            for chain, (hook, sides) in _METER_CHAINS.items()
        ]
    return found


def render(watch: Watch, kept: Kept = NOTHING_KEPT) -> str:
    """The body of `table inet observe` for one namespace (with what its predecessor
    counted, when it replaces one)."""
    body = [o for port in watch.ports for o in _port_objects(watch, port, kept)]
    elements: dict[str, list[str]] = {}
    for port in watch.ports:
        for name, key, value in _port_elements(watch, port):
            elements.setdefault(name, []).append(f"{key} : {value}")
    maps = [f"{c}_flows" for c, _, _ in _flow_chains(watch)]
    if watch.kind == "endpoint":
        maps += [f"{side}_ports" for side in _METER_RULES]
    for name in maps:
        listed = elements.get(name)
        inner = f" elements = {{ {', '.join(listed)} }};" if listed else ""
        body.append(f"map {name} {{ type ifname : verdict;{inner} }}")
    for chain, hook, priority, rules in _base_chains(watch):
        head = f"  type filter hook {hook} priority {priority}; policy accept;"
        body += [f"chain {chain} {{", head, *rules, "}"]
    return "\n".join(body)


def update_script(old: Watch, new: Watch) -> str | None:
    """An nft script that turns the table rendered for `old` into the one for `new` by
    adding and deleting the ports that came and went, every other port's counts left
    alone; None when more than ports came and went (the table is then replaced)."""
    before = {p.tag: p for p in old.ports}
    after = {p.tag: p for p in new.ports}
    if (
        (old.netns, old.kind) != (new.netns, new.kind)
        or _flow_chains(old) != _flow_chains(new)
        or any(before[t] != after[t] for t in before.keys() & after.keys())
    ):
        return None
    gone = [before[t] for t in sorted(before.keys() - after.keys())]
    came = [after[t] for t in sorted(after.keys() - before.keys())]
    lines = [
        f"delete element inet {TABLE} {name} {{ {key} }}"
        for port in gone
        for name, key, _ in _port_elements(old, port)
    ]
    for port in gone:
        objects = _port_objects(old, port, NOTHING_KEPT)
        kinds = ("chain", "set", "counter")  # chains use sets and counters: first
        for kind in kinds:
            lines += [
                f"delete {kind} inet {TABLE} {o.split()[1]}"
                for o in objects
                if o.startswith(f"{kind} ")
            ]
    added = [o for port in came for o in _port_objects(new, port, NOTHING_KEPT)]
    if added:
        lines += [f"table inet {TABLE} {{", *added, "}"]
    lines += [
        f"add element inet {TABLE} {name} {{ {key} : {value} }}"
        for port in came
        for name, key, value in _port_elements(new, port)
    ]
    return "\n".join(lines)


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


def drops(listing: dict[str, Any]) -> dict[str, int]:
    """`nft -j list set inet plk eni_dropped` -> packets dropped per ENI link."""
    found: dict[str, int] = {}
    for item in listing.get("nftables", []):
        for raw in item.get("set", {}).get("elem", []):
            elem = raw.get("elem") if isinstance(raw, dict) else None
            if isinstance(elem, dict) and "counter" in elem:
                found[str(elem["val"])] = int(elem["counter"]["packets"])
    return found


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
