"""Checks shared by CreateVpcEndpoint and ModifyVpcEndpoint, in AWS's error vocabulary.

Messages follow the texts AWS has been seen to return (spec
interface-endpoints.md §3.3); where AWS's code is unknown the choice is
documented in docs/privatelink-behaviour.md.
"""

from __future__ import annotations

import json
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import SecurityGroup, Subnet, Vpc
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink.catalog import ServiceOffer
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

MAX_GROUPS = 5
MAX_POLICY = 20480
INBOUND_RESOLVER_SERVICES = ("s3", "dynamodb")  # services offering both endpoint types


def private_dns_scope(vpc_id: str) -> str:
    return f"vpce-private-dns:{vpc_id}"


def subnet_configurations(params: dict[str, Any]) -> dict[str, str | None]:
    """SubnetConfigurations as subnet id -> wanted IPv4 (None: any)."""
    out: dict[str, str | None] = {}
    for item in params.get("SubnetConfigurations") or []:
        if item.get("Ipv6"):
            raise errors.InvalidParameter(
                "IPv6 addresses are not supported: privlink subnets are IPv4-only."
            )
        if item.get("SubnetId"):
            out[item["SubnetId"]] = item.get("Ipv4")
    return out


def subnets(
    ctx: Scope,
    vpc: Vpc,
    subnet_ids: list[str],
    offer: ServiceOffer,
    kept: list[Subnet],
) -> list[Subnet]:
    """The new subnets, checked against each other and against the ones `kept`."""
    found: list[Subnet] = []
    for subnet_id in subnet_ids:
        if not common.SUBNET_ID.match(subnet_id):
            raise errors.InvalidSubnetIdMalformed(
                f"Invalid Subnet Id: '{subnet_id}' (expecting 'subnet-...; the Id may only "
                "contain lowercase alphanumeric characters and a single dash')"
            )
        subnet = ctx.uow.get(Subnet, subnet_id)
        if subnet is None or subnet.account != ctx.account or subnet.region != ctx.region:
            raise errors.InvalidSubnetIDNotFound(subnet_id)
        if subnet.vpc_id != vpc.id:
            raise errors.InvalidParameter(
                f"The subnet ID '{subnet_id}' does not belong to the VPC '{vpc.id}'."
            )
        found.append(subnet)
    zones: set[str] = {s.availability_zone for s in kept}
    for subnet in found:
        if subnet.availability_zone in zones:
            raise errors.DuplicateSubnetsInSameZone(
                f"Found another VPC endpoint subnet in the availability zone of {subnet.id}. "
                "VPC endpoint subnets should be in different availability zones supported by "
                "the VPC endpoint service."
            )
        zones.add(subnet.availability_zone)
        if subnet.availability_zone not in offer.zone_names:
            raise errors.InvalidParameter(
                f"The VPC endpoint service {offer.name} does not support the availability "
                f"zone of the subnet: {subnet.id}."
            )
    return found


def security_groups(ctx: Scope, vpc: Vpc, group_ids: list[str]) -> list[str]:
    """Checked, de-duplicated group ids (at most 5, all in the endpoint's VPC)."""
    wanted = list(dict.fromkeys(group_ids))
    for group_id in wanted:
        if not common.GROUP_ID.match(group_id):
            raise errors.InvalidGroupIdMalformed.because(
                f'Invalid id: "{group_id}" (expecting "sg-...")'
            )
        group = ctx.uow.get(SecurityGroup, group_id)
        if (
            group is None
            or group.account != ctx.account
            or group.region != ctx.region
            or group.vpc_id != vpc.id
        ):
            raise errors.InvalidGroupNotFound(group_id)
    if len(wanted) > MAX_GROUPS:
        raise errors.SecurityGroupsPerInterfaceLimitExceeded(
            f"The maximum number of security groups per interface ({MAX_GROUPS}) has been reached."
        )
    return wanted


def default_group(ctx: Scope, vpc: Vpc) -> list[str]:
    for group in ctx.uow.list(SecurityGroup, parent=vpc.id):
        if group.name == "default":
            return [group.id]
    return []


