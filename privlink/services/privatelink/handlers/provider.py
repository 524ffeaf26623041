"""Handlers of the provider's operations: endpoint services, permissions, connections.

CreateVpcEndpointServiceConfiguration, DescribeVpcEndpointServiceConfigurations,
ModifyVpcEndpointServiceConfiguration, DeleteVpcEndpointServiceConfigurations,
StartVpcEndpointServicePrivateDnsVerification,
ModifyVpcEndpointServicePayerResponsibility,
ModifyVpcEndpointServicePermissions, DescribeVpcEndpointServicePermissions,
AcceptVpcEndpointConnections, RejectVpcEndpointConnections,
DescribeVpcEndpointConnections. Each turns the wire input into a typed call
(privatelink.provider) and its result into the wire output.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.privatelink import provider, queries
from privlink.services.privatelink.handlers import wire
from privlink.services.privatelink.records import EndpointService, ServicePermission, VpcEndpoint
from privlink.services.shared import idempotency
from privlink.services.shared.describe import Describe

CREATE = "CreateVpcEndpointServiceConfiguration"


@handles("CreateVpcEndpointServiceConfiguration")
def create_vpc_endpoint_service_configuration(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = idempotency.replayed(ctx, CREATE, params)
    if previous:
        made = queries.own_service(ctx, previous)
        return {"ServiceConfiguration": wire.service(made), "ClientToken": token}
    made = provider.create_endpoint_service(
        ctx,
        provider.EndpointServiceSpec(
            network_load_balancer_arns=params.get("NetworkLoadBalancerArns") or [],
            gateway_load_balancer_arns=params.get("GatewayLoadBalancerArns") or [],
            acceptance_required=bool(params.get("AcceptanceRequired", False)),
            private_dns_name=params.get("PrivateDnsName"),
            supported_ip_address_types=params.get("SupportedIpAddressTypes") or ["ipv4"],
            supported_regions=params.get("SupportedRegions") or [],
            tags=tag_wire.for_type(params, "vpc-endpoint-service"),
        ),
    )
    idempotency.remember_token(ctx, CREATE, params, made.id)
    return {"ServiceConfiguration": wire.service(made), "ClientToken": token}


SERVICES = Describe(
    EndpointService,
    {
        "service-name": lambda s: s.service_name,
        "service-id": lambda s: s.id,
        "service-state": lambda s: s.state,
        "supported-ip-address-types": lambda s: s.supported_ip_address_types,
    },
    check_id=queries.check_service_id,
)


@handles("DescribeVpcEndpointServiceConfigurations")
def describe_vpc_endpoint_service_configurations(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    chunk, token = SERVICES.page(ctx, params.get("ServiceIds"), params)
    return {"ServiceConfigurations": [wire.service(s) for s in chunk], "NextToken": token}


@handles("ModifyVpcEndpointServiceConfiguration")
def modify_vpc_endpoint_service_configuration(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    provider.modify_endpoint_service(
        ctx,
        provider.EndpointServiceChange(
            service_id=params["ServiceId"],
            add_network_load_balancer_arns=params.get("AddNetworkLoadBalancerArns") or [],
            remove_network_load_balancer_arns=params.get("RemoveNetworkLoadBalancerArns") or [],
            add_gateway_load_balancer_arns=params.get("AddGatewayLoadBalancerArns") or [],
            remove_gateway_load_balancer_arns=params.get("RemoveGatewayLoadBalancerArns") or [],
            acceptance_required=params.get("AcceptanceRequired"),
            private_dns_name=params.get("PrivateDnsName"),
            remove_private_dns_name=bool(params.get("RemovePrivateDnsName")),
            add_supported_ip_address_types=params.get("AddSupportedIpAddressTypes") or [],
            remove_supported_ip_address_types=params.get("RemoveSupportedIpAddressTypes") or [],
            add_supported_regions=params.get("AddSupportedRegions") or [],
            remove_supported_regions=params.get("RemoveSupportedRegions") or [],
        ),
    )
    return {"Return": True}


@handles("DeleteVpcEndpointServiceConfigurations")
def delete_vpc_endpoint_service_configurations(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    refused = provider.delete_endpoint_services(ctx, params["ServiceIds"])
    return {"Unsuccessful": wire.unsuccessful(refused)}


@handles("StartVpcEndpointServicePrivateDnsVerification")
def start_vpc_endpoint_service_private_dns_verification(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    provider.verify_private_dns(ctx, params["ServiceId"])
    return {"ReturnValue": True}


@handles("ModifyVpcEndpointServicePayerResponsibility")
def modify_vpc_endpoint_service_payer_responsibility(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    queries.own_service(ctx, params["ServiceId"])
    raise errors.PayerResponsibilityNotImplemented()


# --- permissions --------------------------------------------------------------------
@handles("ModifyVpcEndpointServicePermissions")
def modify_vpc_endpoint_service_permissions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    added = provider.modify_endpoint_service_permissions(
        ctx,
        params["ServiceId"],
        add=params.get("AddAllowedPrincipals") or [],
        remove=params.get("RemoveAllowedPrincipals") or [],
    )
    return {
        "AddedPrincipals": [wire.permission(p, with_tags=False) for p in added] or None,
        "ReturnValue": True,
    }


PERMISSIONS = Describe(
    ServicePermission,
    {
        "principal": lambda p: p.principal,
        "principal-type": lambda p: p.principal_type,
    },
)


@handles("DescribeVpcEndpointServicePermissions")
def describe_vpc_endpoint_service_permissions(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    held = provider.permissions_of(ctx, params["ServiceId"])
    chunk, token = PERMISSIONS.page(ctx, None, params, items=held)
    return {"AllowedPrincipals": [wire.permission(p) for p in chunk], "NextToken": token}


# --- connections --------------------------------------------------------------------
@handles("AcceptVpcEndpointConnections")
def accept_vpc_endpoint_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    refused = provider.accept_connections(ctx, params["ServiceId"], params["VpcEndpointIds"])
    return {"Unsuccessful": wire.unsuccessful(refused)}


@handles("RejectVpcEndpointConnections")
def reject_vpc_endpoint_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    refused = provider.reject_connections(ctx, params["ServiceId"], params["VpcEndpointIds"])
    return {"Unsuccessful": wire.unsuccessful(refused)}


CONNECTIONS = Describe(
    VpcEndpoint,
    {
        "service-id": lambda e: e.service_id,
        "vpc-endpoint-owner": lambda e: e.account,
        "vpc-endpoint-id": lambda e: e.id,
        "vpc-endpoint-state": lambda e: e.state,
        "vpc-endpoint-region": lambda e: e.region,
        "ip-address-type": lambda e: e.ip_address_type,
    },
    tags=lambda e: {},
)


@handles("DescribeVpcEndpointConnections")
def describe_vpc_endpoint_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = CONNECTIONS.page(ctx, None, params, items=queries.connections(ctx))
    return {
        "VpcEndpointConnections": [wire.connection(ctx.uow, e) for e in chunk],
        "NextToken": token,
    }
