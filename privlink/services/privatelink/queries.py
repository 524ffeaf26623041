"""Read models of PrivateLink: what other services, the handlers and the data plane ask.

Scoped lookups (`own_endpoint`, `own_service`) answer only the caller's
records and raise the error AWS gives for a bad or unknown id. The data-plane
plan builder reads `dns_answers` and `load_balancers_for`; providers read
their endpoints' connections through `connections`. Nothing here writes.
"""

from __future__ import annotations

import re

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_dns as dns_rules
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.records import SecurityGroup
from privlink.services.privatelink.interfaces import interfaces_of
from privlink.services.privatelink.records import AWS_OWNER, EndpointService, VpcEndpoint
from privlink.store.unit import UnitOfWork

ENDPOINT_ID = re.compile(r"^vpce-([0-9a-f]{8}|[0-9a-f]{17})$")
SERVICE_ID = re.compile(r"^vpce-svc-[0-9a-f]{17}$")


def check_endpoint_id(endpoint_id: str) -> None:
    if not ENDPOINT_ID.match(endpoint_id):
        raise errors.InvalidVpcEndpointIdMalformed(endpoint_id)


def check_service_id(service_id: str) -> None:
    if not SERVICE_ID.match(service_id):
        raise errors.InvalidVpcEndpointServiceIdMalformed(service_id)


def own_endpoint(scope: Scope, endpoint_id: str, include_deleted: bool = False) -> VpcEndpoint:
    """The caller's endpoint. Anyone else's (a provider's view included) does not exist,
    nor does a deleted one unless asked for (a ClientToken replay shows it)."""
    check_endpoint_id(endpoint_id)
    endpoint = scope.require(VpcEndpoint, endpoint_id)
    if endpoint.state == lifecycle.State.DELETED and not include_deleted:
        raise errors.InvalidVpcEndpointIdNotFound(endpoint_id)
    return endpoint


def own_service(scope: Scope, service_id: str) -> EndpointService:
    check_service_id(service_id)
    return scope.require(EndpointService, service_id)


def live_endpoints_in_vpc(scope: Scope, vpc_id: str) -> list[VpcEndpoint]:
    return [
        e for e in scope.uow.list(VpcEndpoint, parent=vpc_id) if e.state != lifecycle.State.DELETED
    ]


def connected_endpoints(uow: UnitOfWork, service: EndpointService) -> list[VpcEndpoint]:
    """Endpoints attached to the service that still hold a connection."""
    return [
        e
        for e in uow.list(VpcEndpoint, region=service.region)
        if e.service_id == service.id and lifecycle.is_connected(e.state)
    ]


def connections(scope: Scope) -> list[VpcEndpoint]:
    """Every endpoint (of any account) to one of the caller's endpoint services."""
    services = {s.id for s in scope.list(EndpointService)}
    return [e for e in scope.uow.list(VpcEndpoint, region=scope.region) if e.service_id in services]


def security_group_names(uow: UnitOfWork, endpoint: VpcEndpoint) -> dict[str, str]:
    """Group id -> name for the endpoint's groups, in the endpoint's order."""
    found = uow.get_many(SecurityGroup, endpoint.group_ids)
    return {gid: found[gid].name if gid in found else "" for gid in endpoint.group_ids}


# --- DNS -----------------------------------------------------------------------------
def endpoint_dns(uow: UnitOfWork, endpoint: VpcEndpoint) -> dns_rules.EndpointDns | None:
    """The endpoint's DNS inputs, or None for endpoints without names (Gateway, deleted)."""
    if (
        endpoint.endpoint_type != "Interface"
        or not endpoint.dns_token
        or endpoint.state == lifecycle.State.DELETED
    ):
        return None
    addresses = tuple(
        dns_rules.EndpointAddress(az=eni.availability_zone, ipv4=eni.private_ip)
        for eni in interfaces_of(uow, endpoint)
    )
    return dns_rules.EndpointDns(
        endpoint_id=endpoint.id,
        vpc_id=endpoint.vpc_id,
        region=endpoint.region,
        token=endpoint.dns_token,
        base=endpoint.dns_base,
        addresses=addresses,
        private_names=tuple(endpoint.private_dns_names) if endpoint.private_dns_enabled else (),
        private_names_alias_regional=endpoint.service_owner != AWS_OWNER,
        wildcard=endpoint.dns_wildcard,
        private_names_inbound_only=bool(endpoint.private_dns_only_for_inbound_resolver),
    )


def dns_entries(uow: UnitOfWork, endpoint: VpcEndpoint) -> list[dns_rules.DnsEntry]:
    """The endpoint's DnsEntries (names it has from creation, even while pending)."""
    dns = endpoint_dns(uow, endpoint)
    return dns_rules.entries(dns) if dns else []


def dns_answers(uow: UnitOfWork, endpoint: VpcEndpoint) -> dict[str, dns_rules.Answer]:
    """Every name of the endpoint -> what it resolves to; empty unless it carries traffic."""
    dns = endpoint_dns(uow, endpoint)
    if dns is None or not lifecycle.carries_traffic(endpoint.state):
        return {}
    return dns_rules.resolution(dns)


def load_balancers_for(uow: UnitOfWork, endpoint: VpcEndpoint) -> list[str]:
    """ARNs of the NLBs behind the endpoint's provider service ([] for AWS services)."""
    if endpoint.service_owner == AWS_OWNER:
        return []
    service = uow.get(EndpointService, endpoint.service_id)
    return list(service.network_load_balancer_arns) if service else []
