"""VPC operations: create (with its default security group, main route table, default
network ACL and the region's default DHCP options), change attributes, delete.

Callable from handlers, other services and controllers: each takes a
`Scope` and typed arguments and returns records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from privlink import errors
from privlink.api import Scope
from privlink.services import dependencies
from privlink.services.ec2.network import acls, dhcp
from privlink.services.ec2.network.addressing import parse_cidr
from privlink.services.ec2.network.route_tables import create_main_table
from privlink.services.ec2.records import RouteTable, SecurityGroup, Vpc
from privlink.services.ec2.security.groups import create_default_group

VPC_LIMIT = 5 * 20  # AWS's default is 5 per region; raised here so local suites can breathe
TENANCIES = ("default", "dedicated")
VpcAttribute = Literal[
    "enable_dns_support", "enable_dns_hostnames", "enable_network_address_usage_metrics"
]


def create_vpc(
    scope: Scope,
    cidr: str,
    tags: Mapping[str, str] | None = None,
    *,
    tenancy: str = "default",
    is_default: bool = False,
) -> Vpc:
    """A VPC with its "default" security group and its main route table."""
    net = parse_cidr(cidr)
    if not 16 <= net.prefixlen <= 28:
        raise errors.InvalidVpcRange(cidr)
    if tenancy not in TENANCIES:
        raise errors.InvalidParameterValue.because(
            f"Value ({tenancy}) for parameter instanceTenancy is invalid."
        )
    if not is_default and len(scope.list(Vpc)) >= VPC_LIMIT:
        raise errors.VpcLimitExceeded()
    vpc = Vpc(
        id=scope.new_id("vpc"),
        account=scope.account,
        region=scope.region,
        cidr=str(net),
        cidr_association_id=scope.new_id("vpc-cidr-assoc"),
        is_default=is_default,
        instance_tenancy=tenancy,
        enable_dns_hostnames=is_default,
        dhcp_options_id=dhcp.default_options(scope).id,
        tags=dict(tags or {}),
    )
    scope.add(vpc)
    create_default_group(scope, vpc)
    create_main_table(scope, vpc)
    acls.create_default_acl(scope, vpc)
    return vpc


def set_vpc_attribute(scope: Scope, vpc_id: str, attribute: VpcAttribute, value: bool) -> Vpc:
    vpc = scope.require(Vpc, vpc_id)
    setattr(vpc, attribute, value)
    scope.put(vpc)
    return vpc


def delete_vpc(scope: Scope, vpc_id: str) -> None:
    """Delete a VPC that holds nothing but its default group and main table (those go too)."""
    vpc = scope.require(Vpc, vpc_id)
    if dependencies.blockers(scope, vpc):
        raise errors.DependencyViolation("vpc", vpc.id)
    for record in [
        *scope.list(SecurityGroup, parent=vpc.id),
        *scope.list(RouteTable, parent=vpc.id),
    ]:
        scope.uow.release_names(record.id)
        scope.delete(record)
    acls.delete_vpc_acls(scope, vpc.id)
    scope.delete(vpc)
