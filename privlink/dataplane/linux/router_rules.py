"""The VPC router's nftables table: network ACLs, its edges, one-to-one NAT. Pure: no I/O.

- Network ACLs are stateless (no conntrack match): a packet routed out of a subnet's
  bridge meets that subnet's outbound rules, one routed into a bridge its inbound rules,
  lowest rule number first, first match decides, no match drops (AWS's rule *). Traffic
  inside a subnet is bridged, never routed, so no ACL sees it, as on AWS; nor do packets
  to or from the router itself (the VPC resolver: AWS exempts Amazon DNS).
- Edges: a peering link carries only packets between the two VPCs' blocks (no transit);
  the internet link carries only packets of addresses that have a public one, NATed
  one-to-one (the internet gateway), and lets in only what was DNATed to one or answers
  a flow started inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from privlink.dataplane.linux.rulesets import gateway_chain, nat_chains, set_literal, table_body
from privlink.dataplane.routing import AclNet, AclRule, PublicAddress


@dataclass(frozen=True)
class GatewayFilter:
    fronts: tuple[str, ...]
    sources: tuple[str, ...]
    port: int


@dataclass(frozen=True)
class SubnetAcl:
    bridge: str
    acl: AclNet | None  # None: the default ACL (no filtering)


@dataclass(frozen=True)
class PeeringEdge:
    link: str
    remote: tuple[str, ...]  # the peer VPC's blocks


@dataclass(frozen=True)
class InternetEdge:
    link: str
    addresses: tuple[PublicAddress, ...]  # this VPC's public addresses


@dataclass(frozen=True)
class Router:
    own: tuple[str, ...]  # the VPC's blocks (its CIDR and its subnets')
    subnets: tuple[SubnetAcl, ...]
    gateway: GatewayFilter | None = None
    peerings: tuple[PeeringEdge, ...] = ()
    internet: InternetEdge | None = None


def acl_match(rule: AclRule, direction: str) -> str:
    """The nft match of one ACL entry; `direction` is "saddr" (inbound) or "daddr"."""
    parts: list[str] = []
    if not rule.cidr.endswith("/0"):
        parts.append(f"ip {direction} {rule.cidr}")
    protocol = rule.protocol
    if protocol in ("tcp", "udp"):
        lo, hi = rule.from_port, rule.to_port
        if lo == -1 or (lo <= 0 and hi >= 65535):
            parts.append(f"meta l4proto {protocol}")
        else:
            parts.append(f"{protocol} dport {lo}" + (f"-{hi}" if hi != lo else ""))
    elif protocol == "icmp":
        parts.append("meta l4proto icmp")
        if rule.from_port != -1:
            parts.append(f"icmp type {rule.from_port}")
            if rule.to_port != -1:
                parts.append(f"icmp code {rule.to_port}")
    elif protocol != "all":
        parts.append(f"meta l4proto {protocol}")
    return " ".join(parts) or "meta nfproto ipv4"


def _acl_chain(name: str, rules: Sequence[AclRule], direction: str) -> list[str]:
    return [
        f"chain {name} {{",
        *(f"  {acl_match(r, direction)} {'return' if r.allow else 'drop'}" for r in rules),
        "  drop",
        "}",
    ]


def _edges(router: Router) -> tuple[list[str], list[str]]:
    """Forward-chain lines for the peering and internet links, and extra chains."""
    lines: list[str] = []
    own = set_literal(router.own)
    for edge in router.peerings:
        remote = set_literal(edge.remote)
        lines += [
            f'  iifname "{edge.link}" ip saddr != {remote} drop',
            f'  iifname "{edge.link}" ip daddr != {own} drop',
            f'  oifname "{edge.link}" ip saddr != {own} drop',
            f'  oifname "{edge.link}" ip daddr != {remote} drop',
        ]
    chains: list[str] = []
    if router.internet is not None:
        link = router.internet.link
        mapped = [a.private_ip for a in router.internet.addresses]
        if mapped:
            lines.append(f'  oifname "{link}" ip saddr != {set_literal(mapped)} drop')
        else:
            lines.append(f'  oifname "{link}" drop')
        lines.append(f'  iifname "{link}" jump from_internet')
        chains = [
            "chain from_internet {",
            "  ct state established,related return",
            "  ct status dnat return",
            "  drop",
            "}",
        ]
    return lines, chains


def _nat(internet: InternetEdge | None) -> list[str]:
    """One-to-one NAT on the internet link (the internet gateway's)."""
    if internet is None or not internet.addresses:
        return []
    inbound = ", ".join(f"{a.public_ip} : {a.private_ip}" for a in internet.addresses)
    outbound = ", ".join(f"{a.private_ip} : {a.public_ip}" for a in internet.addresses)
    return nat_chains(
        [f'  iifname "{internet.link}" dnat ip to ip daddr map {{ {inbound} }}'],
        [f'  oifname "{internet.link}" snat ip to ip saddr map {{ {outbound} }}'],
    )


def router(spec: Router) -> str | None:
    """The router's table, or None when it has nothing to filter or translate."""
    body: list[str] = []
    if spec.gateway is not None:
        body += gateway_chain(spec.gateway.fronts, spec.gateway.sources, spec.gateway.port)
    edges, chains = _edges(spec)
    jumps: list[str] = []
    for index, subnet in enumerate(spec.subnets):
        if subnet.acl is None:
            continue
        out_chain, in_chain = f"acl_out_{index}", f"acl_in_{index}"
        jumps += [
            f'  iifname "{subnet.bridge}" jump {out_chain}',
            f'  oifname "{subnet.bridge}" jump {in_chain}',
        ]
        chains += _acl_chain(out_chain, subnet.acl.egress, "daddr")
        chains += _acl_chain(in_chain, subnet.acl.ingress, "saddr")
    if edges or jumps:
        bridged = ", ".join(f'"{s.bridge}" . "{s.bridge}"' for s in spec.subnets)
        body += [
            *chains,
            "chain router_fwd {",
            "  type filter hook forward priority filter; policy accept;",
            *([f"  iifname . oifname {{ {bridged} }} accept"] if bridged else []),
            *edges,
            *jumps,
            "}",
        ]
    body += _nat(spec.internet)
    return table_body("vpc router", body) if body else None


@dataclass(frozen=True)
class EniAcl:
    link: str
    ip: str
    acl: AclNet | None  # its subnet's


def eni_crossings(enis: Sequence[EniAcl]) -> str:
    """Extra chains for an endpoint namespace of its own (an AWS service's) whose ENIs
    sit in several subnets. (An ENI in an NLB's namespace answers through itself.)

    An answer from the ENI of subnet A to a client in subnet B leaves through the ENI in
    B (the namespace is on both bridges), skipping the router: on AWS it leaves A and
    enters B, so A's outbound and B's inbound ACL rules apply here. Matched after NAT
    (postrouting, past srcnat), when the source is the ENI's address again. "" if none."""
    lines: list[str] = []
    chains: list[str] = []
    for i, origin in enumerate(enis):
        for j, way in enumerate(enis):
            if i == j or (origin.acl is None and way.acl is None):
                continue
            match = f'  oifname "{way.link}" ip saddr {origin.ip}'
            if origin.acl is not None:
                lines.append(f"{match} jump eni_out_{i}")
            if way.acl is not None:
                lines.append(f"{match} jump eni_in_{j}")
    if not lines:
        return ""
    for i, eni in enumerate(enis):
        if eni.acl is not None:
            chains += _acl_chain(f"eni_out_{i}", eni.acl.egress, "daddr")
            chains += _acl_chain(f"eni_in_{i}", eni.acl.ingress, "saddr")
    return "\n".join(
        [
            *chains,
            "chain eni_crossing {",
            "  type filter hook postrouting priority srcnat + 10; policy accept;",
            *lines,
            "}",
        ]
    )
