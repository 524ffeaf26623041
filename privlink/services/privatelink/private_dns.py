"""Private DNS names of interface endpoints: who holds a name in a VPC, and when it may.

A private name (the service's public host name, answered inside the VPC)
belongs to at most one endpoint per VPC, claimed in the store's unique names
so two endpoints can never both hold it. PrivateDnsOnlyForInboundResolverEndpoint
(S3 and DynamoDB) is decided here too, because it only means something with
private DNS on.
"""

from __future__ import annotations

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import Vpc
from privlink.services.privatelink.catalog import ServiceOffer
from privlink.services.privatelink.records import VpcEndpoint

INBOUND_RESOLVER_SERVICES = ("s3", "dynamodb")  # services offering both endpoint types


def name_scope(vpc_id: str) -> str:
    return f"vpce-private-dns:{vpc_id}"


def claim(scope: Scope, vpc: Vpc, offer: ServiceOffer, endpoint: VpcEndpoint) -> list[str]:
    """Enable private DNS: VPC attributes, a usable name, and no other owner in the VPC."""
    if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        raise errors.PrivateDnsNeedsVpcDns(vpc.id)
    if not offer.private_dns_names:
        raise errors.PrivateDnsUnavailable(offer.name)
    if offer.verification_state != "verified":
        raise errors.PrivateDnsUnverified(offer.name)
    for name in offer.private_dns_names:
        if scope.uow.claim_name(name_scope(vpc.id), name, endpoint.id) is not None:
            raise errors.PrivateDnsConflict(name, vpc.id)
    return list(offer.private_dns_names)


def release(scope: Scope, endpoint: VpcEndpoint) -> None:
    names = name_scope(endpoint.vpc_id)
    for name in endpoint.private_dns_names:
        if scope.uow.name_owner(names, name) == endpoint.id:
            scope.uow.release_name(names, name)
    endpoint.private_dns_names = []


def inbound_resolver_only(
    vpc: Vpc, offer: ServiceOffer, private_dns: bool, wanted: bool | None, gateway_present: bool
) -> bool | None:
    """PrivateDnsOnlyForInboundResolverEndpoint: S3/DynamoDB only, on by default with
    private DNS, and only when the VPC has a Gateway endpoint for the same service."""
    supports = offer.is_aws and offer.name.rsplit(".", 1)[-1] in INBOUND_RESOLVER_SERVICES
    if not supports:
        if wanted:
            raise errors.InboundResolverUnsupported()
        return None
    if not private_dns:
        if wanted:
            raise errors.InboundResolverNeedsPrivateDns()
        return False
    value = True if wanted is None else wanted
    if value and not gateway_present:
        raise errors.InboundResolverNeedsGateway(vpc.id)
    return value
