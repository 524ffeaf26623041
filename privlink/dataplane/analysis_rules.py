"""What one filter or route table of the plan does to a packet, as the kernel does it.

The Reachability Analyzer (analysis.py) walks a flow hop by hop; each hop asks one of
these. Ports are sets of ranges (`Ports`) because a header is narrowed as it goes: a
security group that admits 80-90 of a flow asked for "any port" passes 80-90 on. Pure.

- Security groups are allow lists (the union of an interface's groups): the ports some
  rule admits for this peer and protocol pass, nothing else (rulesets.instance/endpoint).
- Network ACLs are ordered, first match decides, no match denies (router_rules); each
  port goes to the first rule that matches it.
- Route tables: the VPC's own blocks first (the local route), then the longest prefix of
  the routes whose target the plan realises (a peering in the plan, the VPC's attached
  internet gateway, a NAT gateway in the plan); the others get no kernel route at all
  (router._route_tables), so a shorter realised route may still carry the packet.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from privlink.dataplane.plan import SgRule
from privlink.dataplane.routing import AclNet, AclRule, RouteNet

Range = tuple[int, int]
Ports = tuple[Range, ...]  # sorted, disjoint, inclusive
ALL_PORTS: Ports = ((0, 65535),)
# Linux's default ip_local_port_range: the client ports replies are addressed to.
EPHEMERAL: Ports = ((32768, 60999),)
LOCAL = "local"


def ports_of(port: int | None) -> Ports:
    return ALL_PORTS if port is None else ((port, port),)


def intersect(a: Ports, b: Ports) -> Ports:
    out = [(max(x, y), min(p, q)) for x, p in a for y, q in b if max(x, y) <= min(p, q)]
    return tuple(sorted(out))


def subtract(a: Ports, b: Ports) -> Ports:
    out: list[Range] = []
    for lo, hi in a:
        pieces = [(lo, hi)]
        for x, y in b:
            pieces = [
                part
                for p, q in pieces
                for part in ((p, min(q, x - 1)), (max(p, y + 1), q))
                if part[0] <= part[1]
            ]
        out.extend(pieces)
    return tuple(sorted(out))


@lru_cache(maxsize=8192)
def _net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr, strict=False)


@lru_cache(maxsize=65536)
def _addr(ip: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(ip)


def contains(cidr: str, ip: str) -> bool:
    return _addr(ip) in _net(cidr)


def _rule_ports(low: int, high: int) -> Ports:
    if low == -1 or (low <= 0 and high >= 65535):
        return ALL_PORTS
    return ((low, high),)


@dataclass(frozen=True)
class SgHit:
    """The security-group rule that admitted the packet (or None: nothing did)."""

    rule: SgRule | None
    ports: Ports  # what passes on


def security_group(rules: Iterable[SgRule], peer: str, protocol: str, ports: Ports) -> SgHit:
    """The ports some rule admits from/to `peer` (the first such rule is the one shown)."""
    first: SgRule | None = None
    passed: Ports = ()
    for rule in rules:
        if rule.protocol not in ("all", protocol):
            continue
        if not any(contains(c, peer) for c in rule.cidrs):
            continue
        allowed = ALL_PORTS if rule.protocol == "all" else _rule_ports(rule.from_port, rule.to_port)
        got = intersect(ports, allowed)
        if got:
            first = first or rule
            passed = _union(passed, got)
    return SgHit(first, passed)


def _union(a: Ports, b: Ports) -> Ports:
    merged: list[Range] = []
    for lo, hi in sorted(a + b):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return tuple(merged)


@dataclass(frozen=True)
class AclHit:
    """The entry that decided (None: AWS's catch-all '*' denied) and what passes on."""

    rule: AclRule | None
    ports: Ports
    allowed: bool


def acl(table: AclNet | None, egress: bool, peer: str, protocol: str, ports: Ports) -> AclHit:
    """One direction of a subnet's ACL for a packet to (egress) or from (ingress) `peer`."""
    if table is None:
        return AclHit(None, ports, True)
    left: Ports = ports
    passed: Ports = ()
    allowed: AclRule | None = None
    denied: AclRule | None = None
    for rule in table.egress if egress else table.ingress:
        if rule.protocol not in ("all", protocol) or not contains(rule.cidr, peer):
            continue
        matched = (
            left
            if rule.protocol == "all"
            else intersect(left, _rule_ports(rule.from_port, rule.to_port))
        )
        if not matched:
            continue
        if rule.allow:
            passed = _union(passed, matched)
            allowed = allowed or rule
        else:
            denied = denied or rule
        left = subtract(left, matched)
        if not left:
            break
    if passed:
        return AclHit(allowed, passed, True)
    return AclHit(denied, (), False)


@dataclass(frozen=True)
class RouteHit:
    """The route a packet takes (`LOCAL` target for the VPC's own blocks), or None."""

    route: RouteNet | None


def route(
    blocks: Iterable[str], routes: Iterable[RouteNet], realised: set[str], dst: str
) -> RouteHit:
    """Longest prefix among the realised routes, after the VPC's own blocks."""
    for block in blocks:
        if contains(block, dst):
            return RouteHit(RouteNet(block, LOCAL))
    best: RouteNet | None = None
    for candidate in routes:
        if candidate.target not in realised or not contains(candidate.destination, dst):
            continue
        if best is None or _net(candidate.destination).prefixlen > _net(best.destination).prefixlen:
            best = candidate
    return RouteHit(best)


def blocks_of(cidr: str, subnet_cidrs: Iterable[str]) -> tuple[str, ...]:
    """A VPC's CIDR and its subnets' (those of secondary blocks too), merged."""
    nets = [_net(c) for c in (cidr, *subnet_cidrs)]
    return tuple(str(n) for n in ipaddress.collapse_addresses(nets))
