"""Operations on endpoint services (the provider's side): configurations, permissions,
connections.

A provider puts NLBs behind a service; the service lives in the AZs of its
load balancers (recomputed whenever the provider modifies it, as AWS
"re-enables" a service to pick up a new NLB AZ). A private DNS name starts
`pendingVerification`; privlink cannot look up the provider's TXT record, so
verification always succeeds. A provider acts on a consumer's endpoint only
by accepting or rejecting it; it can never modify or delete it.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.services.ec2 import tag_wire
from privlink.services.privatelink import lifecycle, notifications, queries
from privlink.services.privatelink.backends import Backend, network_load_balancer
from privlink.services.privatelink.discovery import principal_type
from privlink.services.privatelink.records import (
    EndpointService,
    Refusal,
    ServicePermission,
    VpcEndpoint,
    service_name,
)

IP_TYPES = ("ipv4", "ipv6")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class EndpointServiceSpec:
    """CreateVpcEndpointServiceConfiguration (NLB-backed)."""

    network_load_balancer_arns: Sequence[str]
    acceptance_required: bool = False
    private_dns_name: str | None = None
    supported_ip_address_types: Sequence[str] = ("ipv4",)
    supported_regions: Sequence[str] = ()
    gateway_load_balancer_arns: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EndpointServiceChange:
    """ModifyVpcEndpointServiceConfiguration: empty / None members change nothing."""

    service_id: str
    add_network_load_balancer_arns: Sequence[str] = ()
    remove_network_load_balancer_arns: Sequence[str] = ()
    add_gateway_load_balancer_arns: Sequence[str] = ()
    remove_gateway_load_balancer_arns: Sequence[str] = ()
    acceptance_required: bool | None = None
    private_dns_name: str | None = None
    remove_private_dns_name: bool = False
    add_supported_ip_address_types: Sequence[str] = ()
    remove_supported_ip_address_types: Sequence[str] = ()
    add_supported_regions: Sequence[str] = ()
    remove_supported_regions: Sequence[str] = ()


# --- checks -------------------------------------------------------------------------
def _backends(scope: Scope, arns: list[str], service_id: str | None) -> list[Backend]:
    backends = [network_load_balancer(scope, arn) for arn in arns]
    for other in scope.list(EndpointService):
        taken = set(other.network_load_balancer_arns) & set(arns)
        if other.id != service_id and taken:
            raise errors.LoadBalancerInOtherService(sorted(taken)[0], other.id)
    return backends


def _ip_types(types: Iterable[str], backends: list[Backend]) -> list[str]:
    wanted = list(types)
    if not wanted:
        raise errors.IpAddressTypeRequired()
    for value in wanted:
        if value not in IP_TYPES:
            raise errors.InvalidSupportedIpAddressType(value)
    if "ipv6" in wanted:
        for backend in backends:
            if backend.ip_address_type != "dualstack":
                raise errors.LoadBalancerNotDualstack(backend.arn)
    return [t for t in IP_TYPES if t in wanted]


def _private_dns_name(name: str) -> str:
    labels = name.split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if (
        name != name.lower()
        or len(name) > 255
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
    ):
        raise errors.InvalidPrivateDnsName(name)
    return name


def _start_verification(service: EndpointService, name: str) -> None:
    service.private_dns_name = name
    service.private_dns_state = "pendingVerification"
    service.private_dns_txt_name = "_" + "".join(
        secrets.choice(string.ascii_lowercase + string.digits) for _ in range(20)
    )
    service.private_dns_txt_value = "vpce:" + "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(20)
    )


def _regions(scope: Scope, wanted: Iterable[str]) -> list[str]:
    wanted = list(wanted)
    for region in wanted:
        if not regions.is_region(region):
            raise errors.InvalidSupportedRegion(region)
    return list(dict.fromkeys([scope.region, *wanted]))


def _place(service: EndpointService, backends: list[Backend]) -> None:
    """The service's AZs: every AZ any of its load balancers is enabled in."""
    names = {zone for backend in backends for zone in backend.zones}
    ordered = [z for z in regions.zones(service.region) if z.name in names]
    service.availability_zones = [z.name for z in ordered]
    service.availability_zone_ids = [z.zone_id for z in ordered]


