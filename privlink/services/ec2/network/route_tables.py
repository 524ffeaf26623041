"""Route table operations: tables, their associations (incl. the main one) and routes.

Every VPC has one main table (made with the VPC) that subnets without an
explicit association use. A route names one target; it must exist in the
table's VPC, and a destination inside the VPC may only lead to an interface,
an instance or an endpoint, as on AWS.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services import dependencies
from privlink.services.ec2.ids import check_id, split_id
from privlink.services.ec2.network import prefix_lists
from privlink.services.ec2.network.topology import routes_of
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Vpc,
    VpcPeeringConnection,
)
from privlink.services.ec2.resource_kinds import require, resolve
from privlink.store.records import Record

# Target kind -> (Route field, id prefix); None: a kind privlink knows but cannot route to.
TARGETS: dict[str, tuple[str | None, str]] = {
    "GatewayId": ("gateway_id", "igw"),
    "NatGatewayId": ("nat_gateway_id", "nat"),
    "NetworkInterfaceId": ("network_interface_id", "eni"),
    "InstanceId": ("instance_id", "i"),
    "VpcEndpointId": ("vpc_endpoint_id", "vpce"),
    "VpcPeeringConnectionId": ("vpc_peering_connection_id", "pcx"),
    "TransitGatewayId": (None, "tgw"),
}
# Targets a route more specific than the VPC's CIDR may use.
INSIDE_VPC_TARGETS = ("network_interface_id", "instance_id", "vpc_endpoint_id")


@dataclass(frozen=True)
class Target:
    """Where a route leads: the kind (as the request member names it) and the id."""

    kind: str  # a key of TARGETS: "GatewayId", "InstanceId" ...
    target_id: str


def local_routes(vpc: Vpc) -> list[Route]:
    """One local route per block of the VPC (its primary and secondary CIDRs)."""
    blocks = [vpc.cidr, *(b.cidr for b in vpc.secondary_cidrs)]
    return [
        Route(destination_cidr=c, gateway_id="local", origin="CreateRouteTable") for c in blocks
    ]


def create_main_table(scope: Scope, vpc: Vpc) -> RouteTable:
    table = RouteTable(
        id=scope.new_id("rtb"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        routes=local_routes(vpc),
        associations=[RouteTableAssociation(association_id=scope.new_id("rtbassoc"), main=True)],
    )
    scope.add(table)
    return table


def create_route_table(
    scope: Scope, vpc_id: str, tags: Mapping[str, str] | None = None
) -> RouteTable:
    vpc = scope.require(Vpc, vpc_id)
    table = RouteTable(
        id=scope.new_id("rtb"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        routes=local_routes(vpc),
        tags=dict(tags or {}),
    )
    scope.add(table)
    return table


def delete_route_table(scope: Scope, table_id: str) -> None:
    table = require(scope, RouteTable, table_id)
    if dependencies.blockers(scope, table):
        raise errors.DependencyViolation("routeTable", table.id)
    scope.delete(table)


# --- associations -----------------------------------------------------------------------------
def find_association(scope: Scope, association_id: str) -> tuple[RouteTable, RouteTableAssociation]:
    check_id(association_id, "rtbassoc", errors.InvalidAssociationIDMalformed)
    for table in scope.list(RouteTable):
        for association in table.associations:
            if association.association_id == association_id:
                return table, association
    raise errors.InvalidAssociationIDNotFound(association_id)


def _different_networks(table: RouteTable, what: str) -> errors.AwsError:
    return errors.InvalidParameterValue.because(
        f"Route table {table.id} and {what} belong to different networks"
    )


def associate(
    scope: Scope, table_id: str, subnet_id: str | None = None, gateway_id: str | None = None
) -> RouteTableAssociation:
    """Route a subnet (or a gateway's ingress) by this table; each has one table at a time."""
    table = require(scope, RouteTable, table_id)
    association = RouteTableAssociation(association_id=scope.new_id("rtbassoc"))
    if subnet_id:
        subnet = require(scope, Subnet, subnet_id)
        if subnet.vpc_id != table.vpc_id:
            raise _different_networks(table, f"subnet {subnet.id}")
        association.subnet_id = subnet.id
    elif gateway_id:
        gateway = require(scope, InternetGateway, gateway_id)
        if gateway.attached_vpc_id != table.vpc_id:
            raise _different_networks(table, f"gateway {gateway.id}")
        association.gateway_id = gateway.id
    else:
        raise errors.ParameterMissing("subnetId or gatewayId")
    for other in scope.list(RouteTable, parent=table.vpc_id):
        for existing in other.associations:
            if (subnet_id and existing.subnet_id == subnet_id) or (
                gateway_id and existing.gateway_id == gateway_id
            ):
                raise errors.ResourceAlreadyAssociated.because(
                    f"the specified association for route table {table.id} conflicts with an "
                    "existing association"
                )
    table.associations.append(association)
    scope.put(table)
    return association


def disassociate(scope: Scope, association_id: str) -> None:
    table, association = find_association(scope, association_id)
    if association.main:
        raise errors.InvalidParameterValue.because(
            f"cannot disassociate the main route table association {association.association_id}"
        )
    table.associations.remove(association)
    scope.put(table)


def replace_association(scope: Scope, association_id: str, table_id: str) -> str:
    """Move an association (a subnet's, or the VPC's main one) to another table: its new id."""
    old_table, association = find_association(scope, association_id)
    table = require(scope, RouteTable, table_id)
    if table.vpc_id != old_table.vpc_id:
        raise _different_networks(table, f"association {association.association_id}")
    old_table.associations.remove(association)
    scope.put(old_table)
    if table.id == old_table.id:
        table = old_table
    moved = association.model_copy(update={"association_id": scope.new_id("rtbassoc")})
    table.associations.append(moved)
    scope.put(table)
    return moved.association_id


# --- routes ---------------------------------------------------------------------------------
def destination(scope: Scope, cidr: str) -> str:
    """A route's destination: an IPv4 CIDR (normalised) or a managed prefix list's id."""
    if cidr.startswith("pl-"):
        check_id(cidr, "pl", errors.InvalidPrefixListIdMalformed)
        if prefix_lists.by_id(scope.region, cidr) is None:
            raise errors.InvalidPrefixListIDNotFound(cidr)
        return cidr
    try:
        if "/" not in cidr:
            raise ValueError(cidr)
        return str(ipaddress.IPv4Network(cidr, strict=False))
    except ValueError as exc:
        raise errors.InvalidParameterValue.because(
            f"Value ({cidr}) for parameter destinationCidrBlock is invalid. This is not a valid "
            "IPv4 CIDR block."
        ) from exc


def _target_record(scope: Scope, table: RouteTable, target: Target) -> Record:
    """The target's record, checked to be in the table's VPC (and not terminated)."""
    prefix = TARGETS[target.kind][1]
    if target.kind == "GatewayId":
        prefix = split_id(target.target_id) or ""
        if prefix not in ("igw", "vgw"):
            raise errors.InvalidGatewayIDNotFound(target.target_id)
    record = resolve(scope, prefix, target.target_id)
    if isinstance(record, VpcPeeringConnection):
        return _peering_target(table, record)
    if isinstance(record, InternetGateway):
        network, what = record.attached_vpc_id, "network gateway"
    else:
        network, what = getattr(record, "vpc_id", None), "target"
    if network != table.vpc_id or getattr(record, "state", "") in ("shutting-down", "terminated"):
        raise errors.InvalidParameterValue.because(
            f"route table {table.id} and {what} {target.target_id} belong to different networks"
        )
    return record


def _peering_target(table: RouteTable, connection: VpcPeeringConnection) -> VpcPeeringConnection:
    """A peering connection routes for the VPCs on its two sides while it is open (a route
    to a pending one is a blackhole until it is accepted, as on AWS)."""
    sides = (connection.requester, connection.accepter)
    ours = any((s.account, s.vpc_id) == (table.account, table.vpc_id) for s in sides)
    if connection.status not in ("pending-acceptance", "active"):
        raise errors.InvalidVpcPeeringConnectionIDNotFound(connection.id)
    if not ours:
        raise errors.InvalidParameterValue.because(
            f"route table {table.id} and network gateway {connection.id} belong to different "
            "networks"
        )
    return connection


def _route(scope: Scope, table: RouteTable, cidr: str, target: Target) -> Route:
    """The Route a request describes, its one target checked to exist in the table's VPC."""
    record = _target_record(scope, table, target)
    field = TARGETS[target.kind][0]
    if field is None:
        raise errors.UnsupportedOperation.because(
            f"privlink does not support the route target {target.kind}."
        )
    route = Route(destination_cidr=cidr)
    setattr(route, field, target.target_id)
    if isinstance(record, Instance):
        route.network_interface_id = record.network_interface_id
    vpc = scope.get(Vpc, table.vpc_id)
    inside = (
        vpc is not None
        and not cidr.startswith("pl-")
        and ipaddress.IPv4Network(cidr).subnet_of(ipaddress.IPv4Network(vpc.cidr))
    )
    if inside and field not in INSIDE_VPC_TARGETS:
        raise errors.InvalidParameterValue.because(
            f"The destination CIDR block {cidr} is equal to or more specific than one of "
            "this VPC's CIDR blocks. This route can target only an interface or an instance."
        )
    return route


def create_route(scope: Scope, table_id: str, cidr: str, target: Target) -> Route:
    table = require(scope, RouteTable, table_id)
    cidr = destination(scope, cidr)
    if any(r.destination_cidr == cidr for r in routes_of(scope, table)):
        raise errors.RouteAlreadyExists(cidr)
    route = _route(scope, table, cidr, target)
    table.routes.append(route)
    scope.put(table)
    return route


def _existing(table: RouteTable, cidr: str, missing: str, local: str) -> int:
    """The index of the (non-local) route to `cidr`; `missing`/`local` word the refusals."""
    for index, route in enumerate(table.routes):
        if route.destination_cidr == cidr:
            if route.gateway_id == "local":
                raise errors.InvalidParameterValue.because(
                    f"cannot {local} local route {cidr} in route table {table.id}"
                )
            return index
    raise errors.InvalidRouteNotFound.because(missing)


def replace_route(scope: Scope, table_id: str, cidr: str, target: Target) -> Route:
    table = require(scope, RouteTable, table_id)
    cidr = destination(scope, cidr)
    missing = (
        f"There is no route defined for '{cidr}' in the route table. Please correct the "
        "destination and try the command again."
    )
    index = _existing(table, cidr, missing, "replace")
    route = _route(scope, table, cidr, target)
    route.origin = table.routes[index].origin
    table.routes[index] = route
    scope.put(table)
    return route


def delete_route(scope: Scope, table_id: str, cidr: str) -> None:
    table = require(scope, RouteTable, table_id)
    cidr = destination(scope, cidr)
    missing = f"no route with destination-cidr-block {cidr} in route table {table.id}"
    del table.routes[_existing(table, cidr, missing, "remove")]
    scope.put(table)
