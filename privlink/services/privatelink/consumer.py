"""VPC endpoints, consumer side: CreateVpcEndpoint, Describe, Modify, Delete.

Handlers only decide and record; time-taking steps (pending -> available,
deleting -> deleted -> gone) belong to the endpoint controller
(privlink/reconcile/endpoints.py). Interface endpoints get their ENIs and DNS
names at creation, even while pendingAcceptance, so addresses and names never
change once shown.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import endpoint_dns, filters, paging
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2 import common as ec2_common
from privlink.services.ec2.records import RouteTable, Subnet, Vpc
from privlink.services.privatelink import interfaces as interfaces
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink import validation as validation
from privlink.services.privatelink import views as views
from privlink.services.privatelink.catalog import ServiceOffer, aws_offers_named
from privlink.services.privatelink.discovery import (
    invalid_service_name,
    offers_named,
    provider_offer,
)
from privlink.services.privatelink.records import EndpointService, VpcEndpoint

OPERATION = "CreateVpcEndpoint"
TYPES = ("Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork")
INTERFACE_ENDPOINTS_PER_VPC = 50
GATEWAY_ENDPOINTS_PER_REGION = 20


def _vpc(ctx: Scope, vpc_id: str) -> Vpc:
    ec2_common.check_id(vpc_id, "vpc", errors.InvalidVpcIDMalformed)
    vpc: Vpc = ec2_common.require(ctx, Vpc, vpc_id, errors.InvalidVpcIDNotFound, "vpc ID")
    return vpc


def _live_in_vpc(ctx: Scope, vpc_id: str) -> list[VpcEndpoint]:
    return [
        e for e in ctx.uow.list(VpcEndpoint, parent=vpc_id) if e.state != lifecycle.State.DELETED
    ]


def _has_gateway(ctx: Scope, vpc_id: str, service_name: str) -> bool:
    return any(
        e.endpoint_type == "Gateway" and e.service_name == service_name
        for e in _live_in_vpc(ctx, vpc_id)
    )


def _offer_for(ctx: Scope, endpoint: VpcEndpoint) -> ServiceOffer | None:
    """The endpoint's service as it is now (permissions no longer matter once connected)."""
    if endpoint.service_owner == "amazon":
        for offer in aws_offers_named(endpoint.region, endpoint.service_name):
            if offer.service_type == endpoint.endpoint_type:
                return offer
        return None
    service = ctx.uow.get(EndpointService, endpoint.service_id)
    return provider_offer(service, ctx.account) if service is not None else None