# --- endpoint services --------------------------------------------------------------
def create_endpoint_service(scope: Scope, spec: EndpointServiceSpec) -> EndpointService:
    nlbs = list(dict.fromkeys(spec.network_load_balancer_arns))
    if spec.gateway_load_balancer_arns:
        raise errors.GatewayLoadBalancerServicesNotImplemented()
    if not nlbs:
        raise errors.LoadBalancerRequired()
    backends = _backends(scope, nlbs, None)
    tag_wire.check(spec.tags)
    service_id = scope.new_id("vpce-svc")
    service = EndpointService(
        id=service_id,
        account=scope.account,
        region=scope.region,
        service_name=service_name(scope.region, service_id),
        acceptance_required=spec.acceptance_required,
        network_load_balancer_arns=nlbs,
        supported_ip_address_types=_ip_types(spec.supported_ip_address_types, backends),
        supported_regions=_regions(scope, spec.supported_regions),
        tags=dict(spec.tags),
    )
    if spec.private_dns_name:
        _start_verification(service, _private_dns_name(spec.private_dns_name))
    _place(service, backends)
    scope.add(service)
    return service


def modify_endpoint_service(scope: Scope, change: EndpointServiceChange) -> EndpointService:
    service = queries.own_service(scope, change.service_id)
    if change.add_gateway_load_balancer_arns or change.remove_gateway_load_balancer_arns:
        raise errors.GatewayLoadBalancerServicesNotImplemented()
    if change.private_dns_name and change.remove_private_dns_name:
        raise errors.ExclusiveParameters("PrivateDnsName", "RemovePrivateDnsName")
    backends = _change_load_balancers(scope, service, change)
    removed_types = set(change.remove_supported_ip_address_types)
    types = [t for t in service.supported_ip_address_types if t not in removed_types]
    service.supported_ip_address_types = _ip_types(
        [*types, *change.add_supported_ip_address_types], backends
    )
    dropped = set(change.remove_supported_regions)
    if scope.region in dropped:
        raise errors.HostRegionRequired(scope.region)
    kept = [r for r in service.supported_regions if r not in dropped]
    service.supported_regions = _regions(scope, [*kept, *change.add_supported_regions])
    if change.acceptance_required is not None:
        service.acceptance_required = change.acceptance_required
    if change.private_dns_name:
        name = _private_dns_name(change.private_dns_name)
        if name != service.private_dns_name:
            _start_verification(service, name)
    if change.remove_private_dns_name:
        service.private_dns_name = service.private_dns_state = None
        service.private_dns_txt_name = service.private_dns_txt_value = None
    _place(service, backends)
    scope.put(service)
    return service


def _change_load_balancers(
    scope: Scope, service: EndpointService, change: EndpointServiceChange
) -> list[Backend]:
    remove = set(change.remove_network_load_balancer_arns)
    add = [a for a in change.add_network_load_balancer_arns if a not in remove]
    if remove:
        unknown = remove - set(service.network_load_balancer_arns)
        if unknown:
            raise errors.LoadBalancerNotInService(sorted(unknown)[0], service.id)
        if queries.connected_endpoints(scope.uow, service):
            raise errors.LoadBalancersInUse(service.id)
    arns = [a for a in service.network_load_balancer_arns if a not in remove]
    arns += [a for a in add if a not in arns]
    if not arns:
        raise errors.LoadBalancerNeeded()
    backends = _backends(scope, arns, service.id)
    service.network_load_balancer_arns = arns
    return backends


