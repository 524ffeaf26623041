"""DHCP option sets: the region's default set, custom sets, which set a VPC uses.

Every account has, per region, a default set (the domain name AWS gives
the region and AmazonProvidedDNS) that new VPCs start with; a VPC may use
another set, or none ("default" in AssociateDhcpOptions means no options).
A set in use by a VPC cannot be deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from privlink import errors
from privlink.api import Scope
from privlink.services import dependencies
from privlink.services.ec2.records import DhcpOptions, Vpc
from privlink.services.ec2.resource_kinds import require

NO_OPTIONS = "default"
# Option name -> how many values it takes at most (AWS's limits).
OPTION_LIMITS = {
    "domain-name-servers": 4,
    "domain-name": 1,
    "ntp-servers": 4,
    "netbios-name-servers": 4,
    "netbios-node-type": 1,
    "ipv6-address-preferred-lease-time": 1,
}


def region_domain(region: str) -> str:
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def default_options(scope: Scope) -> DhcpOptions:
    """The region's default set, made the first time a VPC needs it."""
    found = next((d for d in scope.list(DhcpOptions) if d.is_default), None)
    if found is None:
        found = DhcpOptions(
            id=scope.new_id("dopt"),
            account=scope.account,
            region=scope.region,
            configurations={
                "domain-name": [region_domain(scope.region)],
                "domain-name-servers": ["AmazonProvidedDNS"],
            },
            is_default=True,
        )
        scope.add(found)
    return found


def create_options(
    scope: Scope,
    configurations: Sequence[tuple[str, Sequence[str]]],
    tags: Mapping[str, str] | None = None,
) -> DhcpOptions:
    chosen: dict[str, list[str]] = {}
    for name, values in configurations:
        if name not in OPTION_LIMITS:
            raise errors.InvalidParameterValue.because(
                f"Value ({name}) for parameter name is invalid. Unrecognized dhcp option name"
            )
        if not values:
            raise errors.InvalidParameterValue.because(
                f"Value for parameter {name} is invalid. At least one value is required."
            )
        if name in chosen:
            raise errors.InvalidParameterValue.because(f"Duplicate dhcp option name: {name}")
        if len(values) > OPTION_LIMITS[name]:
            raise errors.InvalidParameterValue.because(
                f"Value ({', '.join(values)}) for parameter {name} is invalid. Too many values."
            )
        chosen[name] = list(values)
    options = DhcpOptions(
        id=scope.new_id("dopt"),
        account=scope.account,
        region=scope.region,
        configurations=chosen,
        tags=dict(tags or {}),
    )
    scope.add(options)
    return options


def associate(scope: Scope, options_id: str, vpc_id: str) -> None:
    """Make a VPC use a set ("default": no options at all)."""
    if options_id != NO_OPTIONS:
        require(scope, DhcpOptions, options_id)
    vpc = require(scope, Vpc, vpc_id)
    vpc.dhcp_options_id = options_id
    scope.put(vpc)


def delete_options(scope: Scope, options_id: str) -> None:
    options = require(scope, DhcpOptions, options_id)
    if dependencies.blockers(scope, options):
        raise errors.DependencyViolation("dhcpOptions", options.id)
    scope.delete(options)
