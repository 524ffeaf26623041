"""Client VPN endpoint handlers: create, describe, delete, export the client configuration."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.vpn import endpoints
from privlink.services.ec2.vpn.configuration import client_configuration
from privlink.services.ec2.vpn.records import ClientVpnEndpoint
from privlink.services.shared.describe import Describe
from privlink.services.shared.idempotency import remember_token, replayed


def _status(code: str) -> dict[str, str]:
    return {"Code": code}


def wire_endpoint(endpoint: ClientVpnEndpoint) -> dict[str, Any]:
    return {
        "ClientVpnEndpointId": endpoint.id,
        "Description": endpoint.description,
        "Status": _status(endpoint.status),
        "CreationTime": endpoint.creation_time,
        "DeletionTime": endpoint.deletion_time,
        "DnsName": f"*.{endpoint.dns_name}",
        "ClientCidrBlock": endpoint.client_cidr,
        "DnsServers": endpoint.dns_servers or None,
        "SplitTunnel": endpoint.split_tunnel,
        "VpnProtocol": "openvpn",
        "TransportProtocol": endpoint.transport,
        "VpnPort": endpoint.vpn_port,
        "ServerCertificateArn": endpoint.server_certificate_arn,
        "AuthenticationOptions": [
            {
                "Type": endpoints.CERTIFICATE_AUTH,
                "MutualAuthentication": {
                    "ClientRootCertificateChain": endpoint.client_root_certificate_arn
                },
            }
        ],
        "ConnectionLogOptions": {
            "Enabled": endpoint.connection_log_enabled,
            "CloudwatchLogGroup": endpoint.connection_log_group,
            "CloudwatchLogStream": endpoint.connection_log_stream,
        },
        "Tags": tag_wire.wire(endpoint.tags),
        "SecurityGroupIds": endpoint.group_ids,
        "VpcId": endpoint.vpc_id,
        "SelfServicePortalUrl": "",
        "ClientConnectOptions": {"Enabled": False, "Status": _status("applied")},
        "SessionTimeoutHours": endpoint.session_timeout_hours,
        "ClientLoginBannerOptions": {"Enabled": False},
        "ClientRouteEnforcementOptions": {"Enforced": False},
        "DisconnectOnSessionTimeout": False,
        "EndpointIpAddressType": "ipv4",
        "TrafficIpAddressType": "ipv4",
    }


ENDPOINTS = Describe(
    ClientVpnEndpoint,
    {
        "endpoint-id": lambda e: e.id,
        "transport-protocol": lambda e: e.transport,
    },
)


def _spec(ctx: Context, params: dict[str, Any]) -> endpoints.EndpointSpec:
    log = params.get("ConnectionLogOptions") or {}
    return endpoints.EndpointSpec(
        client_cidr=params.get("ClientCidrBlock") or "",
        server_certificate_arn=params["ServerCertificateArn"],
        authentication=[
            endpoints.Authentication(
                option.get("Type", ""),
                (option.get("MutualAuthentication") or {}).get("ClientRootCertificateChainArn"),
            )
            for option in params.get("AuthenticationOptions") or []
        ],
        connection_log_enabled=bool(log.get("Enabled")),
        connection_log_group=log.get("CloudwatchLogGroup"),
        connection_log_stream=log.get("CloudwatchLogStream"),
        dns_servers=params.get("DnsServers") or (),
        transport=params.get("TransportProtocol") or "udp",
        vpn_port=params.get("VpnPort") or 443,
        description=params.get("Description") or "",
        split_tunnel=bool(params.get("SplitTunnel")),
        vpc_id=params.get("VpcId"),
        group_ids=params.get("SecurityGroupIds") or (),
        session_timeout_hours=params.get("SessionTimeoutHours") or 24,
        tags=tag_wire.for_type(params, "client-vpn-endpoint"),
    )


@handles("CreateClientVpnEndpoint")
def create_client_vpn_endpoint(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateClientVpnEndpoint", params)
    endpoint = ctx.get(ClientVpnEndpoint, earlier) if earlier else None
    if endpoint is None:
        endpoint = endpoints.create_client_vpn_endpoint(ctx, _spec(ctx, params))
        remember_token(ctx, "CreateClientVpnEndpoint", params, endpoint.id)
    return {
        "ClientVpnEndpointId": endpoint.id,
        "Status": _status(endpoint.status),
        "DnsName": endpoint.dns_name,
    }


@handles("DescribeClientVpnEndpoints")
def describe_client_vpn_endpoints(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = ENDPOINTS.page(ctx, params.get("ClientVpnEndpointIds"), params)
    return {"ClientVpnEndpoints": [wire_endpoint(e) for e in chunk], "NextToken": token}


@handles("DeleteClientVpnEndpoint")
def delete_client_vpn_endpoint(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = endpoints.delete_client_vpn_endpoint(ctx, params["ClientVpnEndpointId"])
    return {"Status": _status(endpoint.status)}


@handles("ExportClientVpnClientConfiguration")
def export_client_vpn_client_configuration(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"ClientConfiguration": client_configuration(ctx, params["ClientVpnEndpointId"])}