def delete_endpoint_services(scope: Scope, service_ids: Iterable[str]) -> list[Refusal]:
    """Delete services nobody is connected to; the rest come back refused."""
    refused: list[Refusal] = []
    for service_id in dict.fromkeys(service_ids):
        service = scope.get(EndpointService, service_id)
        if service is None:
            refused.append(
                Refusal(service_id, errors.InvalidVpcEndpointServiceNotFound(service_id))
            )
        elif queries.connected_endpoints(scope.uow, service):
            refused.append(Refusal(service_id, errors.ServiceHasConnections(service_id)))
        else:
            for permission in scope.uow.list(ServicePermission, parent=service.id):
                scope.delete(permission)
            notifications.forget_service(scope, service.id)
            scope.delete(service)
    return refused


def verify_private_dns(scope: Scope, service_id: str) -> EndpointService:
    """StartVpcEndpointServicePrivateDnsVerification: privlink cannot query the provider's
    DNS, so verification always succeeds."""
    service = queries.own_service(scope, service_id)
    if not service.private_dns_name:
        raise errors.NoPrivateDnsName(service.id)
    service.private_dns_state = "verified"
    scope.put(service)
    return service


# --- permissions --------------------------------------------------------------------
def modify_endpoint_service_permissions(
    scope: Scope, service_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> list[ServicePermission]:
    """Allow (and disallow) principals; returns the permissions this call added."""
    service = queries.own_service(scope, service_id)
    wanted = list(dict.fromkeys(add))
    dropped = set(remove)
    types = {principal: principal_type(principal) for principal in wanted}
    current = scope.uow.list(ServicePermission, parent=service.id)
    for permission in current:
        if permission.principal in dropped:
            scope.delete(permission)
    held = {p.principal for p in current if p.principal not in dropped}
    added: list[ServicePermission] = []
    for principal in wanted:
        if principal in held:
            continue
        permission = ServicePermission(
            id=scope.new_id("vpce-svc-perm"),
            account=scope.account,
            region=scope.region,
            service_id=service.id,
            principal=principal,
            principal_type=types[principal],
        )
        scope.add(permission)
        added.append(permission)
        held.add(principal)
    return added


def permissions_of(scope: Scope, service_id: str) -> list[ServicePermission]:
    return scope.uow.list(ServicePermission, parent=queries.own_service(scope, service_id).id)


# --- connections --------------------------------------------------------------------
def accept_connections(scope: Scope, service_id: str, endpoint_ids: Iterable[str]) -> list[Refusal]:
    """pendingAcceptance (or rejected) -> pending; the controller makes them available."""
    return _decide(scope, service_id, endpoint_ids, lifecycle.Trigger.ACCEPT, "accepted")


def reject_connections(scope: Scope, service_id: str, endpoint_ids: Iterable[str]) -> list[Refusal]:
    return _decide(scope, service_id, endpoint_ids, lifecycle.Trigger.REJECT, "rejected")


def _decide(
    scope: Scope,
    service_id: str,
    endpoint_ids: Iterable[str],
    trigger: lifecycle.Trigger,
    verb: str,
) -> list[Refusal]:
    """Per-endpoint failures are refusals; only a service the caller does not own fails."""
    service = queries.own_service(scope, service_id)
    refused: list[Refusal] = []
    for endpoint_id in dict.fromkeys(endpoint_ids):
        endpoint = scope.foreign(VpcEndpoint, endpoint_id)
        if (
            endpoint is None
            or endpoint.service_id != service.id
            or endpoint.state == lifecycle.State.DELETED
        ):
            refused.append(Refusal(endpoint_id, errors.InvalidVpcEndpointNotFound(endpoint_id)))
        elif not lifecycle.allowed(endpoint.state, trigger):
            refused.append(
                Refusal(
                    endpoint_id, errors.ConnectionInWrongState(endpoint_id, verb, endpoint.state)
                )
            )
        else:
            lifecycle.move(scope, endpoint, trigger)
    return refused
