"""nftables rulesets as text, one table (`inet plk`) per namespace. Pure: no I/O.

Every ruleset is a whole table; the driver swaps it atomically in one `nft -f -`
transaction, so a namespace never runs half a ruleset. Security groups are stateful
(`ct state established,related accept` first), like AWS's.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from privlink.dataplane.plan import SgRule, Target


def _set(items: Iterable[str]) -> str:
    values = sorted(set(items))
    if not values:
        raise ValueError("nftables has no empty anonymous set: callers must handle 'none'")
    return values[0] if len(values) == 1 else "{ " + ", ".join(values) + " }"


def _quoted(names: Iterable[str]) -> str:
    return _set(f'"{n}"' for n in names)


def _cidrs(cidrs: Sequence[str]) -> str | None:
    """An address match value, or None for "anywhere"."""
    return _cidrs_of(tuple(cidrs))


@functools.lru_cache(maxsize=8192)
def _cidrs_of(cidrs: tuple[str, ...]) -> str | None:
    """Cached: the same groups' addresses recur in every endpoint's and instance's
    ruleset, and parsing them was a quarter of rendering a plan at 500 endpoints."""
    nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    v4 = [n for n in nets if n.version == 4]
    if any(n.prefixlen == 0 for n in v4):
        return None
    merged = [
        str(n) if n.prefixlen < 32 else str(n.network_address)
        for n in ipaddress.collapse_addresses(v4)
    ]  # type: ignore[type-var]
    return _set(merged) if merged else "{ }"


def sg_rule(rule: SgRule, direction: str) -> str | None:
    """One nft rule (without verdict) for an SG permission; None when it matches nothing
    (an IPv6-only rule, say). `direction` is "saddr" (ingress) or "daddr" (egress)."""
    parts: list[str] = []
    peers = _cidrs(rule.cidrs)
    if peers == "{ }":
        return None
    if peers is not None:
        parts.append(f"ip {direction} {peers}")
    if rule.protocol in ("tcp", "udp"):
        lo, hi = rule.from_port, rule.to_port
        if lo == -1 or (lo <= 0 and hi >= 65535):
            parts.append(f"meta l4proto {rule.protocol}")
        elif lo == hi:
            parts.append(f"{rule.protocol} dport {lo}")
        else:
            parts.append(f"{rule.protocol} dport {lo}-{hi}")
    elif rule.protocol == "icmp":
        if rule.from_port == -1:
            parts.append("meta l4proto icmp")
        else:
            parts.append(f"icmp type {rule.from_port}")
            if rule.to_port != -1:
                parts.append(f"icmp code {rule.to_port}")
    return " ".join(parts) if parts else "meta nfproto ipv4"


def _nat_chains(dnat: list[str], snat: list[str]) -> list[str]:
    """The DNAT (prerouting) and SNAT (postrouting) chains both NAT stages use."""
    return [
        "chain nat_pre {",
        "  type nat hook prerouting priority dstnat; policy accept;",
        *dnat,
        "}",
        "chain nat_post {",
        "  type nat hook postrouting priority srcnat; policy accept;",
        *snat,
        "}",
    ]


def _table(label: str, body: list[str]) -> str:
    """A table body; the label is an nft comment line (the table comment holds a digest)."""
    return "\n".join([f"# {label}", *body])


def instance(ingress: Sequence[SgRule], egress: Sequence[SgRule], resolvers: Sequence[str]) -> str:
    """An instance's security groups. DNS to the VPC resolver is never filtered (AWS)."""
    inbound = [r for r in (sg_rule(rule, "saddr") for rule in ingress) if r]
    outbound = [r for r in (sg_rule(rule, "daddr") for rule in egress) if r]
    body = [
        "chain sg_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        "  ct state invalid drop",
        '  iifname "lo" accept',
        *(f"  {r} accept" for r in inbound),
        "}",
        "chain sg_out {",
        "  type filter hook output priority filter; policy drop;",
        "  ct state established,related accept",
        '  oifname "lo" accept',
        f"  ip daddr {_set(resolvers)} meta l4proto {{ tcp, udp }} th dport 53 accept",
        *(f"  {r} accept" for r in outbound),
        "}",
    ]
    return _table("instance", body)


