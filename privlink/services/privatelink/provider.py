"""Endpoint service configurations: a provider puts NLBs behind a PrivateLink service.

The service lives in the AZs of its load balancers (recomputed whenever the
provider modifies it, as AWS "re-enables" a service to pick up a new NLB
AZ). A private DNS name starts `pendingVerification`; privlink cannot look up
the provider's TXT record, so StartVpcEndpointServicePrivateDnsVerification
always succeeds.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.domain import filters, paging, regions
from privlink.services.ec2 import common as ec2_common
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink import notifications as endpoint_notifications
from privlink.services.privatelink import permissions as endpoint_permissions
from privlink.services.privatelink.backends import Backend, network_load_balancer
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.unit import UnitOfWork

IP_TYPES = ("ipv4", "ipv6")
_SERVICE_NAME = re.compile(
    r"(?:[a-z0-9.-]*\.)?com\.amazonaws\.vpce\.[a-z0-9-]+\.(vpce-svc-[0-9a-f]{17})"
)
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def service_name(region: str, service_id: str) -> str:
    return f"com.amazonaws.vpce.{region}.{service_id}"


def service_id_from_name(name: str) -> str | None:
    match = _SERVICE_NAME.fullmatch(name)
    return match.group(1) if match else None


def connected_endpoints(uow: UnitOfWork, service: EndpointService) -> list[VpcEndpoint]:
    """Endpoints attached to the service that still hold a connection."""
    return [
        e
        for e in uow.list(VpcEndpoint, region=service.region)
        if e.service_id == service.id and lifecycle.is_connected(e.state)
    ]


def wire(service: EndpointService) -> dict[str, Any]:
    config = None
    if service.private_dns_name:
        config = {
            "State": service.private_dns_state,
            "Type": "TXT",
            "Value": service.private_dns_txt_value,
            "Name": service.private_dns_txt_name,
        }
    return {
        "ServiceType": [{"ServiceType": service.service_type}],
        "ServiceId": service.id,
        "ServiceName": service.service_name,
        "ServiceState": service.state,
        "AvailabilityZoneIds": list(service.availability_zone_ids),
        "AvailabilityZones": list(service.availability_zones),
        "AcceptanceRequired": service.acceptance_required,
        "ManagesVpcEndpoints": False,
        "NetworkLoadBalancerArns": list(service.network_load_balancer_arns) or None,
        "GatewayLoadBalancerArns": list(service.gateway_load_balancer_arns) or None,
        "SupportedIpAddressTypes": list(service.supported_ip_address_types),
        "BaseEndpointDnsNames": [service.base_dns_name],
        "PrivateDnsName": service.private_dns_name,
        "PrivateDnsNameConfiguration": config,
        "PayerResponsibility": service.payer_responsibility,
        "Tags": ec2_common.wire_tags(service.tags),
        "SupportedRegions": [
            {"Region": r, "ServiceState": "Available"} for r in service.supported_regions
        ],
        "RemoteAccessEnabled": False,
    }


# --- validation ---------------------------------------------------------------------
def _backends(ctx: Scope, arns: list[str], service_id: str | None) -> list[Backend]:
    backends = [network_load_balancer(ctx.uow, arn, ctx.account, ctx.region) for arn in arns]
    for other in ctx.uow.list(EndpointService, ctx.account, ctx.region):
        if other.id == service_id:
            continue
        taken = set(other.network_load_balancer_arns) & set(arns)
        if taken:
            raise errors.InvalidParameter(
                f"Load balancer {sorted(taken)[0]} is already associated with another "
                f"VPC endpoint service ({other.id})."
            )
    return backends


def _check_ip_types(types: list[str], backends: list[Backend]) -> list[str]:
    if not types:
        raise errors.InvalidParameter("At least one supported IP address type is required.")
    for value in types:
        if value not in IP_TYPES:
            raise errors.InvalidParameter(
                f"Invalid supported IP address type {value}. Valid types are ipv4, ipv6."
            )
    if "ipv6" in types:
        for backend in backends:
            if backend.ip_address_type != "dualstack":
                raise errors.InvalidParameter(
                    f"Load balancer {backend.arn} must be dualstack to support IPv6."
                )
    return [t for t in IP_TYPES if t in types]


def _check_private_dns_name(name: str) -> str:
    labels = name.split(".")
    if labels and labels[0] == "*":
        labels = labels[1:]
    if (
        name != name.lower()
        or len(name) > 255
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
    ):
        raise errors.InvalidParameter(f"Invalid private DNS name: {name}")
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


def _check_regions(ctx: Scope, wanted: list[str]) -> list[str]:
    for region in wanted:
        if not regions.is_region(region):
            raise errors.InvalidParameter(f"Invalid supported Region: {region}")
    return list(dict.fromkeys([ctx.region, *wanted]))


def _place(service: EndpointService, backends: list[Backend]) -> None:
    """The service's AZs: every AZ any of its load balancers is enabled in."""
    names = {zone for backend in backends for zone in backend.zones}
    ordered = [z for z in regions.zones(service.region) if z.name in names]
    service.availability_zones = [z.name for z in ordered]
    service.availability_zone_ids = [z.zone_id for z in ordered]


