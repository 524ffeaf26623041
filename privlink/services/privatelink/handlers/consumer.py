"""Handlers of the consumer's operations: VPC endpoints and the services they can reach.

CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint, DeleteVpcEndpoints,
DescribeVpcEndpointServices, DescribeVpcEndpointAssociations. Each turns the
wire input into a typed call (privatelink.consumer / discovery) and its
result into the wire output.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.domain import filters
from privlink.services.ec2 import tag_wire
from privlink.services.privatelink import consumer, discovery, queries
from privlink.services.privatelink.handlers import wire
from privlink.services.privatelink.records import VpcEndpoint
from privlink.services.privatelink.validation import subnet_configurations
from privlink.services.shared import idempotency
from privlink.services.shared.describe import Describe, narrow

TYPES = ("Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork")
SUBNET_TYPES = ("Interface", "GatewayLoadBalancer")
CREATE = "CreateVpcEndpoint"


@handles("CreateVpcEndpoint")
def create_vpc_endpoint(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = idempotency.replayed(ctx, CREATE, params)
    if previous:
        made = queries.own_endpoint(ctx, previous, include_deleted=True)
        return {"VpcEndpoint": wire.endpoint(ctx.uow, made), "ClientToken": token}
    endpoint_type = params.get("VpcEndpointType") or "Gateway"  # the model's default
    if endpoint_type not in TYPES:
        raise errors.InvalidVpcEndpointType(endpoint_type)
    pinned = subnet_configurations(params.get("SubnetConfigurations") or [])
    if (params.get("SubnetIds") or pinned) and endpoint_type not in SUBNET_TYPES:
        raise errors.SubnetsNeedInterfaceEndpoint()
    if params.get("RouteTableIds") and endpoint_type != "Gateway":
        raise errors.RouteTablesNeedGatewayEndpoint()
    if params.get("SecurityGroupIds") and endpoint_type == "Gateway":
        raise errors.GroupsNeedInterfaceEndpoint()
    if endpoint_type not in ("Interface", "Gateway"):
        raise errors.EndpointTypeNotImplemented(endpoint_type)
    tags = tag_wire.for_type(params, "vpc-endpoint")
    dns = params.get("DnsOptions") or {}
    if endpoint_type == "Gateway":
        made = consumer.create_gateway_endpoint(
            ctx,
            consumer.GatewayEndpointSpec(
                vpc_id=params["VpcId"],
                service_name=params.get("ServiceName") or "",
                route_table_ids=params.get("RouteTableIds") or [],
                policy_document=params.get("PolicyDocument"),
                service_region=params.get("ServiceRegion"),
                tags=tags,
            ),
        )
    else:
        made = consumer.create_interface_endpoint(
            ctx,
            consumer.InterfaceEndpointSpec(
                vpc_id=params["VpcId"],
                service_name=params.get("ServiceName") or "",
                subnet_ids=params.get("SubnetIds") or [],
                subnet_addresses=pinned,
                security_group_ids=params.get("SecurityGroupIds") or [],
                private_dns_enabled=params.get("PrivateDnsEnabled"),
                private_dns_only_for_inbound_resolver=dns.get(
                    "PrivateDnsOnlyForInboundResolverEndpoint"
                ),
                ip_address_type=params.get("IpAddressType"),
                dns_record_ip_type=dns.get("DnsRecordIpType"),
                policy_document=params.get("PolicyDocument"),
                service_region=params.get("ServiceRegion"),
                tags=tags,
            ),
        )
    idempotency.remember_token(ctx, CREATE, params, made.id)
    return {"VpcEndpoint": wire.endpoint(ctx.uow, made), "ClientToken": token}


def _capped(params: dict[str, Any]) -> dict[str, Any]:
    """These two Describe calls take a MaxResults over 1000 as 1000 (others refuse it)."""
    limit = params.get("MaxResults")
    return {**params, "MaxResults": min(limit, 1000) if limit is not None else None}


ENDPOINTS = Describe(
    VpcEndpoint,
    {
        "ip-address-type": lambda e: e.ip_address_type,
        "service-name": lambda e: e.service_name,
        "service-region": lambda e: e.service_region,
        "vpc-endpoint-id": lambda e: e.id,
        "vpc-endpoint-state": lambda e: e.state,
        "vpc-endpoint-type": lambda e: e.endpoint_type,
        "vpc-id": lambda e: e.vpc_id,
    },
    check_id=queries.check_endpoint_id,
    limits=(1, 1000),
    id_filter="vpc-endpoint-id",
    parent_filter="vpc-id",
)


@handles("DescribeVpcEndpoints")
def describe_vpc_endpoints(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = ENDPOINTS.page(ctx, params.get("VpcEndpointIds"), _capped(params))
    return {"VpcEndpoints": [wire.endpoint(ctx.uow, e) for e in chunk], "NextToken": token}


@handles("ModifyVpcEndpoint")
def modify_vpc_endpoint(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dns = params.get("DnsOptions") or {}
    consumer.modify_endpoint(
        ctx,
        consumer.EndpointChange(
            endpoint_id=params["VpcEndpointId"],
            add_subnet_ids=params.get("AddSubnetIds") or [],
            remove_subnet_ids=params.get("RemoveSubnetIds") or [],
            subnet_addresses=subnet_configurations(params.get("SubnetConfigurations") or []),
            add_security_group_ids=params.get("AddSecurityGroupIds") or [],
            remove_security_group_ids=params.get("RemoveSecurityGroupIds") or [],
            add_route_table_ids=params.get("AddRouteTableIds") or [],
            remove_route_table_ids=params.get("RemoveRouteTableIds") or [],
            policy_document=params.get("PolicyDocument"),
            reset_policy=bool(params.get("ResetPolicy")),
            private_dns_enabled=params.get("PrivateDnsEnabled"),
            private_dns_only_for_inbound_resolver=dns.get(
                "PrivateDnsOnlyForInboundResolverEndpoint"
            ),
            ip_address_type=params.get("IpAddressType"),
            dns_record_ip_type=dns.get("DnsRecordIpType"),
        ),
    )
    return {"Return": True}


@handles("DeleteVpcEndpoints")
def delete_vpc_endpoints(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "Unsuccessful": wire.unsuccessful(consumer.delete_endpoints(ctx, params["VpcEndpointIds"]))
    }


OFFER_FILTERS: dict[str, filters.Getter] = {
    "owner": lambda o: o.owner,
    "service-name": lambda o: o.name,
    "service-region": lambda o: o.region,
    "service-type": lambda o: o.service_type,
    "supported-ip-address-types": lambda o: list(o.ip_address_types),
}


@handles("DescribeVpcEndpointServices")
def describe_vpc_endpoint_services(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    offers = discovery.describe_offers(
        ctx, params.get("ServiceNames"), params.get("ServiceRegions")
    )
    chunk, token = narrow(
        offers,
        _capped(params),
        OFFER_FILTERS,
        key=lambda o: f"{o.name}|{o.service_type}",
        tags=lambda o: o.tags,
        limits=(1, 1000),
    )
    return {
        "ServiceNames": list(dict.fromkeys(o.name for o in chunk)),
        "ServiceDetails": [wire.offer(o) for o in chunk],
        "NextToken": token,
    }


@handles("DescribeVpcEndpointAssociations")
def describe_vpc_endpoint_associations(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    raise errors.EndpointAssociationsNotImplemented()