def endpoint(
    links: Sequence[str],
    ips: Sequence[str],
    ingress: Sequence[SgRule],
    *,
    active: bool,
    proxy_ports: Sequence[int],
) -> str:
    """The namespace of an endpoint to a service privlink implements: its security
    groups on the ENIs `links` (addresses `ips`), and the proxy's ports on them. Nothing
    is forwarded. Inactive: TCP is answered with a reset."""
    if not links:  # nothing to receive on: a table that only drops
        return _table("endpoint without interfaces", _forward_nothing())
    eni_links = _quoted(links)
    if not active:
        body = [
            "chain filter_in {",
            "  type filter hook input priority filter; policy drop;",
            f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
            "}",
            *_forward_nothing(),
        ]
        return _table("endpoint inactive", body)
    inbound = [r for r in (sg_rule(rule, "saddr") for rule in ingress) if r]
    eni_ips = _set(ips)
    body = [
        "chain sg_pre {",
        "  type filter hook prerouting priority -110; policy accept;",
        f"  iifname != {eni_links} accept",
        "  ct state established,related accept",
        "  ct state invalid drop",
        *(f"  ip daddr {eni_ips} {r} accept" for r in inbound),
        "  drop",
        "}",
        *_forward_nothing(),
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        '  iifname "lo" accept',
        f"  iifname {eni_links} ip daddr {eni_ips} tcp dport {_set(map(str, proxy_ports))} accept",
        f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
        "}",
    ]
    return _table("endpoint", body)


def _forward_nothing() -> list[str]:
    return [
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "}",
    ]


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
    proxied: bool = False  # PROXY v2: the ENIs' proxies serve it (the node's is DNATed)


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
    proxy_ports: tuple[int, ...] = ()  # PROXY v2 listeners: the proxy accepts these


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
    # ENIs first, and nothing else for them: an ENI's address may equal a node's.
    dnat = [
        f"  iifname {_quoted(f.zone.eni_links)} {f.protocol} dport {f.port} {_dnat(f.targets)}"
        for f in live
        if f.zone.eni_links and not f.proxied
    ]
    dnat += [f"  iifname {_quoted(e.link for e in enis)} accept"] if enis else []
    dnat += [
        f"  ip daddr {f.zone.node_ip} {f.protocol} dport {f.port} {_dnat(f.targets)}" for f in live
    ]
    snat = [
        f"  ct status dnat ct mark {_set(map(str, z.eni_marks))} snat ip to {z.node_ip}"
        for z in zones
        if z.eni_marks
    ]
    snat += [
        f"  ct status dnat ct original ip daddr {z.node_ip} snat ip to {z.node_ip}" for z in zones
    ]
    body = [
        *(_eni_chains(endpoints) if enis else []),
        *_nat_chains(dnat, snat),
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "  ct state established,related accept",
        "  ct status dnat accept",
        "}",
        *_nlb_input(endpoints, local_ports),
    ]
    return _table("nlb", body)


def _nlb_input(endpoints: Sequence[NlbEndpoint], local_ports: Sequence[int]) -> list[str]:
    """What the NLB's namespace accepts itself: its TLS listeners' ports, the PROXY v2
    ports of its active ENIs; inactive ENIs reset TCP, and so does everything else."""
    enis = [e.link for ep in endpoints for e in ep.enis]
    inactive = [e.link for ep in endpoints if not ep.active for e in ep.enis]
    proxied = [
        f'"{e.link}" . {port}'
        for ep in endpoints
        if ep.active
        for e in ep.enis
        for port in ep.proxy_ports
    ]
    rules = [
        # An ENI's mark on what it delivers here: accepted sockets and resets take it.
        *([f"  iifname {_quoted(enis)} meta mark set ct mark"] if enis else []),
        "  ct state established,related accept",
        '  iifname "lo" accept',
    ]
    if inactive:
        rules.append(f"  iifname {_quoted(inactive)} meta l4proto tcp reject with tcp reset")
        rules.append(f"  iifname {_quoted(inactive)} drop")
    if proxied:
        rules.append(f"  iifname . tcp dport {{ {', '.join(sorted(set(proxied)))} }} accept")
    if local_ports:
        rules.append(f"  tcp dport {_set(str(p) for p in local_ports)} accept")
    return [
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        *rules,
        "  meta l4proto tcp reject with tcp reset",
        "}",
    ]


