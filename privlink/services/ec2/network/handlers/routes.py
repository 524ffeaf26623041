"""Route table, route and internet gateway handlers: wire input -> operation -> wire output."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.network import gateways, route_tables, views
from privlink.services.ec2.network.route_tables import TARGETS, Target
from privlink.services.ec2.records import RouteTable
from privlink.services.ec2.resource_kinds import require
from privlink.services.shared.idempotency import remember_token, replayed

UNSUPPORTED_TARGETS = (
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
    "OdbNetworkArn",
)
ONE_TARGET = (
    "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, "
    "vpcPeeringConnectionId, transitGatewayId, vpcEndpointId or instanceId"
)


# --- route tables ---------------------------------------------------------------------------
@handles("CreateRouteTable")
def create_route_table(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateRouteTable", params)
    table = ctx.get(RouteTable, earlier) if earlier else None
    if table is None:
        tags = tag_wire.for_type(params, "route-table")
        table = route_tables.create_route_table(ctx, params["VpcId"], tags)
        remember_token(ctx, "CreateRouteTable", params, table.id)
    return {"RouteTable": views.wire_table(ctx, table), "ClientToken": params.get("ClientToken")}


@handles("DeleteRouteTable")
def delete_route_table(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    route_tables.delete_route_table(ctx, params["RouteTableId"])
    return {}


@handles("DescribeRouteTables")
def describe_route_tables(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = views.ROUTE_TABLES.page(ctx, params.get("RouteTableIds"), params)
    return {"RouteTables": [views.wire_table(ctx, t) for t in chunk], "NextToken": token}


@handles("AssociateRouteTable")
def associate_route_table(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    subnet_id, gateway_id = params.get("SubnetId"), params.get("GatewayId")
    if subnet_id and gateway_id:
        require(ctx, RouteTable, params["RouteTableId"])
        raise errors.InvalidParameterCombination.because(
            "The parameter subnetId cannot be used with the parameter gatewayId"
        )
    association = route_tables.associate(ctx, params["RouteTableId"], subnet_id, gateway_id)
    return {
        "AssociationId": association.association_id,
        "AssociationState": {"State": "associated"},
    }


@handles("DisassociateRouteTable")
def disassociate_route_table(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    route_tables.disassociate(ctx, params["AssociationId"])
    return {}


@handles("ReplaceRouteTableAssociation")
def replace_route_table_association(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    new_id = route_tables.replace_association(ctx, params["AssociationId"], params["RouteTableId"])
    return {"NewAssociationId": new_id, "AssociationState": {"State": "associated"}}


# --- routes ---------------------------------------------------------------------------------
def _destination(params: dict[str, Any]) -> str:
    """The one destination a request names: an IPv4 CIDR or a prefix list (IPv6 unsupported)."""
    cidr, prefix_list = params.get("DestinationCidrBlock"), params.get("DestinationPrefixListId")
    if cidr is not None and prefix_list is not None:
        raise errors.InvalidParameterCombination.because(
            "The parameter destinationCidrBlock cannot be used with the parameter "
            "destinationPrefixListId"
        )
    if prefix_list is not None:
        return str(prefix_list)
    if cidr is None:
        if params.get("DestinationIpv6CidrBlock"):
            raise errors.UnsupportedOperation.because(
                "privlink routes IPv4 destinations and prefix lists only, not "
                "DestinationIpv6CidrBlock."
            )
        raise errors.ParameterMissing("destinationCidrBlock")
    return str(cidr)


def _target(params: dict[str, Any]) -> Target:
    """The one target a CreateRoute/ReplaceRoute request names."""
    unsupported = [name for name in UNSUPPORTED_TARGETS if params.get(name)]
    if unsupported:
        raise errors.UnsupportedOperation.because(
            f"privlink does not support the route target {unsupported[0]}."
        )
    given = [name for name in TARGETS if params.get(name)]
    if not given:
        raise errors.MissingParameter.because(ONE_TARGET)
    if len(given) > 1:
        raise errors.InvalidParameterCombination.because(ONE_TARGET)
    return Target(given[0], params[given[0]])


@handles("CreateRoute")
def create_route(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require(ctx, RouteTable, params["RouteTableId"])
    destination = _destination(params)
    route_tables.create_route(ctx, params["RouteTableId"], destination, _target(params))
    return {"Return": True}


@handles("ReplaceRoute")
def replace_route(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require(ctx, RouteTable, params["RouteTableId"])
    destination = _destination(params)
    route_tables.replace_route(ctx, params["RouteTableId"], destination, _target(params))
    return {}


@handles("DeleteRoute")
def delete_route(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require(ctx, RouteTable, params["RouteTableId"])
    route_tables.delete_route(ctx, params["RouteTableId"], _destination(params))
    return {}


# --- internet gateways ----------------------------------------------------------------------
@handles("CreateInternetGateway")
def create_internet_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = tag_wire.for_type(params, "internet-gateway")
    gateway = gateways.create_internet_gateway(ctx, tags)
    return {"InternetGateway": views.wire_gateway(gateway)}


@handles("AttachInternetGateway")
def attach_internet_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    gateways.attach_internet_gateway(ctx, params["InternetGatewayId"], params["VpcId"])
    return {}


@handles("DetachInternetGateway")
def detach_internet_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    gateways.detach_internet_gateway(ctx, params["InternetGatewayId"], params["VpcId"])
    return {}


@handles("DeleteInternetGateway")
def delete_internet_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    gateways.delete_internet_gateway(ctx, params["InternetGatewayId"])
    return {}


@handles("DescribeInternetGateways")
def describe_internet_gateways(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = views.INTERNET_GATEWAYS.page(ctx, params.get("InternetGatewayIds"), params)
    return {"InternetGateways": [views.wire_gateway(g) for g in chunk], "NextToken": token}
