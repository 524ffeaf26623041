"""Client VPN target networks and routes: associate, disassociate, describe."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.ec2.vpn import networks
from privlink.services.ec2.vpn.endpoints import require_endpoint
from privlink.services.ec2.vpn.records import ClientVpnEndpoint, TargetNetwork, VpnRoute
from privlink.services.shared.describe import narrow
from privlink.services.shared.idempotency import remember_token, replayed


def wire_network(endpoint: ClientVpnEndpoint, network: TargetNetwork) -> dict[str, Any]:
    return {
        "AssociationId": network.association_id,
        "VpcId": endpoint.vpc_id,
        "TargetNetworkId": network.subnet_id,
        "ClientVpnEndpointId": endpoint.id,
        "Status": {"Code": network.status},
        "SecurityGroups": endpoint.group_ids,
    }


def wire_route(endpoint: ClientVpnEndpoint, route: VpnRoute) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": endpoint.id,
        "DestinationCidr": route.destination_cidr,
        "TargetSubnet": route.target_subnet,
        "Type": route.type,
        "Origin": route.origin,
        "Status": {"Code": route.status},
        "Description": route.description or None,
    }


@handles("AssociateClientVpnTargetNetwork")
def associate_client_vpn_target_network(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint_id = params["ClientVpnEndpointId"]
    earlier = replayed(ctx, "AssociateClientVpnTargetNetwork", params)
    endpoint = require_endpoint(ctx, endpoint_id)
    found = [n for n in endpoint.target_networks if n.association_id == earlier]
    if found:
        network = found[0]
    else:
        network = networks.associate_target_network(ctx, endpoint_id, params.get("SubnetId") or "")
        remember_token(ctx, "AssociateClientVpnTargetNetwork", params, network.association_id)
    return {"AssociationId": network.association_id, "Status": {"Code": network.status}}


@handles("DisassociateClientVpnTargetNetwork")
def disassociate_client_vpn_target_network(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    network = networks.disassociate_target_network(
        ctx, params["ClientVpnEndpointId"], params["AssociationId"]
    )
    return {"AssociationId": network.association_id, "Status": {"Code": network.status}}


@handles("DescribeClientVpnTargetNetworks")
def describe_client_vpn_target_networks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = require_endpoint(ctx, params["ClientVpnEndpointId"])
    wanted = set(params.get("AssociationIds") or [])
    items = [n for n in endpoint.target_networks if not wanted or n.association_id in wanted]
    chunk, token = narrow(
        items,
        params,
        {
            "association-id": lambda n: n.association_id,
            "target-network-id": lambda n: n.subnet_id,
            "vpc-id": lambda n: endpoint.vpc_id,
        },
        lambda n: n.association_id,
    )
    return {
        "ClientVpnTargetNetworks": [wire_network(endpoint, n) for n in chunk],
        "NextToken": token,
    }


@handles("DescribeClientVpnRoutes")
def describe_client_vpn_routes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = require_endpoint(ctx, params["ClientVpnEndpointId"])
    chunk, token = narrow(
        endpoint.routes,
        params,
        {
            "destination-cidr": lambda r: r.destination_cidr,
            "origin": lambda r: r.origin,
            "target-subnet": lambda r: r.target_subnet,
        },
        lambda r: f"{r.destination_cidr}|{r.target_subnet}",
    )
    return {"Routes": [wire_route(endpoint, r) for r in chunk], "NextToken": token}
