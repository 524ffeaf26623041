"""Route tables: tables, subnet/gateway associations (incl. the main one) and routes.

Every VPC has one main table (made with the VPC) that subnets without an
explicit association use. A route's state is computed when shown: a target
that went away (gateway detached, interface deleted, instance terminated)
turns it into a blackhole, as on AWS.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services.ec2 import common
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    NetworkInterface,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Vpc,
)

# CreateRoute/ReplaceRoute parameter -> (Route field, id prefix of the target)
TARGETS: dict[str, tuple[str | None, str]] = {
    "GatewayId": ("gateway_id", "igw"),
    "NatGatewayId": ("nat_gateway_id", "nat"),
    "NetworkInterfaceId": ("network_interface_id", "eni"),
    "InstanceId": ("instance_id", "i"),
    "VpcEndpointId": ("vpc_endpoint_id", "vpce"),
    "VpcPeeringConnectionId": ("vpc_peering_connection_id", "pcx"),
    "TransitGatewayId": (None, "tgw"),
}
UNSUPPORTED_TARGETS = (
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
    "OdbNetworkArn",
)
# Targets a route more specific than the VPC's CIDR may use.
INSIDE_VPC_TARGETS = ("network_interface_id", "instance_id", "vpc_endpoint_id")


def _table(ctx: Scope, table_id: str) -> RouteTable:
    return common.resolve(ctx, "rtb", table_id)  # type: ignore[no-any-return]


def main_table(ctx: Scope, vpc_id: str) -> RouteTable | None:
    for table in ctx.uow.list(RouteTable, parent=vpc_id):
        if table.is_main:
            return table
    return None


def table_for_subnet(ctx: Scope, subnet: Subnet) -> RouteTable | None:
    """The table a subnet routes by: its explicit association, else the VPC's main table."""
    tables = ctx.uow.list(RouteTable, parent=subnet.vpc_id)
    for table in tables:
        if any(a.subnet_id == subnet.id for a in table.associations):
            return table
    return next((t for t in tables if t.is_main), None)


# --- wire -----------------------------------------------------------------------------------
def route_state(ctx: Scope, table: RouteTable, route: Route) -> str:
    gateway = route.gateway_id or ""
    if gateway.startswith("igw-"):
        igw = ctx.uow.get(InternetGateway, gateway)
        return "active" if igw and igw.attached_vpc_id == table.vpc_id else "blackhole"
    if route.instance_id:
        instance = ctx.uow.get(Instance, route.instance_id)
        gone = instance is None or instance.state in ("shutting-down", "terminated")
        return "blackhole" if gone else "active"
    if route.network_interface_id:
        found = ctx.uow.get(NetworkInterface, route.network_interface_id) is not None
        return "active" if found else "blackhole"
    return route.state


def wire_route(ctx: Scope, table: RouteTable, route: Route) -> dict[str, Any]:
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
        "State": route_state(ctx, table, route),
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


def wire_table(ctx: Scope, table: RouteTable) -> dict[str, Any]:
    return {
        "Associations": [wire_association(table, a) for a in table.associations],
        "PropagatingVgws": [],
        "RouteTableId": table.id,
        "Routes": [wire_route(ctx, table, r) for r in table.routes],
        "Tags": common.wire_tags(table.tags),
        "VpcId": table.vpc_id,
        "OwnerId": table.account,
    }


# --- tables ---------------------------------------------------------------------------------
@handles("CreateRouteTable")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    earlier = common.replayed(ctx, "CreateRouteTable", params)
    if earlier and (table := ctx.uow.get(RouteTable, earlier)) is not None:
        return {"RouteTable": wire_table(ctx, table), "ClientToken": params.get("ClientToken")}
    vpc: Vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    table = RouteTable(
        id=ctx.new_id("rtb"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=vpc.id,
        routes=[Route(destination_cidr=vpc.cidr, gateway_id="local", origin="CreateRouteTable")],
        tags=common.tags_for(params, "route-table"),
    )
    ctx.uow.add(table)
    common.remember_token(ctx, "CreateRouteTable", params, table.id)
    return {"RouteTable": wire_table(ctx, table), "ClientToken": params.get("ClientToken")}


@handles("DeleteRouteTable")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, params["RouteTableId"])
    if table.associations:
        raise errors.DependencyViolation(
            f"The routeTable '{table.id}' has dependencies and cannot be deleted."
        )
    ctx.uow.delete(table)
    return {}


def _route_getter(field: str) -> filters.Getter:
    return lambda t: [getattr(r, field) for r in t.routes]


def _association_getter(field: str) -> filters.Getter:
    return lambda t: [getattr(a, field) for a in t.associations]


