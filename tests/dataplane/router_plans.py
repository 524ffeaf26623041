"""Plans for the VPC-router tests: two VPCs (10.40/16 and 10.41/16), each with a public
and a private subnet, route tables, ACLs, a peering, an internet gateway, a NAT gateway."""

from __future__ import annotations

from dataclasses import replace

from privlink.dataplane.plan import DataplanePlan, InstanceNet, SubnetNet, VpcNet
from privlink.dataplane.routing import (
    AclNet,
    AclRule,
    InternetNet,
    NatGatewayNet,
    PeeringNet,
    PublicAddress,
    RouteNet,
    RouteTableNet,
)
from tests.dataplane.scenarios import AZ1, open_to

PEERING = "pcx-0a1b2c3d4e5f60718"
PUBLIC_IP = "198.19.0.5"
NAT_IP = "198.19.0.6"


def vpc(tag: str, prefix: str, tables: tuple[RouteTableNet, ...], igw: str = "") -> VpcNet:
    """Subnet 1 routes by rtb-<tag>1 (public), subnet 2 by rtb-<tag>2 (private)."""
    return VpcNet(
        f"vpc-{tag}0",
        f"{prefix}.0.0/16",
        (
            SubnetNet(f"subnet-{tag}01", f"{prefix}.1.0/24", AZ1, route_table=f"rtb-{tag}1"),
            SubnetNet(f"subnet-{tag}02", f"{prefix}.2.0/24", AZ1, route_table=f"rtb-{tag}2"),
        ),
        route_tables=tables,
        internet_gateway=igw,
    )


def instances(tag: str, prefix: str) -> tuple[InstanceNet, ...]:
    return (
        InstanceNet(
            f"i-{tag}1", f"vpc-{tag}0", f"subnet-{tag}01", f"{prefix}.1.10", open_to("0.0.0.0/0")
        ),
        InstanceNet(
            f"i-{tag}2", f"vpc-{tag}0", f"subnet-{tag}02", f"{prefix}.2.10", open_to("0.0.0.0/0")
        ),
    )


def peered(*, a_routes: bool = True, b_routes: bool = True) -> DataplanePlan:
    """vpc-a0 and vpc-b0 peered; each side's subnet-1 table routes the other VPC."""
    a = vpc(
        "a",
        "10.40",
        (
            RouteTableNet("rtb-a1", (RouteNet("10.41.0.0/16", PEERING),) if a_routes else ()),
            RouteTableNet("rtb-a2"),
        ),
    )
    b = vpc(
        "b",
        "10.41",
        (
            RouteTableNet("rtb-b1", (RouteNet("10.40.0.0/16", PEERING),) if b_routes else ()),
            RouteTableNet("rtb-b2"),
        ),
    )
    return DataplanePlan(
        (a, b),
        instances("a", "10.40") + instances("b", "10.41"),
        peerings=(PeeringNet(PEERING, "vpc-a0", "vpc-b0"),),
    )


def with_acl(plan: DataplanePlan, subnet_id: str, acl: AclNet) -> DataplanePlan:
    vpcs = tuple(
        replace(
            v,
            subnets=tuple(
                replace(s, acl=acl) if s.subnet_id == subnet_id else s for s in v.subnets
            ),
        )
        for v in plan.vpcs
    )
    return replace(plan, vpcs=vpcs)


def acl(ingress: tuple[AclRule, ...], egress: tuple[AclRule, ...]) -> AclNet:
    return AclNet("acl-0test", ingress, egress)


ALLOW_ALL = (AclRule(100, True, "all", "0.0.0.0/0"),)


def internet(*, nat: bool, nat_route: bool) -> DataplanePlan:
    """vpc-a0 with an internet gateway: subnet 1 public (0/0 -> igw, i-a1 has PUBLIC_IP),
    subnet 2 private (0/0 -> the NAT gateway in subnet 1 when `nat_route`)."""
    private_routes = (RouteNet("0.0.0.0/0", "nat-0a1"),) if nat_route else ()
    a = vpc(
        "a",
        "10.40",
        (
            RouteTableNet("rtb-a1", (RouteNet("0.0.0.0/0", "igw-0a1"),)),
            RouteTableNet("rtb-a2", private_routes),
        ),
        igw="igw-0a1",
    )
    addresses = [PublicAddress(PUBLIC_IP, "vpc-a0", "10.40.1.10")]
    nats: tuple[NatGatewayNet, ...] = ()
    if nat:
        nats = (NatGatewayNet("nat-0a1", "vpc-a0", "subnet-a01", "10.40.1.100"),)
        addresses.append(PublicAddress(NAT_IP, "vpc-a0", "10.40.1.100"))
    return DataplanePlan(
        (a,), instances("a", "10.40"), nat_gateways=nats, internet=InternetNet(tuple(addresses))
    )