def policy(text: str | None) -> str | None:
    if text is None:
        return None
    problem = None
    if len(text) > MAX_POLICY:
        problem = f"Policy document exceeds the maximum length of {MAX_POLICY} characters."
    else:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
            problem = "Policy document is not valid JSON."
        if problem is None:
            statements = document.get("Statement") if isinstance(document, dict) else None
            if isinstance(statements, dict):
                statements = [statements]
            if not isinstance(statements, list) or not statements:
                problem = "Policy document must contain at least one Statement."
            elif not all(isinstance(s, dict) and "Principal" in s for s in statements):
                problem = "Policy document statements must contain a Principal."
    if problem:
        raise errors.InvalidPolicyDocument(problem)
    return text


def ip_settings(
    ip_address_type: str | None, dns_options: dict[str, Any] | None, offer: ServiceOffer
) -> tuple[str, str]:
    """(IpAddressType, DnsRecordIpType). privlink subnets are IPv4-only."""
    ip_type = ip_address_type or "ipv4"
    if ip_type not in ("ipv4", "dualstack", "ipv6"):
        raise errors.InvalidParameter(f"Invalid IP address type {ip_type}.")
    if ip_type != "ipv4":
        raise errors.InvalidParameter(
            f"IP address type {ip_type} requires subnets with IPv6 CIDR blocks; "
            "the endpoint's subnets are IPv4-only."
        )
    record_type = (dns_options or {}).get("DnsRecordIpType") or "ipv4"
    if record_type not in ("ipv4", "dualstack", "ipv6", "service-defined"):
        raise errors.InvalidParameter(f"Invalid DNS record IP type {record_type}.")
    if record_type != "ipv4":
        raise errors.InvalidParameter(
            f"DNS record IP type {record_type} is not valid for IP address type {ip_type}."
        )
    return ip_type, record_type


def inbound_resolver_only(
    ctx: Scope,
    vpc: Vpc,
    offer: ServiceOffer,
    private_dns: bool,
    wanted: bool | None,
    gateway_present: bool,
) -> bool | None:
    """PrivateDnsOnlyForInboundResolverEndpoint: S3/DynamoDB only, on by default with
    private DNS, and only when the VPC has a Gateway endpoint for the same service."""
    supports = offer.is_aws and offer.name.rsplit(".", 1)[-1] in INBOUND_RESOLVER_SERVICES
    if not supports:
        if wanted:
            raise errors.InvalidParameter(
                "PrivateDnsOnlyForInboundResolverEndpoint not supported for this service."
            )
        return None
    if not private_dns:
        if wanted:
            raise errors.InvalidParameter(
                "PrivateDnsOnlyForInboundResolverEndpoint requires private DNS to be enabled."
            )
        return False
    value = True if wanted is None else wanted
    if value and not gateway_present:
        raise errors.InvalidParameter(
            "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC "
            f"{vpc.id} must have a Gateway endpoint for the service."
        )
    return value


def claim_private_names(
    ctx: Scope, vpc: Vpc, offer: ServiceOffer, endpoint: VpcEndpoint
) -> list[str]:
    """Enable private DNS: VPC attributes, a usable name, and no other owner in the VPC."""
    if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        raise errors.InvalidParameter(
            "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC "
            f"attributes set to true for {vpc.id}"
        )
    if not offer.private_dns_names:
        raise errors.InvalidParameter(
            f"Private DNS can't be enabled because the service {offer.name} does not "
            "provide a private DNS name."
        )
    if offer.verification_state != "verified":
        raise errors.InvalidParameter(
            f"Private DNS can't be enabled because the private DNS name of the service "
            f"{offer.name} is not verified."
        )
    for name in offer.private_dns_names:
        owner = ctx.uow.claim_name(private_dns_scope(vpc.id), name, endpoint.id)
        if owner is not None:
            raise errors.InvalidParameter(
                "private-dns-enabled cannot be set because there is already a conflicting DNS "
                f"domain for {name} in the VPC {vpc.id}"
            )
    return list(offer.private_dns_names)


def release_private_names(uow: UnitOfWork, endpoint: VpcEndpoint) -> None:
    scope = private_dns_scope(endpoint.vpc_id)
    for name in endpoint.private_dns_names:
        if uow.name_owner(scope, name) == endpoint.id:
            uow.release_name(scope, name)
    endpoint.private_dns_names = []
