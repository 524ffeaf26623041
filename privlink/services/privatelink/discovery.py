"""What a consumer can connect to: the AWS catalog plus provider services that allow it.

A provider service the caller is not allowed to use does not exist for it:
it is absent from DescribeVpcEndpointServices and CreateVpcEndpoint answers
InvalidServiceName, exactly as for a name nobody ever created.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging, regions
from privlink.services.ec2 import common as ec2_common
from privlink.services.privatelink.catalog import ServiceOffer, aws_offers_named, aws_services
from privlink.services.privatelink.permissions import may_use
from privlink.services.privatelink.provider import service_id_from_name
from privlink.services.privatelink.records import EndpointService


def invalid_service_name(name: str) -> errors.AwsError:
    return errors.InvalidServiceName(f"The Vpc Endpoint Service '{name}' does not exist")


def provider_offer(service: EndpointService, viewer: str) -> ServiceOffer:
    return ServiceOffer(
        name=service.service_name,
        service_id=service.id,
        service_type=service.service_type,
        owner=service.account,
        region=service.region,
        zones=tuple(
            z for z in regions.zones(service.region) if z.name in service.availability_zones
        ),
        base_dns_names=(service.base_dns_name,),
        private_dns_names=(service.private_dns_name,) if service.private_dns_name else (),
        verification_state=service.private_dns_state,
        policy_supported=False,
        acceptance_required=service.acceptance_required,
        ip_address_types=tuple(service.supported_ip_address_types),
        payer_responsibility=service.payer_responsibility,
        tags=dict(service.tags) if viewer == service.account else {},
        is_aws=False,
    )


def visible_offers(ctx: Scope) -> list[ServiceOffer]:
    """Everything the caller may use in its Region: AWS services first, then providers'."""
    offers = aws_services(ctx.region)
    for service in ctx.uow.list(EndpointService, region=ctx.region):
        if service.state == "Available" and may_use(ctx.uow, service, ctx.account):
            offers.append(provider_offer(service, ctx.account))
    return offers


def offers_named(ctx: Scope, name: str) -> list[ServiceOffer]:
    """The offers (one per endpoint type) behind a service name the caller may use."""
    service_id = service_id_from_name(name)
    if service_id is None:
        return aws_offers_named(ctx.region, name)
    service = ctx.uow.get(EndpointService, service_id)
    if (
        service is None
        or service.region != ctx.region
        or service.service_name != name
        or service.state != "Available"
        or not may_use(ctx.uow, service, ctx.account)
    ):
        return []
    return [provider_offer(service, ctx.account)]


def wire_offer(offer: ServiceOffer) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "ServiceName": offer.name,
        "ServiceId": offer.service_id,
        "ServiceType": [{"ServiceType": offer.service_type}],
        "ServiceRegion": offer.region,
        "AvailabilityZoneIds": [z.zone_id for z in offer.zones],
        "AvailabilityZones": [z.name for z in offer.zones],
        "Owner": offer.owner,
        "BaseEndpointDnsNames": list(offer.base_dns_names),
        "PrivateDnsName": offer.private_dns_name,
        "VpcEndpointPolicySupported": offer.policy_supported,
        "AcceptanceRequired": offer.acceptance_required,
        "ManagesVpcEndpoints": offer.manages_vpc_endpoints,
        "PayerResponsibility": offer.payer_responsibility,
        "Tags": ec2_common.wire_tags(offer.tags) or [],
        "PrivateDnsNameVerificationState": offer.verification_state,
        "SupportedIpAddressTypes": list(offer.ip_address_types),
    }
    if offer.private_dns_names:
        detail["PrivateDnsNames"] = [{"PrivateDnsName": n} for n in offer.private_dns_names]
    return detail


FILTERS: dict[str, filters.Getter] = {
    "owner": lambda o: o.owner,
    "service-name": lambda o: o.name,
    "service-region": lambda o: o.region,
    "service-type": lambda o: o.service_type,
    "supported-ip-address-types": lambda o: list(o.ip_address_types),
}


@handles("DescribeVpcEndpointServices")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    offers = visible_offers(ctx)
    names = params.get("ServiceNames")
    if names:
        known = {o.name for o in offers}
        for name in names:
            if name not in known:
                raise invalid_service_name(name)
        offers = [o for o in offers if o.name in set(names)]
    wanted_regions = params.get("ServiceRegions")
    if wanted_regions:
        offers = [o for o in offers if o.region in set(wanted_regions)]
    offers = filters.apply(offers, params.get("Filters"), FILTERS, tags=lambda o: o.tags)
    limit = params.get("MaxResults")
    chunk, token = paging.page(
        offers,
        min(limit, 1000) if limit is not None else None,
        params.get("NextToken"),
        lambda o: f"{o.name}|{o.service_type}",
        (1, 1000),
    )
    return {
        "ServiceNames": list(dict.fromkeys(o.name for o in chunk)),
        "ServiceDetails": [wire_offer(o) for o in chunk],
        "NextToken": token,
    }
