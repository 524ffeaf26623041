"""What a consumer can connect to: the AWS catalog plus provider services that allow it.

A provider service the caller is not allowed to use does not exist for it:
it is absent from DescribeVpcEndpointServices and CreateVpcEndpoint answers
InvalidServiceName, exactly as for a name nobody ever created.

Nobody but the owner may use a service until the provider allows
principals. Because privlink identifies callers by account, any allowed
principal of an account (root, role or user) admits that whole account;
``*`` admits everyone.
"""

from __future__ import annotations

import re

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.services.privatelink.catalog import ServiceOffer, aws_offers_named, aws_services
from privlink.services.privatelink.records import (
    EndpointService,
    ServicePermission,
    service_id_from_name,
)
from privlink.store.unit import UnitOfWork

_IAM = re.compile(
    r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):"
    r"(?P<what>root|role/[\w+=,.@-]+|user/[\w+=,.@-]+)$"
)
_OU = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]+/ou-[a-z0-9-]+$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com$")


def principal_type(principal: str) -> str:
    """PrincipalType of an allowed principal string, or InvalidPrincipal."""
    if principal == "*":
        return "All"
    match = _IAM.match(principal)
    if match:
        what = match["what"]
        return "Account" if what == "root" else ("Role" if what.startswith("role/") else "User")
    if _OU.match(principal):
        return "OrganizationUnit"
    if _SERVICE.match(principal):
        return "Service"
    raise errors.InvalidPrincipal(principal)


def principal_account(principal: str) -> str | None:
    match = _IAM.match(principal)
    return match["account"] if match else None


def may_use(uow: UnitOfWork, service: EndpointService, account: str) -> bool:
    """Whether `account` may see the service and connect to it (the owner always may)."""
    if service.account == account:
        return True
    return any(
        p.principal == "*" or principal_account(p.principal) == account
        for p in uow.list(ServicePermission, parent=service.id)
    )


def provider_offer(service: EndpointService, viewer: str) -> ServiceOffer:
    """A provider's service as `viewer` sees it (only the owner sees its tags)."""
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


def visible_offers(scope: Scope) -> list[ServiceOffer]:
    """Everything the caller may use in its Region: AWS services first, then providers'."""
    offers = aws_services(scope.region)
    for service in scope.uow.list(EndpointService, region=scope.region):
        if service.state == "Available" and may_use(scope.uow, service, scope.account):
            offers.append(provider_offer(service, scope.account))
    return offers


def offers_named(scope: Scope, name: str) -> list[ServiceOffer]:
    """The offers (one per endpoint type) behind a service name the caller may use."""
    service_id = service_id_from_name(name)
    if service_id is None:
        return aws_offers_named(scope.region, name)
    service = scope.foreign(EndpointService, service_id)
    if (
        service is None
        or service.region != scope.region
        or service.service_name != name
        or service.state != "Available"
        or not may_use(scope.uow, service, scope.account)
    ):
        return []
    return [provider_offer(service, scope.account)]


def offer_of_type(scope: Scope, name: str, endpoint_type: str) -> ServiceOffer:
    """The offer an endpoint of this type would connect to, or the error AWS gives."""
    offers = offers_named(scope, name)
    if not offers:
        raise errors.InvalidServiceName(name)
    for offer in offers:
        if offer.service_type == endpoint_type:
            return offer
    available = ", ".join(sorted({o.service_type for o in offers}))
    raise errors.EndpointTypeMismatch(endpoint_type, available)


def describe_offers(
    scope: Scope, names: list[str] | None, service_regions: list[str] | None
) -> list[ServiceOffer]:
    """DescribeVpcEndpointServices' selection: every name asked for must be visible."""
    offers = visible_offers(scope)
    if names:
        known = {o.name for o in offers}
        for name in names:
            if name not in known:
                raise errors.InvalidServiceName(name)
        offers = [o for o in offers if o.name in set(names)]
    if service_regions:
        offers = [o for o in offers if o.region in set(service_regions)]
    return offers
