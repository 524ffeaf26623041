"""Plan data for what a VPC router decides: route tables, network ACLs, peering
connections, NAT gateways and privlink's internet. Frozen data, no I/O (see plan.py).

- Route tables arrive with their routes' destinations as IPv4 CIDRs (prefix lists already
  expanded) and their target ids as AWS shows them (pcx-, igw-, nat-, vpce- ...): the data
  plane realises what it can reach (a peering in the plan, the VPC's attached internet
  gateway, a NAT gateway in the plan) and leaves the rest without a route, which is what
  a blackhole route does to traffic. Gateway-endpoint routes stay `GatewayNet`'s.
- A subnet names its route table (its explicit association, else the main table) and
  carries its network ACL, rules in evaluation order; None is the default ACL's effect
  (everything allowed both ways).
- Public addresses (auto-assigned or Elastic IPs) map one-to-one to a private address in
  a VPC, as the internet gateway does it on AWS.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # plan.py imports this module for its field types
    from privlink.dataplane.plan import DataplanePlan, DnsRecord

INTERNET = "internet"  # the resource id problems of privlink's internet go to
AclProtocol = Literal["all", "tcp", "udp", "icmp"] | int
ACL_PROTOCOLS: dict[str, AclProtocol] = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}


@dataclass(frozen=True)
class RouteNet:
    """One route: an IPv4 destination and the AWS id of its target."""

    destination: str
    target: str


@dataclass(frozen=True)
class RouteTableNet:
    table_id: str
    routes: tuple[RouteNet, ...] = ()


@dataclass(frozen=True)
class AclRule:
    """One network ACL entry. For tcp/udp, from_port..to_port is the destination port
    range (-1: all); for icmp, from_port is the type and to_port the code (-1: any).
    `cidr` is the source for an inbound rule, the destination for an outbound one."""

    rule_number: int
    allow: bool
    protocol: AclProtocol
    cidr: str
    from_port: int = -1
    to_port: int = -1


@dataclass(frozen=True)
class AclNet:
    """A subnet's network ACL: stateless, each direction's rules in evaluation order
    (the first match decides; no match denies, AWS's catch-all rule)."""

    acl_id: str
    ingress: tuple[AclRule, ...]
    egress: tuple[AclRule, ...]


@dataclass(frozen=True)
class PeeringNet:
    """An active VPC peering connection between two VPCs in the plan (any accounts)."""

    peering_id: str
    requester_vpc: str
    accepter_vpc: str

    def other(self, vpc_id: str) -> str:
        return self.accepter_vpc if vpc_id == self.requester_vpc else self.requester_vpc


@dataclass(frozen=True)
class PublicAddress:
    """A public IPv4 address and the private one it is NATed to, one-to-one."""

    public_ip: str
    vpc_id: str
    private_ip: str


@dataclass(frozen=True)
class NatGatewayNet:
    """A public NAT gateway while available: its interface in a subnet; its Elastic IP is
    an ordinary PublicAddress of its private address."""

    nat_id: str
    vpc_id: str
    subnet_id: str
    ip: str


@dataclass(frozen=True)
class InternetNet:
    """privlink's internet (plk-inet): it routes each public address to its VPC's router,
    and is the computer `privlink exec --internet` runs on, whose resolver answers
    `dns_records` (privlink's public names)."""

    addresses: tuple[PublicAddress, ...] = ()
    dns_records: tuple[DnsRecord, ...] = ()


def trim(whole: DataplanePlan, plan: DataplanePlan, bad: set[str], vpcs: set[str]) -> DataplanePlan:
    """`plan` (the rest of `whole` without `bad`) with the peerings, NAT gateways and
    public addresses of `whole` whose VPCs remain, and the internet unless it is bad."""
    internet = whole.internet
    if internet is not None:
        kept = tuple(a for a in internet.addresses if a.vpc_id in vpcs and a.public_ip not in bad)
        internet = None if INTERNET in bad else replace(internet, addresses=kept)
    return replace(
        plan,
        peerings=tuple(
            c
            for c in whole.peerings
            if c.peering_id not in bad and {c.requester_vpc, c.accepter_vpc} <= vpcs
        ),
        nat_gateways=tuple(
            n for n in whole.nat_gateways if n.nat_id not in bad and n.vpc_id in vpcs
        ),
        internet=internet,
    )


def problems(plan: DataplanePlan) -> Iterator[tuple[str, str]]:
    """(resource id, problem) for routing data the kernel would refuse."""
    vpcs = {v.vpc_id: v for v in plan.vpcs}
    for vpc in plan.vpcs:
        for table in vpc.route_tables:
            for route in table.routes:
                if not is_ipv4_cidr(route.destination):
                    yield vpc.vpc_id, f"{table.table_id}: bad destination {route.destination!r}"
        for subnet in vpc.subnets:
            rules = (subnet.acl.ingress + subnet.acl.egress) if subnet.acl else ()
            for rule in rules:
                if not is_ipv4_cidr(rule.cidr):
                    yield vpc.vpc_id, f"{subnet.subnet_id}: bad ACL cidr {rule.cidr!r}"
    for peering in plan.peerings:
        if peering.requester_vpc not in vpcs or peering.accepter_vpc not in vpcs:
            yield peering.peering_id, "a side's VPC is not in the plan"
        elif peering.requester_vpc == peering.accepter_vpc:
            yield peering.peering_id, "a VPC cannot peer with itself"
    for nat in plan.nat_gateways:
        home = vpcs.get(nat.vpc_id)
        if home is None or nat.subnet_id not in {s.subnet_id for s in home.subnets}:
            yield nat.nat_id, f"unknown vpc or subnet {nat.vpc_id}/{nat.subnet_id}"
    seen: set[str] = set()
    for address in plan.internet.addresses if plan.internet else ():
        if address.public_ip in seen or not is_ipv4_cidr(address.public_ip):
            yield address.public_ip, "duplicate or bad public address"
        seen.add(address.public_ip)


def acl_protocol(value: str) -> AclProtocol:
    """An ACL entry's protocol ("-1", "6", "17", "1" or another number) in plan terms."""
    return ACL_PROTOCOLS.get(value) or int(value)


def is_ipv4_cidr(value: str) -> bool:
    try:
        ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return False
    return True
