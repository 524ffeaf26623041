"""Checks CreateVpcEndpoint and ModifyVpcEndpoint share, in AWS's error vocabulary.

Messages follow the texts AWS has been seen to return (spec
interface-endpoints.md §3.3); where AWS's code is unknown the choice is
documented in docs/privatelink-behaviour.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import SecurityGroup, Subnet, Vpc
from privlink.services.privatelink.catalog import ServiceOffer

MAX_GROUPS = 5
MAX_POLICY = 20480
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")
GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")


def subnet_configurations(items: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    """SubnetConfigurations as subnet id -> wanted IPv4 (None: any)."""
    out: dict[str, str | None] = {}
    for item in items:
        if item.get("Ipv6"):
            raise errors.Ipv6SubnetConfiguration()
        if item.get("SubnetId"):
            out[item["SubnetId"]] = item.get("Ipv4")
    return out


def subnets(
    scope: Scope, vpc: Vpc, subnet_ids: Iterable[str], offer: ServiceOffer, kept: list[Subnet]
) -> list[Subnet]:
    """The new subnets, checked against each other and against the ones `kept`."""
    found: list[Subnet] = []
    for subnet_id in subnet_ids:
        if not SUBNET_ID.match(subnet_id):
            raise errors.InvalidSubnetIdMalformed(subnet_id)
        subnet = scope.require(Subnet, subnet_id)
        if subnet.vpc_id != vpc.id:
            raise errors.SubnetNotInVpc(subnet_id, vpc.id)
        found.append(subnet)
    zones: set[str] = {s.availability_zone for s in kept}
    for subnet in found:
        if subnet.availability_zone in zones:
            raise errors.DuplicateSubnetsInSameZone(subnet.id)
        zones.add(subnet.availability_zone)
        if subnet.availability_zone not in offer.zone_names:
            raise errors.ZoneNotOffered(offer.name, subnet.id)
    return found


def security_groups(scope: Scope, vpc: Vpc, group_ids: Iterable[str]) -> list[str]:
    """Checked, de-duplicated group ids (at most 5, all in the endpoint's VPC)."""
    wanted = list(dict.fromkeys(group_ids))
    for group_id in wanted:
        if not GROUP_ID.match(group_id):
            raise errors.InvalidGroupIdMalformed(group_id)
        group = scope.get(SecurityGroup, group_id)
        if group is None or group.vpc_id != vpc.id:
            raise errors.InvalidGroupNotFound(group_id)
    if len(wanted) > MAX_GROUPS:
        raise errors.SecurityGroupsPerInterfaceLimitExceeded(str(MAX_GROUPS))
    return wanted


def default_group(scope: Scope, vpc: Vpc) -> list[str]:
    for group in scope.uow.list(SecurityGroup, parent=vpc.id):
        if group.name == "default":
            return [group.id]
    return []


def policy(text: str | None) -> str | None:
    """An endpoint policy: JSON with at least one Statement, each naming a Principal."""
    if text is None:
        return None
    if len(text) > MAX_POLICY:
        raise errors.PolicyTooLong(str(MAX_POLICY))
    try:
        document = json.loads(text)
    except ValueError:
        raise errors.PolicyNotJson() from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise errors.PolicyWithoutStatement()
    if not all(isinstance(s, dict) and "Principal" in s for s in statements):
        raise errors.PolicyStatementWithoutPrincipal()
    return text


def ip_settings(ip_address_type: str | None, dns_record_ip_type: str | None) -> tuple[str, str]:
    """(IpAddressType, DnsRecordIpType). privlink subnets are IPv4-only."""
    ip_type = ip_address_type or "ipv4"
    if ip_type not in ("ipv4", "dualstack", "ipv6"):
        raise errors.InvalidIpAddressType(ip_type)
    if ip_type != "ipv4":
        raise errors.IpAddressTypeNeedsIpv6(ip_type)
    record_type = dns_record_ip_type or "ipv4"
    if record_type not in ("ipv4", "dualstack", "ipv6", "service-defined"):
        raise errors.InvalidDnsRecordIpType(record_type)
    if record_type != "ipv4":
        raise errors.DnsRecordIpTypeMismatch(record_type, ip_type)
    return ip_type, record_type
