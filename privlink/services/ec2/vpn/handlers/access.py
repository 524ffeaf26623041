"""Client VPN authorization rules and connections: authorize, revoke, describe, terminate."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.ec2.vpn import authorization, connections
from privlink.services.ec2.vpn.endpoints import require_endpoint
from privlink.services.ec2.vpn.records import ClientVpnConnection
from privlink.services.shared.describe import narrow


@handles("AuthorizeClientVpnIngress")
def authorize_client_vpn_ingress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    rule = authorization.authorize_ingress(
        ctx,
        params["ClientVpnEndpointId"],
        params["TargetNetworkCidr"],
        params.get("AccessGroupId"),
        params.get("AuthorizeAllGroups"),
        params.get("Description") or "",
    )
    return {"Status": {"Code": rule.status}}


@handles("RevokeClientVpnIngress")
def revoke_client_vpn_ingress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    rule = authorization.revoke_ingress(
        ctx,
        params["ClientVpnEndpointId"],
        params["TargetNetworkCidr"],
        params.get("AccessGroupId"),
        params.get("RevokeAllGroups"),
    )
    return {"Status": {"Code": rule.status}}


@handles("DescribeClientVpnAuthorizationRules")
def describe_client_vpn_authorization_rules(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = require_endpoint(ctx, params["ClientVpnEndpointId"])
    chunk, token = narrow(
        endpoint.authorization_rules,
        params,
        {
            "description": lambda r: r.description,
            "destination-cidr": lambda r: r.destination_cidr,
            "group-id": lambda r: r.group_id,
        },
        lambda r: f"{r.destination_cidr}|{r.group_id}",
    )
    return {
        "AuthorizationRules": [
            {
                "ClientVpnEndpointId": endpoint.id,
                "Description": r.description or None,
                "GroupId": r.group_id,
                "AccessAll": r.access_all,
                "DestinationCidr": r.destination_cidr,
                "Status": {"Code": r.status},
            }
            for r in chunk
        ],
        "NextToken": token,
    }


def wire_connection(c: ClientVpnConnection, now: str) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": c.endpoint_id,
        "Timestamp": c.end_time or now,
        "ConnectionId": c.id,
        "ConnectionEstablishedTime": c.established_time,
        "IngressBytes": str(c.ingress_bytes),
        "EgressBytes": str(c.egress_bytes),
        "IngressPackets": str(c.ingress_packets),
        "EgressPackets": str(c.egress_packets),
        "ClientIp": c.client_ip,
        "CommonName": c.common_name,
        "Status": {"Code": c.status},
        "ConnectionEndTime": c.end_time or "-",
        "PostureComplianceStatuses": [],
    }


@handles("DescribeClientVpnConnections")
def describe_client_vpn_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = require_endpoint(ctx, params["ClientVpnEndpointId"])
    chunk, token = narrow(
        ctx.list(ClientVpnConnection, parent=endpoint.id),
        params,
        {"connection-id": lambda c: c.id, "username": lambda c: c.common_name},
        lambda c: c.id,
    )
    now = ctx.now().strftime(connections.TIME_FORMAT)
    return {"Connections": [wire_connection(c, now) for c in chunk], "NextToken": token}


@handles("TerminateClientVpnConnections")
def terminate_client_vpn_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    changes = connections.terminate_connections(
        ctx, params["ClientVpnEndpointId"], params.get("ConnectionId"), params.get("Username")
    )
    return {
        "ClientVpnEndpointId": params["ClientVpnEndpointId"],
        "Username": params.get("Username"),
        "ConnectionStatuses": [
            {
                "ConnectionId": change.connection_id,
                "PreviousStatus": {"Code": change.previous},
                "CurrentStatus": {"Code": change.current},
            }
            for change in changes
        ],
    }
