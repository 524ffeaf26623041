"""nftables rulesets as text, one table (`inet plk`) per namespace. Pure: no I/O.

Every ruleset is a whole table; the driver swaps it atomically in one transaction, or,
when only the members of its named sets differ (an NLB's: nlb_rulesets.py), changes those
in one transaction (nft_members.py), so a namespace never runs half a ruleset. Security
groups are stateful (`ct state established,related accept` first), like AWS's.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Sequence

from privlink.dataplane.plan import SgRule


def set_literal(items: Iterable[str]) -> str:
    values = sorted(set(items))
    if not values:
        raise ValueError("nftables has no empty anonymous set: callers must handle 'none'")
    return values[0] if len(values) == 1 else "{ " + ", ".join(values) + " }"


def quoted(names: Iterable[str]) -> str:
    return set_literal(f'"{n}"' for n in names)


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
    return set_literal(merged) if merged else "{ }"


def sg_rule(rule: SgRule, direction: str, *, before_dnat: bool = False) -> str | None:
    """One nft rule (without verdict) for an SG permission; None when it matches nothing
    (an IPv6-only rule, say). `direction` is "saddr" (ingress) or "daddr" (egress).
    `before_dnat`: ports as the packet arrived (conntrack's original tuple), for a chain
    that runs after DNAT changed them."""
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
        else:
            ports = str(lo) if lo == hi else f"{lo}-{hi}"
            match = "ct original proto-dst" if before_dnat else f"{rule.protocol} dport"
            protocol = f"meta l4proto {rule.protocol} " if before_dnat else ""
            parts.append(f"{protocol}{match} {ports}")
    elif rule.protocol == "icmp":
        if rule.from_port == -1:
            parts.append("meta l4proto icmp")
        else:
            parts.append(f"icmp type {rule.from_port}")
            if rule.to_port != -1:
                parts.append(f"icmp code {rule.to_port}")
    return " ".join(parts) if parts else "meta nfproto ipv4"


def nat_chains(dnat: list[str], snat: list[str]) -> list[str]:
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


# An endpoint's ENIs: the packets their security groups drop, per link (observe.py reads
# them for PacketsDropped), counted where they are dropped so the accepted path pays
# nothing. An element idle for a day expires: its count restarting is a reset to readers.
DROPPED = "eni_dropped"


def dropping() -> list[str]:
    """The set of drops per ENI link and the chain that counts a packet in it and drops
    it (`goto dropped`). The drop is a rule of its own: a full set fails the count, never
    the drop."""
    return [
        f"set {DROPPED} {{ type ifname; flags dynamic,timeout; timeout 1d; size 65536; counter; }}",
        "chain dropped {",
        f"  update @{DROPPED} {{ iifname }}",
        "  drop",
        "}",
    ]


def table_body(label: str, body: list[str]) -> str:
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
        f"  ip daddr {set_literal(resolvers)} meta l4proto {{ tcp, udp }} th dport 53 accept",
        *(f"  {r} accept" for r in outbound),
        "}",
    ]
    return table_body("instance", body)


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
        return table_body("endpoint without interfaces", _forward_nothing())
    eni_links = quoted(links)
    if not active:
        body = [
            "chain filter_in {",
            "  type filter hook input priority filter; policy drop;",
            f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
            "}",
            *_forward_nothing(),
        ]
        return table_body("endpoint inactive", body)
    inbound = [r for r in (sg_rule(rule, "saddr") for rule in ingress) if r]
    eni_ips = set_literal(ips)
    ports = set_literal(map(str, proxy_ports))
    body = [
        "chain sg_pre {",
        "  type filter hook prerouting priority -110; policy accept;",
        f"  iifname != {eni_links} accept",
        "  ct state established,related accept",
        "  ct state invalid goto dropped",
        *(f"  ip daddr {eni_ips} {r} accept" for r in inbound),
        "  goto dropped",
        "}",
        *dropping(),
        *_forward_nothing(),
        "chain filter_in {",
        "  type filter hook input priority filter; policy drop;",
        "  ct state established,related accept",
        '  iifname "lo" accept',
        f"  iifname {eni_links} ip daddr {eni_ips} tcp dport {ports} accept",
        f"  iifname {eni_links} meta l4proto tcp reject with tcp reset",
        "}",
    ]
    return table_body("endpoint", body)


def _forward_nothing() -> list[str]:
    return [
        "chain filter_fwd {",
        "  type filter hook forward priority filter; policy drop;",
        "}",
    ]


def gateway_chain(fronts: Sequence[str], sources: Sequence[str], port: int) -> list[str]:
    """The router's input filter for its gateway endpoints' front addresses."""
    return [
        "chain gateway_in {",
        "  type filter hook input priority filter; policy accept;",
        f"  ip daddr {set_literal(fronts)} ip saddr {set_literal(sources)} tcp dport {port} accept",
        f"  ip daddr {set_literal(fronts)} reject with icmp type net-unreachable",
        "}",
    ]


def gateway(fronts: Sequence[str], sources: Sequence[str], port: int) -> str:
    """The VPC router with a gateway endpoint: its relay on the service's front addresses
    takes `port` from the routed subnets only. Everything else sent to those addresses is
    refused as if there were no route (ICMP net unreachable, what the router says for any
    destination it has no route to); all other traffic is the router's as before."""
    return table_body("vpc router: gateway endpoints", gateway_chain(fronts, sources, port))


def nat_gateway(link: str, address: str) -> str:
    """A NAT gateway: forwards what the VPC sends it out again with its own address as the
    source, and answers nothing started from outside (replies only)."""
    body = [
        *nat_chains([], [f'  oifname "{link}" ip saddr != {address} snat ip to {address}']),
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
    return table_body("nat gateway", body)


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
        f"  iifname {quoted(links)} drop",
        "}",
    ]
    if outbound:
        chains += [
            "chain zone_down_out {",
            "  type filter hook output priority -300; policy accept;",
            f"  oifname {quoted(links)} drop",
            "}",
        ]
    return "\n".join([ruleset, *chains])


def internet(links: str, computer: str) -> str:
    """plk-inet: what the computer on it sends leaves from its own (public) address, never
    from the address of the link it takes to a VPC."""
    return table_body("internet", nat_chains([], [f"  ip saddr {links} snat ip to {computer}"]))
