"""Operations on VPC endpoints (the consumer's side): create, modify, delete.

Each takes a Scope and a frozen spec and applies exactly the API's checks,
so another service or a controller gets the same endpoint CreateVpcEndpoint
would make, without a request. Time-taking steps (pending -> available,
deleting -> deleted -> gone) belong to the endpoint controller. Interface
endpoints get their ENIs and DNS names at creation, even while
pendingAcceptance, so addresses and names never change once shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_dns
from privlink.services.ec2 import ids, tag_wire
from privlink.services.ec2.records import RouteTable, Subnet, Vpc
from privlink.services.privatelink import interfaces, lifecycle, private_dns, queries, validation
from privlink.services.privatelink.catalog import ServiceOffer, aws_offers_named
from privlink.services.privatelink.discovery import offer_of_type, provider_offer
from privlink.services.privatelink.records import (
    AWS_OWNER,
    EndpointService,
    Refusal,
    VpcEndpoint,
    iso,
)

INTERFACE_ENDPOINTS_PER_VPC = 50
GATEWAY_ENDPOINTS_PER_REGION = 20


@dataclass(frozen=True)
class InterfaceEndpointSpec:
    """CreateVpcEndpoint of an Interface endpoint."""

    vpc_id: str
    service_name: str
    subnet_ids: Sequence[str] = ()
    # SubnetConfigurations: subnet -> pinned IPv4 (None: any); these subnets are used too.
    subnet_addresses: Mapping[str, str | None] = field(default_factory=dict)
    security_group_ids: Sequence[str] = ()
    private_dns_enabled: bool | None = None  # None: on where the service has a verified name
    private_dns_only_for_inbound_resolver: bool | None = None
    ip_address_type: str | None = None
    dns_record_ip_type: str | None = None
    policy_document: str | None = None
    service_region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GatewayEndpointSpec:
    """CreateVpcEndpoint of a Gateway endpoint (S3, DynamoDB)."""

    vpc_id: str
    service_name: str
    route_table_ids: Sequence[str] = ()
    policy_document: str | None = None
    service_region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EndpointChange:
    """ModifyVpcEndpoint: empty / None members leave a setting as it is."""

    endpoint_id: str
    add_subnet_ids: Sequence[str] = ()
    remove_subnet_ids: Sequence[str] = ()
    subnet_addresses: Mapping[str, str | None] = field(default_factory=dict)
    add_security_group_ids: Sequence[str] = ()
    remove_security_group_ids: Sequence[str] = ()
    add_route_table_ids: Sequence[str] = ()
    remove_route_table_ids: Sequence[str] = ()
    policy_document: str | None = None
    reset_policy: bool = False
    private_dns_enabled: bool | None = None
    private_dns_only_for_inbound_resolver: bool | None = None
    ip_address_type: str | None = None
    dns_record_ip_type: str | None = None


# --- shared steps -------------------------------------------------------------------
def _vpc(scope: Scope, vpc_id: str) -> Vpc:
    ids.check_id(vpc_id, "vpc", errors.InvalidVpcIDMalformed)
    return scope.require(Vpc, vpc_id)


def _offer(scope: Scope, name: str, region: str | None, endpoint_type: str) -> ServiceOffer:
    if not name:
        raise errors.ServiceNameMissing()
    if region and region != scope.region:
        raise errors.CrossRegionEndpoint(region)
    return offer_of_type(scope, name, endpoint_type)


def _current_offer(scope: Scope, endpoint: VpcEndpoint) -> ServiceOffer:
    """The endpoint's service as it is now (permissions no longer matter once connected)."""
    if endpoint.service_owner == AWS_OWNER:
        for offer in aws_offers_named(endpoint.region, endpoint.service_name):
            if offer.service_type == endpoint.endpoint_type:
                return offer
    else:
        service = scope.foreign(EndpointService, endpoint.service_id)
        if service is not None:
            return provider_offer(service, scope.account)
    raise errors.InvalidServiceName(endpoint.service_name)