def _eni_chains(endpoints: Sequence[NlbEndpoint]) -> list[str]:
    """The endpoints' ENIs in the NLB's namespace: their conntrack zones (`_eni_zones`),
    then each ENI's security groups; only packets to the ENI's own address get in.
    Routing is by mark (topology.py's rules): DNATed packets to the provider's side, the
    rest of what an ENI sends to this namespace, and replies to an ENI's flows by the
    ENI's mark to its own table. This namespace's own
    processes (health checks, proxies, HAProxy) only ever talk to the provider's side:
    what they send to an address an ENI also holds is marked for it (rerouted), the rest
    finds its way without a mark.
    """
    enis = [e for ep in endpoints for e in ep.enis]
    links = _quoted(e.link for e in enis)
    marks = ", ".join(f'"{e.link}" : {e.mark}' for e in enis)
    own = ", ".join(f'"{e.link}" . {e.ip}' for e in enis)
    # Endpoints with the same rules share a chain: one per distinct set of rules.
    inbound = {
        ep.endpoint_id: tuple(r for r in (sg_rule(rule, "saddr") for rule in ep.ingress) if r)
        for ep in endpoints
        if ep.active
    }
    chain_of = {rules: f"sg_{_digest(rules)}" for rules in inbound.values()}
    groups = ", ".join(
        f'"{e.link}" : ' + (f"jump {chain_of[inbound[ep.endpoint_id]]}" if ep.active else "accept")
        for ep in endpoints
        for e in ep.enis
    )
    chains = [
        *_eni_zones(endpoints),
        "chain eni_sg {",
        "  type filter hook prerouting priority -110; policy accept;",
        f"  iifname != {links} accept",
        f"  iifname . ip daddr != {{ {own} }} drop",
        "  ct state established,related accept",
        "  ct state invalid drop",
        f"  iifname vmap {{ {groups} }}",
        "}",
    ]
    for rules, name in sorted(chain_of.items(), key=lambda item: item[1]):
        chains += [f"chain {name} {{", *(f"  {r} accept" for r in rules), "  drop", "}"]
    chains += [
        "chain eni_mark {",
        "  type filter hook prerouting priority dstnat + 10; policy accept;",
        f"  ct state new ct mark set iifname map {{ {marks} }}",
        f"  ct state new ct status dnat ct mark 0 ct mark set {PROVIDER_MARK}",
        "  ct direction reply meta mark set ct mark accept",
        f"  ct status dnat meta mark set {PROVIDER_MARK} accept",
        f"  iifname {links} meta mark set {LOCAL_MARK}",
        "}",
        "chain own_out {",
        "  type route hook output priority mangle; policy accept;",
        f"  meta mark 0 ip daddr {_set(e.ip for e in enis)} meta mark set {PROVIDER_MARK}",
        "}",
    ]
    return chains


