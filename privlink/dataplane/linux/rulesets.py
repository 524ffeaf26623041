"""nftables rulesets as text, one table (`inet plk`) per namespace. Pure: no I/O.

Every ruleset is a whole table; the driver swaps it atomically in one `nft -f -`
transaction, so a namespace never runs half a ruleset. Security groups are stateful
(`ct state established,related accept` first), like AWS's.
"""

from __future__ import annotations

import functools
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


@dataclass(frozen=True)
class EniPath:
    """One ENI's way to the NLB: its link and address, its transit link and addresses."""

    link: str
    ip: str
    transit_link: str
    transit_local: str  # endpoint side (SNAT source)
    transit_remote: str  # NLB side (DNAT destination); "" when its AZ has no NLB node


def endpoint(
    enis: Sequence[EniPath],
    ingress: Sequence[SgRule],
    *,
    active: bool,
    tcp_ports: Sequence[int],
    udp_ports: Sequence[int],
    proxy_ports: Sequence[int],
) -> str:
    """The endpoint namespace: SG on the ENIs, DNAT to the NLB side of the transit link,
    SNAT to our side of it (so overlapping consumer/provider CIDRs never meet).
    PROXY-v2 ports are not NATed: the userspace proxy listens on the ENI addresses.
    Inactive: nothing is forwarded, TCP is answered with a reset."""
    if not enis:  # nothing to receive on: a table that only drops
        body = [
            "chain filter_fwd {",
            "  type filter hook forward priority filter; policy drop;",
            "}",
        ]
        return _table("endpoint without interfaces", body)
    eni_links = _quoted(e.link for e in enis)
    if not active:
        body = [
            "chain filter_in {",
            "  type filter hook input priority filter; policy drop;",
            f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
            "}",
            "chain filter_fwd {",
            "  type filter hook forward priority filter; policy drop;",
            "}",
        ]
        return _table("endpoint inactive", body)
    dnat, snat = _endpoint_nat(enis, tcp_ports, udp_ports)
    return _table("endpoint", _endpoint_chains(enis, ingress, proxy_ports, dnat, snat))


def _endpoint_nat(
    enis: Sequence[EniPath], tcp_ports: Sequence[int], udp_ports: Sequence[int]
) -> tuple[list[str], list[str]]:
    """DNAT each ENI's listener ports to the NLB side of its transit link, SNAT to ours."""
    dnat: list[str] = []
    snat: list[str] = []
    for eni in enis:
        if not eni.transit_remote:
            continue
        for proto, ports in (("tcp", tcp_ports), ("udp", udp_ports)):
            if ports:
                dnat.append(
                    f"  ip daddr {eni.ip} {proto} dport {_set(map(str, ports))} "
                    f"dnat ip to {eni.transit_remote}"
                )
        snat.append(f'  oifname "{eni.transit_link}" snat ip to {eni.transit_local}')
    return dnat, snat


def _endpoint_chains(
    enis: Sequence[EniPath],
    ingress: Sequence[SgRule],
    proxy_ports: Sequence[int],
    dnat: list[str],
    snat: list[str],
) -> list[str]:
    """An active endpoint: its security groups on the ENIs, NAT, and the proxy's ports."""
    eni_links = _quoted(e.link for e in enis)
    eni_ips = _set(e.ip for e in enis)
    inbound = [r for r in (sg_rule(rule, "saddr") for rule in ingress) if r]
    proxied = (
        [f"  iifname {eni_links} ip daddr {eni_ips} tcp dport {_set(map(str, proxy_ports))} accept"]
        if proxy_ports
        else []
    )
    return [
        "chain sg_pre {",
        "  type filter hook prerouting priority -110; policy accept;",
        f"  iifname != {eni_links} accept",
        "  ct state established,related accept",
        "  ct state invalid drop",
        *(f"  ip daddr {eni_ips} {r} accept" for r in inbound),
        "  drop",
        "}",
        *_nat_chains(dnat, snat),
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "  ct state established,related accept",
        f"  iifname {eni_links} ct status dnat accept",
        "}",
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        '  iifname "lo" accept',
        *proxied,
        f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
        "}",
    ]


@dataclass(frozen=True)
class NlbZone:
    """What arrives at the NLB in one AZ: its node address plus the transit addresses of
    the ENIs in that AZ. All of it leaves SNATed to the node address."""

    node_ip: str
    arrivals: tuple[str, ...]


@dataclass(frozen=True)
class NlbForward:
    protocol: str
    port: int
    zone: NlbZone
    targets: tuple[Target, ...]  # the candidates for this AZ, already health-filtered


def _dnat(targets: Sequence[Target]) -> str:
    if len(targets) == 1:
        return f"dnat ip to {targets[0].ip}:{targets[0].port}"
    entries = ", ".join(f"{i} : {t.ip} . {t.port}" for i, t in enumerate(targets))
    return f"dnat ip to numgen inc mod {len(targets)} map {{ {entries} }}"


def nlb(
    zones: Sequence[NlbZone], forwards: Sequence[NlbForward], local_ports: Sequence[int] = ()
) -> str:
    """The NLB namespace: per listener and AZ, DNAT to the AZ's candidate targets
    (round robin), SNAT to the AZ's node address. Nothing may start from the provider
    side toward the transit links: only DNATed flows are forwarded.

    The SNAT keeps the client's source port whenever it is free (no `random`): then a new
    flow only reuses a (node, port) tuple that the same client used before, so its TCP
    timestamps are newer and the target's TIME_WAIT accepts the SYN. Random ports made
    targets reject reused tuples by PAWS and cost 70-90 % of the connection rate when
    measured (bench/dataplane/bench.py, the research README's gotcha 1).

    `local_ports` (TLS listeners) are not DNATed: the namespace's HAProxy accepts them."""
    dnat = [
        f"  ip daddr {_set((f.zone.node_ip, *f.zone.arrivals))} {f.protocol} dport {f.port} "
        + _dnat(f.targets)
        for f in forwards
        if f.targets
    ]
    snat = [
        f"  ct status dnat ct original ip daddr {_set((z.node_ip, *z.arrivals))} "
        f"snat ip to {z.node_ip}"
        for z in zones
    ]
    body = [
        *_nat_chains(dnat, snat),
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "  ct state established,related accept",
        "  ct status dnat accept",
        "}",
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        '  iifname "lo" accept',
        *([f"  tcp dport {_set(str(p) for p in local_ports)} accept"] if local_ports else []),
        "  meta l4proto tcp reject with tcp reset",
        "}",
    ]
    return _table("nlb", body)


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