FILTERS: dict[str, filters.Getter] = {
    "association.gateway-id": _association_getter("gateway_id"),
    "association.main": _association_getter("main"),
    "association.route-table-association-id": _association_getter("association_id"),
    "association.route-table-id": lambda t: [t.id for _ in t.associations],
    "association.subnet-id": _association_getter("subnet_id"),
    "owner-id": lambda t: t.account,
    "route-table-id": lambda t: t.id,
    "route.destination-cidr-block": _route_getter("destination_cidr"),
    "route.gateway-id": _route_getter("gateway_id"),
    "route.instance-id": _route_getter("instance_id"),
    "route.nat-gateway-id": _route_getter("nat_gateway_id"),
    "route.origin": _route_getter("origin"),
    "route.vpc-peering-connection-id": _route_getter("vpc_peering_connection_id"),
    "vpc-id": lambda t: t.vpc_id,
}


@handles("DescribeRouteTables")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("RouteTableIds")
    for table_id in ids or []:
        common.check_id(table_id, "rtb", errors.InvalidRouteTableIDMalformed)
    tables = common.scoped(
        ctx, RouteTable, ids, errors.InvalidRouteTableIDNotFound, "routeTable ID"
    )
    getters = {
        **FILTERS,
        "route.state": lambda t: [route_state(ctx, t, r) for r in t.routes],
    }
    tables = filters.apply(tables, params.get("Filters"), getters)
    chunk, token = paging.page(
        tables, params.get("MaxResults"), params.get("NextToken"), lambda t: t.id
    )
    return {"RouteTables": [wire_table(ctx, t) for t in chunk], "NextToken": token}


# --- associations -----------------------------------------------------------------------------
def _find_association(ctx: Scope, association_id: str) -> tuple[RouteTable, RouteTableAssociation]:
    common.check_id(association_id, "rtbassoc", errors.InvalidAssociationIDMalformed)
    for table in ctx.uow.list(RouteTable, ctx.account, ctx.region):
        for association in table.associations:
            if association.association_id == association_id:
                return table, association
    raise errors.InvalidAssociationIDNotFound(association_id)


@handles("AssociateRouteTable")
def associate(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, params["RouteTableId"])
    subnet_id, gateway_id = params.get("SubnetId"), params.get("GatewayId")
    if subnet_id and gateway_id:
        raise errors.InvalidParameterCombination(
            "The parameter subnetId cannot be used with the parameter gatewayId"
        )
    association = RouteTableAssociation(association_id=ctx.new_id("rtbassoc"))
    if subnet_id:
        subnet: Subnet = common.resolve(ctx, "subnet", subnet_id)
        if subnet.vpc_id != table.vpc_id:
            raise errors.InvalidParameterValue(
                f"Route table {table.id} and subnet {subnet.id} belong to different networks"
            )
        association.subnet_id = subnet.id
    elif gateway_id:
        gateway: InternetGateway = common.resolve(ctx, "igw", gateway_id)
        if gateway.attached_vpc_id != table.vpc_id:
            raise errors.InvalidParameterValue(
                f"Route table {table.id} and gateway {gateway.id} belong to different networks"
            )
        association.gateway_id = gateway.id
    else:
        raise errors.MissingParameter(
            "The request must contain the parameter subnetId or gatewayId"
        )
    for other in ctx.uow.list(RouteTable, parent=table.vpc_id):
        for existing in other.associations:
            taken = (subnet_id and existing.subnet_id == subnet_id) or (
                gateway_id and existing.gateway_id == gateway_id
            )
            if taken:
                raise errors.ResourceAlreadyAssociated(
                    f"the specified association for route table {table.id} conflicts with an "
                    "existing association"
                )
    table.associations.append(association)
    ctx.uow.put(table)
    return {
        "AssociationId": association.association_id,
        "AssociationState": {"State": "associated"},
    }


