"""Subnet operations: a CIDR inside the VPC, no overlap, an AZ of the region.

AWS reserves five addresses of every subnet (see `addressing`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.services import dependencies
from privlink.services.ec2.network import acls, vpc_cidrs
from privlink.services.ec2.network.addressing import parse_cidr
from privlink.services.ec2.records import RouteTable, Subnet, Vpc


def _zone(scope: Scope, zone_name: str | None, siblings: int) -> regions.Zone:
    """The AZ asked for (by name or id), else the next one round-robin."""
    zones = regions.zones(scope.region)
    if zone_name is None:
        return zones[siblings % len(zones)]
    found = regions.zone_named(scope.region, zone_name)
    if found is None:
        names = ", ".join(z.name for z in zones)
        raise errors.InvalidParameterValue.because(
            f"Value ({zone_name}) for parameter availabilityZone is invalid. Subnets can "
            f"currently only be created in the following availability zones: {names}."
        )
    return found


def create_subnet(
    scope: Scope,
    vpc_id: str,
    cidr: str,
    zone: str | None = None,
    tags: Mapping[str, str] | None = None,
    *,
    default_for_az: bool = False,
) -> Subnet:
    """A subnet of a VPC in one AZ (`zone`: a zone name or id; None picks one)."""
    vpc = scope.require(Vpc, vpc_id)
    net = parse_cidr(cidr)
    if not 16 <= net.prefixlen <= 28 or not vpc_cidrs.contains(vpc, net):
        raise errors.InvalidSubnetRange(cidr)
    siblings = scope.list(Subnet, parent=vpc.id)
    if any(net.overlaps(ipaddress.IPv4Network(other.cidr)) for other in siblings):
        raise errors.InvalidSubnetConflict(cidr)
    found = _zone(scope, zone, len(siblings))
    subnet = Subnet(
        id=scope.new_id("subnet"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        cidr=str(net),
        availability_zone=found.name,
        availability_zone_id=found.zone_id,
        default_for_az=default_for_az,
        map_public_ip_on_launch=default_for_az,
        tags=dict(tags or {}),
    )
    scope.add(subnet)
    acls.associate_default(scope, subnet)
    return subnet


def set_map_public_ip_on_launch(scope: Scope, subnet_id: str, value: bool) -> Subnet:
    subnet = scope.require(Subnet, subnet_id)
    subnet.map_public_ip_on_launch = value
    scope.put(subnet)
    return subnet


def delete_subnet(scope: Scope, subnet_id: str) -> None:
    """Delete a subnet nothing holds an address in; its table associations go with it."""
    subnet = scope.require(Subnet, subnet_id)
    if dependencies.blockers(scope, subnet):
        raise errors.DependencyViolation("subnet", subnet.id)
    for table in scope.list(RouteTable, parent=subnet.vpc_id):
        kept = [a for a in table.associations if a.subnet_id != subnet.id]
        if len(kept) != len(table.associations):
            table.associations = kept
            scope.put(table)
    acls.forget_subnet(scope, subnet)
    scope.delete(subnet)