def _new(
    scope: Scope, vpc: Vpc, offer: ServiceOffer, endpoint_type: str, tags: Mapping[str, str]
) -> VpcEndpoint:
    tag_wire.check(tags)
    now = iso(scope.now())
    return VpcEndpoint(
        id=scope.new_id("vpce"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        endpoint_type=endpoint_type,
        service_name=offer.name,
        service_id=offer.service_id,
        service_owner=offer.owner,
        service_region=offer.region,
        state="",
        state_since=now,
        creation_timestamp=now,
        tags=dict(tags),
    )


def _has_gateway(scope: Scope, vpc_id: str, service_name: str) -> bool:
    return any(
        e.endpoint_type == "Gateway" and e.service_name == service_name
        for e in queries.live_endpoints_in_vpc(scope, vpc_id)
    )


def _route_tables(scope: Scope, vpc: Vpc, ids: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    for table_id in wanted:
        table = scope.get(RouteTable, table_id)
        if table is None or table.vpc_id != vpc.id:
            raise errors.InvalidRouteTableIDNotFound(table_id)
    return wanted


def _add_interfaces(
    scope: Scope, endpoint: VpcEndpoint, subnets: list[Subnet], pinned: Mapping[str, str | None]
) -> None:
    for subnet in subnets:
        endpoint.subnet_ids.append(subnet.id)
        endpoint.interfaces[subnet.id] = interfaces.create(
            scope, endpoint, subnet, pinned.get(subnet.id)
        )


# --- create -------------------------------------------------------------------------
def create_gateway_endpoint(scope: Scope, spec: GatewayEndpointSpec) -> VpcEndpoint:
    """A Gateway endpoint: available at once (route tables only, no interfaces)."""
    vpc = _vpc(scope, spec.vpc_id)
    offer = _offer(scope, spec.service_name, spec.service_region, "Gateway")
    endpoint = _new(scope, vpc, offer, "Gateway", spec.tags)
    endpoint.route_table_ids = _route_tables(scope, vpc, spec.route_table_ids)
    endpoint.policy_document = validation.policy(spec.policy_document)
    gateways = [
        e
        for e in scope.list(VpcEndpoint)
        if e.endpoint_type == "Gateway" and e.state != lifecycle.State.DELETED
    ]
    if len(gateways) >= GATEWAY_ENDPOINTS_PER_REGION:
        raise errors.GatewayEndpointLimitExceeded()
    lifecycle.move(scope, endpoint, lifecycle.Trigger.CREATE_GATEWAY)
    return endpoint


def create_interface_endpoint(scope: Scope, spec: InterfaceEndpointSpec) -> VpcEndpoint:
    """An Interface endpoint: pendingAcceptance, or pending when the service auto-accepts."""
    vpc = _vpc(scope, spec.vpc_id)
    offer = _offer(scope, spec.service_name, spec.service_region, "Interface")
    endpoint = _new(scope, vpc, offer, "Interface", spec.tags)
    subnet_ids = list(dict.fromkeys([*spec.subnet_ids, *spec.subnet_addresses]))
    subnets = validation.subnets(scope, vpc, subnet_ids, offer, [])
    groups = validation.security_groups(scope, vpc, spec.security_group_ids)
    endpoint.group_ids = groups or validation.default_group(scope, vpc)
    enabled = spec.private_dns_enabled
    if enabled is None:  # on by default where there is a usable name (AWS services)
        enabled = bool(offer.private_dns_names) and offer.verification_state == "verified"
    ip_type, record_type = validation.ip_settings(spec.ip_address_type, spec.dns_record_ip_type)
    if enabled:
        endpoint.private_dns_names = private_dns.claim(scope, vpc, offer, endpoint)
    endpoint.private_dns_enabled = enabled
    endpoint.private_dns_only_for_inbound_resolver = private_dns.inbound_resolver_only(
        vpc,
        offer,
        enabled,
        spec.private_dns_only_for_inbound_resolver,
        gateway_present=_has_gateway(scope, vpc.id, offer.name),
    )
    endpoint.policy_document = validation.policy(spec.policy_document)
    live = queries.live_endpoints_in_vpc(scope, vpc.id)
    if sum(1 for e in live if e.endpoint_type == "Interface") >= INTERFACE_ENDPOINTS_PER_VPC:
        raise errors.InterfaceEndpointLimitExceeded(str(INTERFACE_ENDPOINTS_PER_VPC), vpc.id)
    endpoint.ip_address_type = ip_type
    endpoint.dns_record_ip_type = record_type
    endpoint.dns_token = endpoint_dns.new_token()
    endpoint.dns_base = offer.base_dns_names[0]
    endpoint.dns_wildcard = offer.wildcard_entries
    endpoint.connection_id = scope.new_id("vpce-con")
    _add_interfaces(scope, endpoint, subnets, spec.subnet_addresses)
    trigger = (
        lifecycle.Trigger.REQUEST if offer.acceptance_required else lifecycle.Trigger.REQUEST_AUTO
    )
    lifecycle.move(scope, endpoint, trigger)
    return endpoint


# --- modify -------------------------------------------------------------------------
_INTERFACE_ONLY = (
    ("add_subnet_ids", "AddSubnetIds"),
    ("remove_subnet_ids", "RemoveSubnetIds"),
    ("add_security_group_ids", "AddSecurityGroupIds"),
    ("remove_security_group_ids", "RemoveSecurityGroupIds"),
    ("subnet_addresses", "SubnetConfigurations"),
)


def modify_endpoint(scope: Scope, change: EndpointChange) -> VpcEndpoint:
    """Change an endpoint; an interface endpoint goes back to pending to re-provision."""
    endpoint = queries.own_endpoint(scope, change.endpoint_id)
    if endpoint.state == lifecycle.State.DELETING:
        raise errors.EndpointBeingDeleted(endpoint.id)
    vpc = scope.require(Vpc, endpoint.vpc_id)
    if change.reset_policy and change.policy_document is not None:
        raise errors.ExclusiveParameters("PolicyDocument", "ResetPolicy")
    if change.policy_document is not None:
        endpoint.policy_document = validation.policy(change.policy_document)
    if change.reset_policy:
        endpoint.policy_document = None
    if endpoint.endpoint_type == "Gateway":
        _modify_gateway(scope, vpc, endpoint, change)
    else:
        _modify_interface(scope, vpc, endpoint, change)
    reprovision = endpoint.endpoint_type == "Interface"
    if reprovision and lifecycle.allowed(endpoint.state, lifecycle.Trigger.MODIFY):
        lifecycle.move(scope, endpoint, lifecycle.Trigger.MODIFY)
    else:
        scope.put(endpoint)
    return endpoint


def _modify_gateway(scope: Scope, vpc: Vpc, endpoint: VpcEndpoint, change: EndpointChange) -> None:
    for member, wire_name in _INTERFACE_ONLY:
        if getattr(change, member):
            raise errors.InterfaceEndpointParameter(wire_name)
    removed = set(change.remove_route_table_ids)
    added = _route_tables(scope, vpc, change.add_route_table_ids)
    tables = [t for t in endpoint.route_table_ids if t not in removed]
    endpoint.route_table_ids = tables + [t for t in added if t not in tables]


def _modify_interface(
    scope: Scope, vpc: Vpc, endpoint: VpcEndpoint, change: EndpointChange
) -> None:
    if change.add_route_table_ids or change.remove_route_table_ids:
        raise errors.RouteTablesNeedGatewayEndpoint()
    offer = _current_offer(scope, endpoint)
    _change_subnets(scope, vpc, endpoint, offer, change)
    _change_groups(scope, vpc, endpoint, change)
    if change.ip_address_type is not None or change.dns_record_ip_type is not None:
        endpoint.ip_address_type, endpoint.dns_record_ip_type = validation.ip_settings(
            change.ip_address_type or endpoint.ip_address_type,
            change.dns_record_ip_type or endpoint.dns_record_ip_type,
        )
    wanted = change.private_dns_enabled
    if wanted is True and not endpoint.private_dns_enabled:
        endpoint.private_dns_names = private_dns.claim(scope, vpc, offer, endpoint)
        endpoint.private_dns_enabled = True
    elif wanted is False and endpoint.private_dns_enabled:
        private_dns.release(scope, endpoint)
        endpoint.private_dns_enabled = False
    inbound = change.private_dns_only_for_inbound_resolver
    if wanted is not None or inbound is not None:
        current = endpoint.private_dns_only_for_inbound_resolver
        endpoint.private_dns_only_for_inbound_resolver = private_dns.inbound_resolver_only(
            vpc,
            offer,
            endpoint.private_dns_enabled,
            inbound if inbound is not None else (current if wanted is None else None),
            gateway_present=_has_gateway(scope, vpc.id, offer.name),
        )


def _change_subnets(
    scope: Scope, vpc: Vpc, endpoint: VpcEndpoint, offer: ServiceOffer, change: EndpointChange
) -> None:
    """Remove first (freeing their AZs), then pin new addresses, then add."""
    for subnet_id in dict.fromkeys(change.remove_subnet_ids):
        if subnet_id not in endpoint.interfaces:
            raise errors.SubnetNotInEndpoint(subnet_id, endpoint.id)
        interfaces.delete(scope.uow, endpoint.interfaces.pop(subnet_id))
        endpoint.subnet_ids.remove(subnet_id)
    add = [s for s in dict.fromkeys(change.add_subnet_ids) if s not in endpoint.interfaces]
    for subnet_id, address in change.subnet_addresses.items():
        if subnet_id in endpoint.interfaces and address:
            _repin(scope, endpoint, subnet_id, address)
        elif subnet_id not in endpoint.interfaces and subnet_id not in add:
            add.append(subnet_id)
    kept = list(scope.uow.get_many(Subnet, endpoint.subnet_ids).values())
    subnets = validation.subnets(scope, vpc, add, offer, kept)
    _add_interfaces(scope, endpoint, subnets, change.subnet_addresses)


def _repin(scope: Scope, endpoint: VpcEndpoint, subnet_id: str, address: str) -> None:
    """A new address for an existing subnet replaces its ENI (AWS: brief disconnect)."""
    old = endpoint.interfaces[subnet_id]
    current = [e for e in interfaces.interfaces_of(scope.uow, endpoint) if e.id == old]
    if current and current[0].private_ip == address:
        return
    interfaces.delete(scope.uow, old)
    subnet = scope.require(Subnet, subnet_id)
    endpoint.interfaces[subnet_id] = interfaces.create(scope, endpoint, subnet, address)


def _change_groups(scope: Scope, vpc: Vpc, endpoint: VpcEndpoint, change: EndpointChange) -> None:
    add, remove = change.add_security_group_ids, set(change.remove_security_group_ids)
    if not add and not remove:
        return
    groups = [g for g in endpoint.group_ids if g not in remove] + list(add)
    groups = validation.security_groups(scope, vpc, groups)
    if not groups:
        raise errors.EndpointNeedsSecurityGroup(endpoint.id)
    endpoint.group_ids = groups
    interfaces.set_groups(scope.uow, endpoint)


# --- delete -------------------------------------------------------------------------
def delete_endpoints(scope: Scope, endpoint_ids: Iterable[str]) -> list[Refusal]:
    """Start deleting; the controller tears down interfaces and names, then forgets them."""
    refused: list[Refusal] = []
    for endpoint_id in dict.fromkeys(endpoint_ids):
        try:
            endpoint = queries.own_endpoint(scope, endpoint_id)
        except errors.AwsError:
            refused.append(Refusal(endpoint_id, errors.InvalidVpcEndpointNotFound(endpoint_id)))
            continue
        if endpoint.state != lifecycle.State.DELETING:
            lifecycle.move(scope, endpoint, lifecycle.Trigger.DELETE)
    return refused
