"""How VPCs, subnets, internet gateways and route tables show on the wire, and how
their Describe* calls select them (filter tables, id checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.domain import filters
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network.addressing import available_count
from privlink.services.ec2.network.topology import route_state, routes_of
from privlink.services.ec2.records import (
    InternetGateway,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Vpc,
)
from privlink.services.shared.describe import Describe


# --- VPCs ------------------------------------------------------------------------------------
def cidr_associations(vpc: Vpc) -> list[dict[str, Any]]:
    """The primary block, then the secondary ones (AssociateVpcCidrBlock), as AWS lists them."""
    primary = [(vpc.cidr_association_id, vpc.cidr, "associated")]
    blocks = primary + [(c.association_id, c.cidr, c.state) for c in vpc.secondary_cidrs]
    return [
        {"AssociationId": a, "CidrBlock": cidr, "CidrBlockState": {"State": state}}
        for a, cidr, state in blocks
    ]


def wire_vpc(vpc: Vpc, state: str | None = None) -> dict[str, Any]:
    """`state` overrides the stored one: CreateVpc answers "pending", as AWS does, though the
    VPC is usable at once (DescribeVpcs shows it "available")."""
    return {
        "CidrBlock": vpc.cidr,
        "DhcpOptionsId": vpc.dhcp_options_id,
        "State": state or vpc.state,
        "VpcId": vpc.id,
        "OwnerId": vpc.account,
        "InstanceTenancy": vpc.instance_tenancy,
        "Ipv6CidrBlockAssociationSet": [],
        "CidrBlockAssociationSet": cidr_associations(vpc),
        "IsDefault": vpc.is_default,
        "Tags": tag_wire.wire(vpc.tags),
    }


def _blocks(field: str) -> filters.Getter:
    return lambda v: [a[field] for a in cidr_associations(v)]


VPCS = Describe(
    Vpc,
    {
        "cidr": lambda v: v.cidr,
        "cidr-block-association.cidr-block": _blocks("CidrBlock"),
        "cidr-block-association.association-id": _blocks("AssociationId"),
        "cidr-block-association.state": lambda v: [
            a["CidrBlockState"]["State"] for a in cidr_associations(v)
        ],
        "dhcp-options-id": lambda v: v.dhcp_options_id,
        "is-default": lambda v: v.is_default,
        "owner-id": lambda v: v.account,
        "state": lambda v: v.state,
        "vpc-id": lambda v: v.id,
    },
    checker("vpc", errors.InvalidVpcIDMalformed),
)


# --- subnets ---------------------------------------------------------------------------------
def subnet_arn(subnet: Subnet) -> str:
    return f"arn:aws:ec2:{subnet.region}:{subnet.account}:subnet/{subnet.id}"


def wire_subnet(scope: Scope, subnet: Subnet) -> dict[str, Any]:
    return {
        "AvailabilityZone": subnet.availability_zone,
        "AvailabilityZoneId": subnet.availability_zone_id,
        "AvailableIpAddressCount": available_count(scope.uow, subnet),
        "CidrBlock": subnet.cidr,
        "DefaultForAz": subnet.default_for_az,
        "MapPublicIpOnLaunch": subnet.map_public_ip_on_launch,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": subnet.state,
        "SubnetId": subnet.id,
        "VpcId": subnet.vpc_id,
        "OwnerId": subnet.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "Tags": tag_wire.wire(subnet.tags),
        "SubnetArn": subnet_arn(subnet),
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


def _subnet_counts(scope: Scope) -> Mapping[str, filters.Getter]:
    return {"available-ip-address-count": lambda s: available_count(scope.uow, s)}


SUBNETS = Describe(
    Subnet,
    {
        "availability-zone": lambda s: s.availability_zone,
        "availabilityZone": lambda s: s.availability_zone,
        "availability-zone-id": lambda s: s.availability_zone_id,
        "cidr-block": lambda s: s.cidr,
        "cidr": lambda s: s.cidr,
        "cidrBlock": lambda s: s.cidr,
        "default-for-az": lambda s: s.default_for_az,
        "defaultForAz": lambda s: s.default_for_az,
        "map-public-ip-on-launch": lambda s: s.map_public_ip_on_launch,
        "owner-id": lambda s: s.account,
        "state": lambda s: s.state,
        "subnet-id": lambda s: s.id,
        "subnet-arn": subnet_arn,
        "vpc-id": lambda s: s.vpc_id,
    },
    checker("subnet", errors.InvalidSubnetIDMalformed),
    scoped_filters=_subnet_counts,
)


# --- internet gateways -----------------------------------------------------------------------
def wire_gateway(gateway: InternetGateway) -> dict[str, Any]:
    attachments = []
    if gateway.attached_vpc_id:
        attachments = [{"State": "available", "VpcId": gateway.attached_vpc_id}]
    return {
        "Attachments": attachments,
        "InternetGatewayId": gateway.id,
        "OwnerId": gateway.account,
        "Tags": tag_wire.wire(gateway.tags),
    }


INTERNET_GATEWAYS = Describe(
    InternetGateway,
    {
        "attachment.state": lambda g: "available" if g.attached_vpc_id else None,
        "attachment.vpc-id": lambda g: g.attached_vpc_id,
        "internet-gateway-id": lambda g: g.id,
        "owner-id": lambda g: g.account,
    },
    checker("igw", errors.InvalidInternetGatewayIDMalformed),
)


# --- route tables ----------------------------------------------------------------------------
def wire_route(scope: Scope, table: RouteTable, route: Route) -> dict[str, Any]:
    prefix_list = route.destination_cidr.startswith("pl-")
    return {
        "DestinationCidrBlock": None if prefix_list else route.destination_cidr,
        "DestinationPrefixListId": route.destination_cidr if prefix_list else None,
        "GatewayId": route.gateway_id or route.vpc_endpoint_id,
        "InstanceId": route.instance_id,
        "InstanceOwnerId": table.account if route.instance_id else None,
        "NatGatewayId": route.nat_gateway_id,
        "NetworkInterfaceId": route.network_interface_id,
        "VpcPeeringConnectionId": route.vpc_peering_connection_id,
        "Origin": route.origin,
        "State": route_state(scope, table, route),
    }


def wire_association(table: RouteTable, association: RouteTableAssociation) -> dict[str, Any]:
    return {
        "Main": association.main,
        "RouteTableAssociationId": association.association_id,
        "RouteTableId": table.id,
        "SubnetId": association.subnet_id,
        "GatewayId": association.gateway_id,
        "AssociationState": {"State": "associated"},
    }


def wire_table(scope: Scope, table: RouteTable) -> dict[str, Any]:
    return {
        "Associations": [wire_association(table, a) for a in table.associations],
        "PropagatingVgws": [],
        "RouteTableId": table.id,
        "Routes": [wire_route(scope, table, r) for r in routes_of(scope, table)],
        "Tags": tag_wire.wire(table.tags),
        "VpcId": table.vpc_id,
        "OwnerId": table.account,
    }


def _routes(scope: Scope, field: str) -> filters.Getter:
    return lambda t: [getattr(r, field) for r in routes_of(scope, t)]


def _associations(field: str) -> filters.Getter:
    return lambda t: [getattr(a, field) for a in t.associations]


def _route_filters(scope: Scope) -> Mapping[str, filters.Getter]:
    """Route filters see the routes gateway endpoints add, so they need the scope."""
    return {
        "route.state": lambda t: [route_state(scope, t, r) for r in routes_of(scope, t)],
        "route.destination-cidr-block": _routes(scope, "destination_cidr"),
        "route.destination-prefix-list-id": _routes(scope, "destination_cidr"),
        "route.gateway-id": lambda t: [
            r.gateway_id or r.vpc_endpoint_id for r in routes_of(scope, t)
        ],
        "route.instance-id": _routes(scope, "instance_id"),
        "route.nat-gateway-id": _routes(scope, "nat_gateway_id"),
        "route.origin": _routes(scope, "origin"),
        "route.vpc-peering-connection-id": _routes(scope, "vpc_peering_connection_id"),
    }


ROUTE_TABLES = Describe(
    RouteTable,
    {
        "association.gateway-id": _associations("gateway_id"),
        "association.main": _associations("main"),
        "association.route-table-association-id": _associations("association_id"),
        "association.route-table-id": lambda t: [t.id for _ in t.associations],
        "association.subnet-id": _associations("subnet_id"),
        "owner-id": lambda t: t.account,
        "route-table-id": lambda t: t.id,
        "vpc-id": lambda t: t.vpc_id,
    },
    checker("rtb", errors.InvalidRouteTableIDMalformed),
    scoped_filters=_route_filters,
)