def _eni_zones(endpoints: Sequence[NlbEndpoint]) -> list[str]:
    """Each ENI's flows get a conntrack zone of their own in the original direction (two
    consumers in overlapping VPCs may send equal tuples to equal ENI addresses); replies
    all come back on the provider side and are found by the NAT that rewrote them. Flows
    to a PROXY v2 listener end here, at a socket bound to the ENI, so their zone holds
    both ways: the socket's packets carry the ENI's mark (tcp_fwmark_accept) and find
    their zone by it. With the original direction alone, a second flow's reply tuple
    would equal the first's in the default zone and conntrack would give it another
    source port: the one its PROXY header would name."""
    enis = [e for ep in endpoints for e in ep.enis]
    zones = ", ".join(f'"{e.link}" : {e.zone}' for e in enis)
    proxied = [
        (e, port) for ep in endpoints if ep.active for e in ep.enis for port in ep.proxy_ports
    ]
    if not proxied:
        return [
            "chain eni_raw {",
            "  type filter hook prerouting priority raw; policy accept;",
            f"  ct original zone set iifname map {{ {zones} }}",
            "}",
        ]
    arriving = ", ".join(sorted({f'"{e.link}" . {port}' for e, port in proxied}))
    leaving = ", ".join(sorted({f"{e.mark} . {port}" for e, port in proxied}))
    zone_of_mark = ", ".join(f"{e.mark} : {e.zone}" for e in enis)
    return [
        "chain eni_raw {",
        "  type filter hook prerouting priority raw; policy accept;",
        f"  iifname . tcp dport {{ {arriving} }} ct zone set iifname map {{ {zones} }} accept",
        f"  ct original zone set iifname map {{ {zones} }}",
        "}",
        "chain eni_raw_out {",
        "  type filter hook output priority raw; policy accept;",
        f"  meta mark . tcp sport {{ {leaving} }} ct zone set meta mark map {{ {zone_of_mark} }}",
        "}",
    ]


def _digest(rules: tuple[str, ...]) -> str:
    """A chain name's tail for a set of rules (equal rules, equal name)."""
    return hashlib.sha256("\n".join(rules).encode()).hexdigest()[:16]


def gateway_chain(fronts: Sequence[str], sources: Sequence[str], port: int) -> list[str]:
    """The router's input filter for its gateway endpoints' front addresses."""
    return [
        "chain gateway_in {",
        "  type filter hook input priority filter; policy accept;",
        f"  ip daddr {_set(fronts)} ip saddr {_set(sources)} tcp dport {port} accept",
        f"  ip daddr {_set(fronts)} reject with icmp type net-unreachable",
        "}",
    ]


def gateway(fronts: Sequence[str], sources: Sequence[str], port: int) -> str:
    """The VPC router with a gateway endpoint: its relay on the service's front addresses
    takes `port` from the routed subnets only. Everything else sent to those addresses is
    refused as if there were no route (ICMP net unreachable, what the router says for any
    destination it has no route to); all other traffic is the router's as before."""
    return _table("vpc router: gateway endpoints", gateway_chain(fronts, sources, port))


def nat_gateway(link: str, address: str) -> str:
    """A NAT gateway: forwards what the VPC sends it out again with its own address as the
    source, and answers nothing started from outside (replies only)."""
    body = [
        *_nat_chains([], [f'  oifname "{link}" ip saddr != {address} snat ip to {address}']),
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "  ct state established,related accept",
        f"  ct state new ip saddr != {address} ip daddr != {address} accept",
        "}",
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        '  iifname "lo" accept',
        "  meta l4proto icmp accept",
        "}",
    ]
    return _table("nat gateway", body)


def zone_down(ruleset: str, links: Sequence[str], *, outbound: bool = False) -> str:
    """`ruleset` plus a zonal outage on `links` (the interfaces living in a failed zone):
    whatever arrives on them is dropped before conntrack sees it, so clients time out
    as during an AWS zonal outage (no reset, no ICMP); open flows hang too. `outbound`
    also silences what is sent out of them (an instance: nothing leaves it). Egress is
    otherwise kept: a namespace's default route may leave through such a link, and the
    zones it reaches are alive."""
    if not links:
        return ruleset
    chains = [
        "chain zone_down_in {",
        "  type filter hook prerouting priority -300; policy accept;",
        f"  iifname {_quoted(links)} drop",
        "}",
    ]
    if outbound:
        chains += [
            "chain zone_down_out {",
            "  type filter hook output priority -300; policy accept;",
            f"  oifname {_quoted(links)} drop",
            "}",
        ]
    return "\n".join([ruleset, *chains])


def internet(links: str, computer: str) -> str:
    """plk-inet: what the computer on it sends leaves from its own (public) address, never
    from the address of the link it takes to a VPC."""
    return _table("internet", _nat_chains([], [f"  ip saddr {links} snat ip to {computer}"]))
