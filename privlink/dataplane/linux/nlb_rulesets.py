"""The NLB namespace's ruleset (part of rulesets.py's family): DNAT to the targets, SNAT
to the nodes, and the endpoints' ENIs that live here. Pure: no I/O.

What comes and goes with endpoints (their links, marks, zones, addresses, security-group
verdicts, inactive ENIs) is held in named sets and maps declared one to a
line (nft_members.members), so an endpoint joining or leaving changes members, not the
table's shape: nft.apply then adds and deletes those members in place instead of
rewriting a table that holds every ENI behind the NLB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from privlink.dataplane.linux.nft_members import members
from privlink.dataplane.linux.rulesets import (
    dropping,
    nat_chains,
    set_literal,
    sg_rule,
    table_body,
)
from privlink.dataplane.plan import SgRule, Target


@dataclass(frozen=True)
class NlbZone:
    """What arrives at the NLB in one AZ: at its node address, and on the ENIs of the
    endpoints in that AZ (their links and marks). All of it leaves SNATed to the node."""

    node_ip: str
    eni_links: tuple[str, ...] = ()
    eni_marks: tuple[int, ...] = ()


@dataclass(frozen=True)
class NlbForward:
    protocol: str
    port: int
    zone: NlbZone
    targets: tuple[Target, ...]  # the candidates for this AZ, already health-filtered


@dataclass(frozen=True)
class Eni:
    """An endpoint's ENI in its NLB's namespace: its link, address, conntrack zone (its
    slot, names.eni_slots) and mark (ENI_MARK | slot)."""

    link: str
    ip: str
    zone: int
    mark: int


@dataclass(frozen=True)
class NlbEndpoint:
    """An endpoint of the NLB: its ENIs, security groups, and whether it carries traffic
    (inactive: TCP to its ENIs is reset, nothing else is answered)."""

    endpoint_id: str
    enis: tuple[Eni, ...]
    ingress: tuple[SgRule, ...]
    active: bool
    # Its security groups' rules as nft statements, and the chain of those: rendered
    # once per endpoint, not once per use in every build of the namespace.
    inbound: tuple[str, ...] = field(init=False, repr=False, compare=False)
    chain: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rules = (sg_rule(rule, "saddr", before_dnat=True) for rule in self.ingress)
        inbound = tuple(r for r in rules if r)
        object.__setattr__(self, "inbound", inbound)
        object.__setattr__(self, "chain", f"sg_{_digest(inbound)}")


# Packet marks in an NLB's namespace: to the provider's side (main table), to this
# namespace (local table), and to an ENI (ENI_MARK | its slot: its table).
PROVIDER_MARK = 0x10
LOCAL_MARK = 0x20
ENI_MARK = 0x10000


def _dnat(targets: Sequence[Target]) -> str:
    if len(targets) == 1:
        return f"dnat ip to {targets[0].ip}:{targets[0].port}"
    entries = ", ".join(f"{i} : {t.ip} . {t.port}" for i, t in enumerate(targets))
    return f"dnat ip to numgen inc mod {len(targets)} map {{ {entries} }}"


def nlb(
    zones: Sequence[NlbZone],
    forwards: Sequence[NlbForward],
    local_ports: Sequence[int] = (),
    endpoints: Sequence[NlbEndpoint] = (),
) -> str:
    """The NLB namespace: per listener and AZ, DNAT what arrives at the node or on the
    AZ's ENIs to the AZ's candidate targets (round robin), SNAT to the AZ's node address.
    Nothing may start from the provider side toward the ENIs: only DNATed flows are
    forwarded.

    The SNAT keeps the client's source port whenever it is free (no `random`): then a new
    flow only reuses a (node, port) tuple that the same client used before, so its TCP
    timestamps are newer and the target's TIME_WAIT accepts the SYN. Random ports made
    targets reject reused tuples by PAWS and cost 70-90 % of the connection rate when
    measured (bench/dataplane/bench.py, the research README's gotcha 1).

    `local_ports` (TLS listeners) are not DNATed: the namespace's HAProxy accepts them.
    The endpoints' ENIs live here too (topology.py says why): `_eni_chains`."""
    enis = [e for ep in endpoints for e in ep.enis]
    live = [f for f in forwards if f.targets]
    az = {zone: n for n, zone in enumerate(zones)}  # an AZ's ENIs: sets eni_links_N, eni_marks_N
    # ENIs first, and nothing else for them: an ENI's address may equal a node's.
    dnat = [
        f"  iifname @eni_links_{az[f.zone]} {f.protocol} dport {f.port} {_dnat(f.targets)}"
        for f in live
        if f.zone.eni_links
    ]
    dnat += ["  iifname @eni_links accept"] if enis else []
    dnat += [
        f"  ip daddr {f.zone.node_ip} {f.protocol} dport {f.port} {_dnat(f.targets)}" for f in live
    ]
    snat = [
        f"  ct status dnat ct mark @eni_marks_{n} snat ip to {z.node_ip}"
        for z, n in az.items()
        if z.eni_marks
    ]
    snat += [
        f"  ct status dnat ct original ip daddr {z.node_ip} snat ip to {z.node_ip}" for z in zones
    ]
    body = [
        *_zone_members(zones),
        *(_eni_members(endpoints) if enis else []),
        *(_eni_chains(endpoints) if enis else _forward_policy()),
        *nat_chains(dnat, snat),
        *_nlb_input(bool(enis), local_ports),
    ]
    return table_body("nlb", body)


def _zone_members(zones: Sequence[NlbZone]) -> list[str]:
    """Each AZ's ENIs (eni_links_N) and their marks (eni_marks_N), N its index."""
    found = []
    for n, zone in enumerate(zones):
        if zone.eni_links:
            found += [
                members("set", f"eni_links_{n}", "type ifname", (f'"{k}"' for k in zone.eni_links)),
                members("set", f"eni_marks_{n}", "type mark", map(str, zone.eni_marks)),
            ]
    return found


def _eni_members(endpoints: Sequence[NlbEndpoint]) -> list[str]:
    """The named sets and maps of the endpoints' ENIs (see the module's docstring)."""
    enis = [e for ep in endpoints for e in ep.enis]
    verdicts = [
        f'"{e.link}" : ' + (f"jump {ep.chain}" if ep.active else "continue")
        for ep in endpoints
        for e in ep.enis
    ]
    found = [
        members("set", "eni_links", "type ifname", (f'"{e.link}"' for e in enis)),
        members("set", "eni_ips", "type ipv4_addr", (e.ip for e in enis)),
        members(
            "set", "eni_own", "typeof iifname . ip daddr", (f'"{e.link}" . {e.ip}' for e in enis)
        ),
        members(
            "map", "eni_zone", "typeof iifname : ct zone", (f'"{e.link}" : {e.zone}' for e in enis)
        ),
        members(
            "map", "eni_mark", "typeof iifname : ct mark", (f'"{e.link}" : {e.mark}' for e in enis)
        ),
        members("map", "eni_sg", "type ifname : verdict", verdicts),
        members(
            "set",
            "eni_inactive",
            "type ifname",
            (f'"{e.link}"' for ep in endpoints if not ep.active for e in ep.enis),
        ),
    ]
    return found


def _sg_chains(endpoints: Sequence[NlbEndpoint]) -> dict[tuple[str, ...], str]:
    """Active endpoints' security-group rules -> their chain: endpoints with the same
    rules share one."""
    return {ep.inbound: ep.chain for ep in endpoints if ep.active}


def _forward_policy() -> list[str]:
    """An NLB without endpoints forwards only what was DNATed (or answers it). With
    endpoints, `eni_in` decides the same before routing, and the forward hook has no
    chain of ours: one base chain a forwarded packet fewer."""
    return [
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "  ct state established,related accept",
        "  ct status dnat accept",
        "}",
    ]


def _nlb_input(enis: bool, local_ports: Sequence[int]) -> list[str]:
    """What the NLB's namespace accepts itself: its TLS listeners' ports; inactive ENIs
    reset TCP, and so does everything else."""
    rules = [
        # An ENI's mark on what it delivers here: accepted sockets and resets take it.
        *(["  iifname @eni_links meta mark set ct mark"] if enis else []),
        "  ct state established,related accept",
        '  iifname "lo" accept',
    ]
    if enis:
        rules += [
            "  iifname @eni_inactive meta l4proto tcp reject with tcp reset",
            "  iifname @eni_inactive drop",
        ]
    if local_ports:
        rules.append(f"  tcp dport {set_literal(str(p) for p in local_ports)} accept")
    return [
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        *rules,
        "  meta l4proto tcp reject with tcp reset",
        "}",
    ]


def _eni_chains(endpoints: Sequence[NlbEndpoint]) -> list[str]:
    """The endpoints' ENIs in the NLB's namespace: their conntrack zones (`_eni_zones`),
    then one chain after DNAT (`eni_in`) for their security groups and the marks that
    route: one chain a packet, established flows decided in its first rules.

    Only new packets to the ENI's own address get in, if its security groups let them
    (matched on the ports as they arrived: conntrack's original tuple). From the
    provider's side only DNATed flows and what is for this namespace itself get in
    (`provider_new`): nothing starts toward the ENIs, and the forward hook needs no chain
    (`_forward_policy` is its stand-in where no ENI is). Routing is by
    mark (topology.py's rules): DNATed packets to the provider's side, the rest of what
    an ENI sends to this namespace, and replies to an ENI's flows by the ENI's mark to its
    own table. This namespace's own processes (health checks, proxies, HAProxy) only ever
    talk to the provider's side: what they send to an address an ENI also holds is marked
    for it (rerouted), the rest finds its way without a mark.
    """
    chains = [
        *_eni_zones(),
        "chain eni_in {",
        "  type filter hook prerouting priority dstnat + 10; policy accept;",
        "  ct direction reply meta mark set ct mark accept",
        f"  ct state established,related ct status dnat meta mark set {PROVIDER_MARK} accept",
        f"  ct state established,related iifname @eni_links meta mark set {LOCAL_MARK} accept",
        "  ct state established,related accept",
        "  iifname != @eni_links goto provider_new",
        "  iifname . ct original ip daddr != @eni_own goto dropped",
        "  ct state invalid goto dropped",
        "  iifname vmap @eni_sg",
        "  ct mark set iifname map @eni_mark",
        f"  ct status dnat meta mark set {PROVIDER_MARK} accept",
        f"  meta mark set {LOCAL_MARK}",
        "}",
        "chain provider_new {",
        f"  ct state new ct status dnat ct mark 0 ct mark set {PROVIDER_MARK}",
        f"  ct status dnat meta mark set {PROVIDER_MARK} accept",
        "  fib daddr type != local drop",
        "}",
        *dropping(),
    ]
    for rules, name in sorted(_sg_chains(endpoints).items(), key=lambda item: item[1]):
        chains += [f"chain {name} {{", *(f"  {r} return" for r in rules), "  goto dropped", "}"]
    chains += [
        "chain own_out {",
        "  type route hook output priority mangle; policy accept;",
        f"  meta mark 0 ip daddr @eni_ips meta mark set {PROVIDER_MARK}",
        "}",
    ]
    return chains


def _eni_zones() -> list[str]:
    """Each ENI's flows get a conntrack zone of their own in the original direction (two
    consumers in overlapping VPCs may send equal tuples to equal ENI addresses); replies
    all come back on the provider side and are found by the NAT that rewrote them. (A
    PROXY v2 header names the client's port as it arrived on the ENI, before any NAT:
    proxy_header.bpf.c.)"""
    return [
        "chain eni_raw {",
        "  type filter hook prerouting priority raw; policy accept;",
        "  ct original zone set iifname map @eni_zone",
        "}",
    ]


def _digest(rules: tuple[str, ...]) -> str:
    """A chain name's tail for a set of rules (equal rules, equal name)."""
    return hashlib.sha256("\n".join(rules).encode()).hexdigest()[:16]