# --- operations ---------------------------------------------------------------------
@handles("CreateVpcEndpointServiceConfiguration")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = ec2_common.replayed(ctx, "CreateVpcEndpointServiceConfiguration", params)
    if previous:
        return {
            "ServiceConfiguration": wire(common.own_service(ctx, previous)),
            "ClientToken": token,
        }
    nlbs = list(dict.fromkeys(params.get("NetworkLoadBalancerArns") or []))
    gwlbs = params.get("GatewayLoadBalancerArns") or []
    if gwlbs:
        raise errors.NotImplementedOperation(
            "privlink does not implement Gateway Load Balancer endpoint services; "
            "use NetworkLoadBalancerArns."
        )
    if not nlbs:
        raise errors.InvalidParameter(
            "Exactly one of NetworkLoadBalancerArns or GatewayLoadBalancerArns is required."
        )
    backends = _backends(ctx, nlbs, None)
    service_id = ctx.new_id("vpce-svc")
    service = EndpointService(
        id=service_id,
        account=ctx.account,
        region=ctx.region,
        service_name=service_name(ctx.region, service_id),
        acceptance_required=bool(params.get("AcceptanceRequired", False)),
        network_load_balancer_arns=nlbs,
        supported_ip_address_types=_check_ip_types(
            params.get("SupportedIpAddressTypes") or ["ipv4"], backends
        ),
        supported_regions=_check_regions(ctx, params.get("SupportedRegions") or []),
        tags=ec2_common.tags_for(params, "vpc-endpoint-service"),
    )
    if params.get("PrivateDnsName"):
        _start_verification(service, _check_private_dns_name(params["PrivateDnsName"]))
    _place(service, backends)
    ctx.uow.add(service)
    ec2_common.remember_token(ctx, "CreateVpcEndpointServiceConfiguration", params, service.id)
    return {"ServiceConfiguration": wire(service), "ClientToken": token}


FILTERS: dict[str, filters.Getter] = {
    "service-name": lambda s: s.service_name,
    "service-id": lambda s: s.id,
    "service-state": lambda s: s.state,
    "supported-ip-address-types": lambda s: s.supported_ip_address_types,
}


@handles("DescribeVpcEndpointServiceConfigurations")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("ServiceIds")
    if ids:
        services = [common.own_service(ctx, i) for i in dict.fromkeys(ids)]
    else:
        services = ctx.uow.list(EndpointService, ctx.account, ctx.region)
    services = filters.apply(services, params.get("Filters"), FILTERS)
    chunk, token = paging.page(
        services, params.get("MaxResults"), params.get("NextToken"), lambda s: s.id
    )
    return {"ServiceConfigurations": [wire(s) for s in chunk], "NextToken": token}