@handles("DisassociateRouteTable")
def disassociate(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table, association = _find_association(ctx, params["AssociationId"])
    if association.main:
        raise errors.InvalidParameterValue(
            f"cannot disassociate the main route table association {association.association_id}"
        )
    table.associations.remove(association)
    ctx.uow.put(table)
    return {}


@handles("ReplaceRouteTableAssociation")
def replace_association(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Move an association (a subnet's, or the VPC's main one) to another table."""
    old_table, association = _find_association(ctx, params["AssociationId"])
    table = _table(ctx, params["RouteTableId"])
    if table.vpc_id != old_table.vpc_id:
        raise errors.InvalidParameterValue(
            f"Route table {table.id} and association {association.association_id} belong to "
            "different networks"
        )
    old_table.associations.remove(association)
    ctx.uow.put(old_table)
    if table.id == old_table.id:
        table = old_table
    moved = association.model_copy(update={"association_id": ctx.new_id("rtbassoc")})
    table.associations.append(moved)
    ctx.uow.put(table)
    return {"NewAssociationId": moved.association_id, "AssociationState": {"State": "associated"}}


# --- routes ---------------------------------------------------------------------------------
def _destination(params: dict[str, Any]) -> str:
    cidr = params.get("DestinationCidrBlock")
    if cidr is None:
        if params.get("DestinationIpv6CidrBlock") or params.get("DestinationPrefixListId"):
            raise errors.UnsupportedOperation(
                "privlink routes IPv4 destinations only (DestinationCidrBlock)."
            )
        raise errors.MissingParameter("The request must contain the parameter destinationCidrBlock")
    try:
        if "/" not in cidr:
            raise ValueError(cidr)
        return str(ipaddress.IPv4Network(cidr, strict=False))
    except ValueError as exc:
        raise errors.InvalidParameterValue(
            f"Value ({cidr}) for parameter destinationCidrBlock is invalid. This is not a valid "
            "IPv4 CIDR block."
        ) from exc


def _target_route(ctx: Scope, table: RouteTable, destination: str, params: dict[str, Any]) -> Route:
    """The Route a request describes, its one target checked to exist in the table's VPC."""
    unsupported = [name for name in UNSUPPORTED_TARGETS if params.get(name)]
    if unsupported:
        raise errors.UnsupportedOperation(
            f"privlink does not support the route target {unsupported[0]}."
        )
    given = [name for name in TARGETS if params.get(name)]
    if not given:
        raise errors.MissingParameter(
            "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, "
            "vpcPeeringConnectionId, transitGatewayId, vpcEndpointId or instanceId"
        )
    if len(given) > 1:
        raise errors.InvalidParameterCombination(
            "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, "
            "vpcPeeringConnectionId, transitGatewayId, vpcEndpointId or instanceId"
        )
    name = given[0]
    target_id = params[name]
    field, prefix = TARGETS[name]
    if name == "GatewayId":
        prefix = common.split_id(target_id) or ""
        if prefix not in ("igw", "vgw"):
            raise errors.InvalidGatewayIDNotFound(target_id)
    record = common.resolve(ctx, prefix, target_id)
    if isinstance(record, InternetGateway):
        network, what = record.attached_vpc_id, "network gateway"
    else:
        network, what = getattr(record, "vpc_id", None), "target"
    if network != table.vpc_id or getattr(record, "state", "") in ("shutting-down", "terminated"):
        raise errors.InvalidParameterValue(
            f"route table {table.id} and {what} {target_id} belong to different networks"
        )
    if field is None:
        raise errors.UnsupportedOperation(f"privlink does not support the route target {name}.")
    route = Route(destination_cidr=destination)
    setattr(route, field, target_id)
    if name == "InstanceId":
        route.network_interface_id = record.network_interface_id
    vpc = ctx.uow.get(Vpc, table.vpc_id)
    inside = vpc is not None and ipaddress.IPv4Network(destination).subnet_of(
        ipaddress.IPv4Network(vpc.cidr)
    )
    if inside and field not in INSIDE_VPC_TARGETS:
        raise errors.InvalidParameterValue(
            f"The destination CIDR block {destination} is equal to or more specific than one of "
            "this VPC's CIDR blocks. This route can target only an interface or an instance."
        )
    return route


@handles("CreateRoute")
def create_route(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, params["RouteTableId"])
    destination = _destination(params)
    if any(r.destination_cidr == destination for r in table.routes):
        raise errors.RouteAlreadyExists(f"The route identified by {destination} already exists.")
    table.routes.append(_target_route(ctx, table, destination, params))
    ctx.uow.put(table)
    return {"Return": True}


def _existing(table: RouteTable, destination: str, message: str) -> int:
    for index, route in enumerate(table.routes):
        if route.destination_cidr == destination:
            return index
    raise errors.InvalidRouteNotFound(message)


@handles("ReplaceRoute")
def replace_route(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, params["RouteTableId"])
    destination = _destination(params)
    index = _existing(
        table,
        destination,
        f"There is no route defined for '{destination}' in the route table. Please correct the "
        "destination and try the command again.",
    )
    if table.routes[index].gateway_id == "local":
        raise errors.InvalidParameterValue(
            f"cannot replace local route {destination} in route table {table.id}"
        )
    route = _target_route(ctx, table, destination, params)
    route.origin = table.routes[index].origin
    table.routes[index] = route
    ctx.uow.put(table)
    return {}


@handles("DeleteRoute")
def delete_route(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    table = _table(ctx, params["RouteTableId"])
    destination = _destination(params)
    index = _existing(
        table,
        destination,
        f"no route with destination-cidr-block {destination} in route table {table.id}",
    )
    if table.routes[index].gateway_id == "local":
        raise errors.InvalidParameterValue(
            f"cannot remove local route {destination} in route table {table.id}"
        )
    del table.routes[index]
    ctx.uow.put(table)
    return {}
