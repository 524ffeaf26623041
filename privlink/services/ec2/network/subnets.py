"""Subnets: CIDR within the VPC, no overlap, an AZ of the region, 5 reserved addresses."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging, regions
from privlink.services.ec2 import common
from privlink.services.ec2.network.addressing import available_count, network, parse_cidr
from privlink.services.ec2.records import NetworkInterface, RouteTable, Subnet, Vpc


def create_subnet(
    ctx: Scope,
    vpc: Vpc,
    cidr: str,
    zone_name: str | None,
    tags: dict[str, str],
    default_for_az: bool = False,
) -> Subnet:
    net = parse_cidr(cidr)
    vpc_net = network(vpc.cidr, errors.InvalidSubnetRange, "CIDR")
    if not 16 <= net.prefixlen <= 28 or not net.subnet_of(vpc_net):
        raise errors.InvalidSubnetRange(f"The CIDR '{cidr}' is invalid.")
    siblings = ctx.uow.list(Subnet, parent=vpc.id)
    for other in siblings:
        if net.overlaps(network(other.cidr, errors.InvalidSubnetRange, "CIDR")):
            raise errors.InvalidSubnetConflict(f"The CIDR '{cidr}' conflicts with another subnet")
    zones = regions.zones(ctx.region)
    if zone_name is None:
        zone = zones[len(siblings) % len(zones)]
    else:
        found = regions.zone_named(ctx.region, zone_name)
        if found is None:
            names = ", ".join(z.name for z in zones)
            raise errors.InvalidParameterValue(
                f"Value ({zone_name}) for parameter availabilityZone is invalid. Subnets can "
                f"currently only be created in the following availability zones: {names}."
            )
        zone = found
    subnet = Subnet(
        id=ctx.new_id("subnet"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=vpc.id,
        cidr=str(net),
        availability_zone=zone.name,
        availability_zone_id=zone.zone_id,
        default_for_az=default_for_az,
        map_public_ip_on_launch=default_for_az,
        tags=tags,
    )
    ctx.uow.add(subnet)
    return subnet


def wire_subnet(ctx: Scope, subnet: Subnet) -> dict[str, Any]:
    return {
        "AvailabilityZone": subnet.availability_zone,
        "AvailabilityZoneId": subnet.availability_zone_id,
        "AvailableIpAddressCount": available_count(ctx.uow, subnet),
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
        "Tags": common.wire_tags(subnet.tags),
        "SubnetArn": f"arn:aws:ec2:{subnet.region}:{subnet.account}:subnet/{subnet.id}",
        "EnableDns64": False,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }


@handles("CreateSubnet")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    vpc_id = params["VpcId"]
    vpc = common.require(ctx, Vpc, vpc_id, errors.InvalidVpcIDNotFound, "vpc ID")
    cidr = params.get("CidrBlock")
    if not cidr:
        raise errors.MissingParameter("The request must contain the parameter cidrBlock")
    zone = params.get("AvailabilityZone") or params.get("AvailabilityZoneId")
    subnet = create_subnet(ctx, vpc, cidr, zone, common.tags_for(params, "subnet"))
    return {"Subnet": wire_subnet(ctx, subnet)}


FILTERS: dict[str, filters.Getter] = {
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
    "subnet-arn": lambda s: f"arn:aws:ec2:{s.region}:{s.account}:subnet/{s.id}",
    "vpc-id": lambda s: s.vpc_id,
}


@handles("DescribeSubnets")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("SubnetIds")
    for subnet_id in ids or []:
        common.check_id(subnet_id, "subnet", errors.InvalidSubnetIDMalformed)
    subnets = common.scoped(ctx, Subnet, ids, errors.InvalidSubnetIDNotFound, "subnet ID")
    getters = {
        **FILTERS,
        "available-ip-address-count": lambda s: available_count(ctx.uow, s),
    }
    subnets = filters.apply(subnets, params.get("Filters"), getters)
    chunk, token = paging.page(
        subnets, params.get("MaxResults"), params.get("NextToken"), lambda s: s.id
    )
    return {"Subnets": [wire_subnet(ctx, s) for s in chunk], "NextToken": token}


@handles("ModifySubnetAttribute")
def modify_attribute(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    subnet: Subnet = common.require(
        ctx, Subnet, params["SubnetId"], errors.InvalidSubnetIDNotFound, "subnet ID"
    )
    if "MapPublicIpOnLaunch" in params:
        subnet.map_public_ip_on_launch = bool(params["MapPublicIpOnLaunch"].get("Value"))
    ctx.uow.put(subnet)
    return {}


@handles("DeleteSubnet")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    subnet: Subnet = common.require(
        ctx, Subnet, params["SubnetId"], errors.InvalidSubnetIDNotFound, "subnet ID"
    )
    if ctx.uow.list(NetworkInterface, parent=subnet.id) or ctx.uow.address_count(subnet.id):
        raise errors.DependencyViolation(
            f"The subnet '{subnet.id}' has dependencies and cannot be deleted."
        )
    for table in ctx.uow.list(RouteTable, parent=subnet.vpc_id):
        kept = [a for a in table.associations if a.subnet_id != subnet.id]
        if len(kept) != len(table.associations):
            table.associations = kept
            ctx.uow.put(table)
    ctx.uow.delete(subnet)
    return {}