@handles("ModifyVpcEndpointServiceConfiguration")
def modify(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    service = common.own_service(ctx, params["ServiceId"])
    if params.get("AddGatewayLoadBalancerArns") or params.get("RemoveGatewayLoadBalancerArns"):
        raise errors.NotImplementedOperation(
            "privlink does not implement Gateway Load Balancer endpoint services."
        )
    if params.get("PrivateDnsName") and params.get("RemovePrivateDnsName"):
        raise errors.InvalidParameterCombination(
            "PrivateDnsName and RemovePrivateDnsName cannot be specified together."
        )
    remove = set(params.get("RemoveNetworkLoadBalancerArns") or [])
    add = [a for a in params.get("AddNetworkLoadBalancerArns") or [] if a not in remove]
    if remove:
        unknown = remove - set(service.network_load_balancer_arns)
        if unknown:
            raise errors.InvalidParameter(
                f"Load balancer {sorted(unknown)[0]} is not associated with service {service.id}."
            )
        if connected_endpoints(ctx.uow, service):
            raise errors.ExistingVpcEndpointConnections(
                f"Service {service.id} has existing active VPC Endpoint connections; "
                "load balancers cannot be removed."
            )
    arns = [a for a in service.network_load_balancer_arns if a not in remove]
    arns += [a for a in add if a not in arns]
    if not arns:
        raise errors.InvalidParameter("An endpoint service needs at least one load balancer.")
    backends = _backends(ctx, arns, service.id)
    service.network_load_balancer_arns = arns
    types = [
        t
        for t in service.supported_ip_address_types
        if t not in (params.get("RemoveSupportedIpAddressTypes") or [])
    ]
    types += params.get("AddSupportedIpAddressTypes") or []
    service.supported_ip_address_types = _check_ip_types(types, backends)
    dropped = set(params.get("RemoveSupportedRegions") or [])
    if ctx.region in dropped:
        raise errors.InvalidParameter(f"The host Region {ctx.region} cannot be removed.")
    service.supported_regions = _check_regions(
        ctx,
        [r for r in service.supported_regions if r not in dropped]
        + list(params.get("AddSupportedRegions") or []),
    )
    if "AcceptanceRequired" in params:
        service.acceptance_required = bool(params["AcceptanceRequired"])
    if params.get("PrivateDnsName"):
        name = _check_private_dns_name(params["PrivateDnsName"])
        if name != service.private_dns_name:
            _start_verification(service, name)
    if params.get("RemovePrivateDnsName"):
        service.private_dns_name = None
        service.private_dns_state = None
        service.private_dns_txt_name = None
        service.private_dns_txt_value = None
    _place(service, backends)
    ctx.uow.put(service)
    return {"Return": True}


@handles("DeleteVpcEndpointServiceConfigurations")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    failed: list[dict[str, Any]] = []
    for service_id in dict.fromkeys(params["ServiceIds"]):
        service = ctx.uow.get(EndpointService, service_id)
        if service is None or service.account != ctx.account or service.region != ctx.region:
            failed.append(
                common.unsuccessful(
                    service_id,
                    errors.InvalidVpcEndpointServiceNotFound(service_id),
                )
            )
            continue
        if connected_endpoints(ctx.uow, service):
            failed.append(
                common.unsuccessful(
                    service_id,
                    errors.ExistingVpcEndpointConnections(
                        f"Service {service_id} has existing active VPC Endpoint connections!"
                    ),
                )
            )
            continue
        endpoint_permissions.forget_service(ctx, service.id)
        endpoint_notifications.forget_service(ctx, service.id)
        ctx.uow.delete(service)
    return {"Unsuccessful": failed}


@handles("StartVpcEndpointServicePrivateDnsVerification")
def start_private_dns_verification(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """privlink cannot query the provider's DNS, so verification always succeeds."""
    service = common.own_service(ctx, params["ServiceId"])
    if not service.private_dns_name:
        raise errors.InvalidParameter(
            f"Service {service.id} does not have a private DNS name to verify."
        )
    service.private_dns_state = "verified"
    ctx.uow.put(service)
    return {"ReturnValue": True}


@handles("ModifyVpcEndpointServicePayerResponsibility")
def modify_payer_responsibility(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    common.own_service(ctx, params["ServiceId"])
    raise errors.NotImplementedOperation(
        "privlink does not implement ModifyVpcEndpointServicePayerResponsibility: there is no "
        "billing to shift; the provider always pays (PayerResponsibility is ServiceOwner)."
    )