# --- create -------------------------------------------------------------------------
@handles("CreateVpcEndpoint")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = ec2_common.replayed(ctx, OPERATION, params)
    if previous:
        endpoint = common.own_endpoint(ctx, previous, include_deleted=True)
        return {"VpcEndpoint": views.wire(ctx.uow, endpoint), "ClientToken": token}
    vpc = _vpc(ctx, params["VpcId"])
    endpoint_type = params.get("VpcEndpointType") or "Gateway"  # the model's default
    if endpoint_type not in TYPES:
        raise errors.InvalidVpcEndpointType(f"Invalid VPC endpoint type: {endpoint_type}")
    configs = validation.subnet_configurations(params)
    subnet_ids = list(dict.fromkeys([*(params.get("SubnetIds") or []), *configs]))
    if subnet_ids and endpoint_type not in ("Interface", "GatewayLoadBalancer"):
        raise errors.InvalidParameter(
            "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC "
            "Endpoints."
        )
    if params.get("RouteTableIds") and endpoint_type != "Gateway":
        raise errors.InvalidParameter(
            "Route table IDs are only supported for Gateway type VPC Endpoint."
        )
    if params.get("SecurityGroupIds") and endpoint_type == "Gateway":
        raise errors.InvalidParameter(
            "Security group IDs are only supported for Interface and GatewayLoadBalancer type "
            "VPC Endpoints."
        )
    if endpoint_type not in ("Interface", "Gateway"):
        raise errors.NotImplementedOperation(
            f"privlink implements Interface and Gateway VPC endpoints, not {endpoint_type}."
        )
    offer = _resolve_offer(ctx, params, endpoint_type)
    now = common.iso(ctx.now())
    endpoint = VpcEndpoint(
        id=ctx.new_id("vpce"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=vpc.id,
        endpoint_type=endpoint_type,
        service_name=offer.name,
        service_id=offer.service_id,
        service_owner=offer.owner,
        service_region=offer.region,
        state="",
        state_since=now,
        creation_timestamp=now,
        tags=ec2_common.tags_for(params, "vpc-endpoint"),
    )
    if endpoint_type == "Gateway":
        _create_gateway(ctx, vpc, endpoint, params)
    else:
        _create_interface(ctx, vpc, offer, endpoint, params, subnet_ids, configs)
    ec2_common.remember_token(ctx, OPERATION, params, endpoint.id)
    return {"VpcEndpoint": views.wire(ctx.uow, endpoint), "ClientToken": token}


def _resolve_offer(ctx: Scope, params: dict[str, Any], endpoint_type: str) -> ServiceOffer:
    name = params.get("ServiceName")
    if not name:
        raise errors.MissingParameter("The request must contain the parameter ServiceName")
    region = params.get("ServiceRegion")
    if region and region != ctx.region:
        raise errors.InvalidParameter(
            f"privlink does not support cross-Region endpoints (ServiceRegion {region})."
        )
    offers = offers_named(ctx, name)
    if not offers:
        raise invalid_service_name(name)
    for offer in offers:
        if offer.service_type == endpoint_type:
            return offer
    available = ", ".join(sorted({o.service_type for o in offers}))
    raise errors.InvalidParameter(
        f"Endpoint type ({endpoint_type}) does not match available service types ([{available}])."
    )


def _create_gateway(ctx: Scope, vpc: Vpc, endpoint: VpcEndpoint, params: dict[str, Any]) -> None:
    tables = _route_tables(ctx, vpc, params.get("RouteTableIds") or [])
    policy = validation.policy(params.get("PolicyDocument"))
    gateways = [
        e
        for e in ctx.uow.list(VpcEndpoint, ctx.account, ctx.region)
        if e.endpoint_type == "Gateway" and e.state != lifecycle.State.DELETED
    ]
    if len(gateways) >= GATEWAY_ENDPOINTS_PER_REGION:
        raise errors.VpcEndpointLimitExceeded(
            "The maximum number of Gateway VPC endpoints in this Region has been reached."
        )
    endpoint.route_table_ids = tables
    endpoint.policy_document = policy
    common.move(ctx, endpoint, lifecycle.Trigger.CREATE_GATEWAY)


def _route_tables(ctx: Scope, vpc: Vpc, ids: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    for table_id in wanted:
        table = ctx.uow.get(RouteTable, table_id)
        if table is None or table.account != ctx.account or table.vpc_id != vpc.id:
            raise errors.InvalidRouteTableIDNotFound(table_id)
    return wanted


def _create_interface(
    ctx: Scope,
    vpc: Vpc,
    offer: ServiceOffer,
    endpoint: VpcEndpoint,
    params: dict[str, Any],
    subnet_ids: list[str],
    configs: dict[str, str | None],
) -> None:
    subnets = validation.subnets(ctx, vpc, subnet_ids, offer, [])
    groups = validation.security_groups(ctx, vpc, params.get("SecurityGroupIds") or [])
    endpoint.group_ids = groups or validation.default_group(ctx, vpc)
    private_dns = params.get("PrivateDnsEnabled")
    if private_dns is None:  # on by default where there is a usable name (AWS services)
        private_dns = bool(offer.private_dns_names) and offer.verification_state == "verified"
    ip_type, record_type = validation.ip_settings(
        params.get("IpAddressType"), params.get("DnsOptions"), offer
    )
    if private_dns:
        endpoint.private_dns_names = validation.claim_private_names(ctx, vpc, offer, endpoint)
    endpoint.private_dns_enabled = bool(private_dns)
    endpoint.private_dns_only_for_inbound_resolver = validation.inbound_resolver_only(
        ctx,
        vpc,
        offer,
        bool(private_dns),
        (params.get("DnsOptions") or {}).get("PrivateDnsOnlyForInboundResolverEndpoint"),
        gateway_present=_has_gateway(ctx, vpc.id, offer.name),
    )
    endpoint.policy_document = validation.policy(params.get("PolicyDocument"))
    interface_count = sum(1 for e in _live_in_vpc(ctx, vpc.id) if e.endpoint_type == "Interface")
    if interface_count >= INTERFACE_ENDPOINTS_PER_VPC:
        raise errors.VpcEndpointLimitExceeded(
            f"The maximum number of interface VPC endpoints ({INTERFACE_ENDPOINTS_PER_VPC}) "
            f"for VPC {vpc.id} has been reached."
        )
    endpoint.ip_address_type = ip_type
    endpoint.dns_record_ip_type = record_type
    endpoint.dns_token = endpoint_dns.new_token()
    endpoint.dns_base = offer.base_dns_names[0]
    endpoint.dns_wildcard = offer.wildcard_entries
    endpoint.connection_id = ctx.new_id("vpce-con")
    for subnet in subnets:
        endpoint.subnet_ids.append(subnet.id)
        endpoint.interfaces[subnet.id] = interfaces.create(
            ctx, endpoint, subnet, configs.get(subnet.id)
        )
    trigger = (
        lifecycle.Trigger.REQUEST if offer.acceptance_required else lifecycle.Trigger.REQUEST_AUTO
    )
    common.move(ctx, endpoint, trigger)


# --- describe -----------------------------------------------------------------------
FILTERS: dict[str, filters.Getter] = {
    "ip-address-type": lambda e: e.ip_address_type,
    "service-name": lambda e: e.service_name,
    "service-region": lambda e: e.service_region,
    "vpc-endpoint-id": lambda e: e.id,
    "vpc-endpoint-state": lambda e: e.state,
    "vpc-endpoint-type": lambda e: e.endpoint_type,
    "vpc-id": lambda e: e.vpc_id,
}


@handles("DescribeVpcEndpoints")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = list(dict.fromkeys(params.get("VpcEndpointIds") or []))
    for endpoint_id in ids:
        common.check_endpoint_id(endpoint_id)
    endpoints = ctx.uow.list(VpcEndpoint, ctx.account, ctx.region)
    if ids:
        by_id = {e.id: e for e in endpoints}
        for endpoint_id in ids:
            if endpoint_id not in by_id:
                raise common.endpoint_not_found(endpoint_id)
        endpoints = [by_id[i] for i in ids]
    endpoints = filters.apply(endpoints, params.get("Filters"), FILTERS)
    limit = params.get("MaxResults")
    chunk, token = paging.page(
        endpoints,
        min(limit, 1000) if limit is not None else None,
        params.get("NextToken"),
        lambda e: e.id,
        (1, 1000),
    )
    return {"VpcEndpoints": [views.wire(ctx.uow, e) for e in chunk], "NextToken": token}


# --- modify -------------------------------------------------------------------------
@handles("ModifyVpcEndpoint")
def modify(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = common.own_endpoint(ctx, params["VpcEndpointId"])
    if endpoint.state == lifecycle.State.DELETING:
        raise errors.IncorrectState(
            f"Vpc Endpoint {endpoint.id} is being deleted and cannot be modified."
        )
    vpc = _vpc(ctx, endpoint.vpc_id)
    if params.get("ResetPolicy") and params.get("PolicyDocument") is not None:
        raise errors.InvalidParameterCombination(
            "PolicyDocument and ResetPolicy cannot be specified together."
        )
    if params.get("PolicyDocument") is not None:
        endpoint.policy_document = validation.policy(params["PolicyDocument"])
    if params.get("ResetPolicy"):
        endpoint.policy_document = None
    if endpoint.endpoint_type == "Gateway":
        _modify_gateway(ctx, vpc, endpoint, params)
    else:
        _modify_interface(ctx, vpc, endpoint, params)
    reprovision = endpoint.endpoint_type == "Interface"
    if reprovision and lifecycle.allowed(endpoint.state, lifecycle.Trigger.MODIFY):
        common.move(ctx, endpoint, lifecycle.Trigger.MODIFY)
    else:
        ctx.uow.put(endpoint)
    return {"Return": True}


def _modify_gateway(ctx: Scope, vpc: Vpc, endpoint: VpcEndpoint, params: dict[str, Any]) -> None:
    for key in (
        "AddSubnetIds",
        "RemoveSubnetIds",
        "AddSecurityGroupIds",
        "RemoveSecurityGroupIds",
        "SubnetConfigurations",
    ):
        if params.get(key):
            raise errors.InvalidParameter(
                f"{key} is only supported for Interface type VPC Endpoints."
            )
    removed = set(params.get("RemoveRouteTableIds") or [])
    added = _route_tables(ctx, vpc, params.get("AddRouteTableIds") or [])
    tables = [t for t in endpoint.route_table_ids if t not in removed]
    endpoint.route_table_ids = tables + [t for t in added if t not in tables]


def _modify_interface(ctx: Scope, vpc: Vpc, endpoint: VpcEndpoint, params: dict[str, Any]) -> None:
    if params.get("AddRouteTableIds") or params.get("RemoveRouteTableIds"):
        raise errors.InvalidParameter(
            "Route table IDs are only supported for Gateway type VPC Endpoint."
        )
    offer = _offer_for(ctx, endpoint)
    if offer is None:
        raise invalid_service_name(endpoint.service_name)
    _change_subnets(ctx, vpc, endpoint, offer, params)
    _change_groups(ctx, vpc, endpoint, params)
    if "IpAddressType" in params or "DnsOptions" in params:
        endpoint.ip_address_type, endpoint.dns_record_ip_type = validation.ip_settings(
            params.get("IpAddressType") or endpoint.ip_address_type,
            params.get("DnsOptions") or {"DnsRecordIpType": endpoint.dns_record_ip_type},
            offer,
        )
    wanted = params.get("PrivateDnsEnabled")
    if wanted is True and not endpoint.private_dns_enabled:
        endpoint.private_dns_names = validation.claim_private_names(ctx, vpc, offer, endpoint)
        endpoint.private_dns_enabled = True
    elif wanted is False and endpoint.private_dns_enabled:
        validation.release_private_names(ctx.uow, endpoint)
        endpoint.private_dns_enabled = False
    inbound = (params.get("DnsOptions") or {}).get("PrivateDnsOnlyForInboundResolverEndpoint")
    if wanted is not None or inbound is not None:
        current = endpoint.private_dns_only_for_inbound_resolver
        endpoint.private_dns_only_for_inbound_resolver = validation.inbound_resolver_only(
            ctx,
            vpc,
            offer,
            endpoint.private_dns_enabled,
            inbound if inbound is not None else (current if wanted is None else None),
            gateway_present=_has_gateway(ctx, vpc.id, offer.name),
        )


def _change_subnets(
    ctx: Scope, vpc: Vpc, endpoint: VpcEndpoint, offer: ServiceOffer, params: dict[str, Any]
) -> None:
    """Remove first (freeing their AZs), then pin new addresses, then add."""
    configs = validation.subnet_configurations(params)
    for subnet_id in dict.fromkeys(params.get("RemoveSubnetIds") or []):
        if subnet_id not in endpoint.interfaces:
            raise errors.InvalidParameter(
                f"Subnet {subnet_id} is not associated with VPC endpoint {endpoint.id}."
            )
        interfaces.delete(ctx.uow, endpoint.interfaces.pop(subnet_id))
        endpoint.subnet_ids.remove(subnet_id)
    add = [
        s for s in dict.fromkeys(params.get("AddSubnetIds") or []) if s not in endpoint.interfaces
    ]
    for subnet_id, address in configs.items():
        if subnet_id in endpoint.interfaces and address:
            _repin(ctx, endpoint, subnet_id, address)
        elif subnet_id not in endpoint.interfaces and subnet_id not in add:
            add.append(subnet_id)
    kept = list(ctx.uow.get_many(Subnet, endpoint.subnet_ids).values())
    for subnet in validation.subnets(ctx, vpc, add, offer, kept):
        endpoint.subnet_ids.append(subnet.id)
        endpoint.interfaces[subnet.id] = interfaces.create(
            ctx, endpoint, subnet, configs.get(subnet.id)
        )


def _repin(ctx: Scope, endpoint: VpcEndpoint, subnet_id: str, address: str) -> None:
    """A new address for an existing subnet replaces its ENI (AWS: brief disconnect)."""
    old = endpoint.interfaces[subnet_id]
    current = [e for e in interfaces.interfaces_of(ctx.uow, endpoint) if e.id == old]
    if current and current[0].private_ip == address:
        return
    interfaces.delete(ctx.uow, old)
    subnet: Subnet = ec2_common.require(
        ctx, Subnet, subnet_id, errors.InvalidSubnetIDNotFound, "subnet ID"
    )
    endpoint.interfaces[subnet_id] = interfaces.create(ctx, endpoint, subnet, address)


def _change_groups(ctx: Scope, vpc: Vpc, endpoint: VpcEndpoint, params: dict[str, Any]) -> None:
    add = params.get("AddSecurityGroupIds") or []
    remove = set(params.get("RemoveSecurityGroupIds") or [])
    if not add and not remove:
        return
    groups = [g for g in endpoint.group_ids if g not in remove] + list(add)
    groups = validation.security_groups(ctx, vpc, groups)
    if not groups:
        raise errors.InvalidParameter(
            f"VPC endpoint {endpoint.id} must have at least one security group."
        )
    endpoint.group_ids = groups
    interfaces.set_groups(ctx.uow, endpoint)


# --- delete -------------------------------------------------------------------------
@handles("DeleteVpcEndpoints")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Start deleting; the controller tears down interfaces and names, then forgets it."""
    failed: list[dict[str, Any]] = []
    for endpoint_id in dict.fromkeys(params["VpcEndpointIds"]):
        try:
            endpoint = common.own_endpoint(ctx, endpoint_id)
        except errors.AwsError:
            failed.append(
                common.unsuccessful(
                    endpoint_id,
                    errors.InvalidVpcEndpointNotFound(endpoint_id),
                )
            )
            continue
        if endpoint.state == lifecycle.State.DELETING:
            continue
        common.move(ctx, endpoint, lifecycle.Trigger.DELETE)
    return {"Unsuccessful": failed}


@handles("DescribeVpcEndpointAssociations")
def describe_associations(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    raise errors.NotImplementedOperation(
        "privlink does not implement DescribeVpcEndpointAssociations: it lists associations of "
        "Resource and ServiceNetwork (VPC Lattice) endpoints, which privlink does not emulate."
    )
