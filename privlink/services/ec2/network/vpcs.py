"""VPCs: create (with default security group and main route table), describe, attributes, delete."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services import dependencies
from privlink.services.ec2 import common
from privlink.services.ec2.network.addressing import parse_cidr
from privlink.services.ec2.records import (
    InternetGateway,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from privlink.store.records import Record

VPC_LIMIT = 5 * 20  # AWS's default is 5 per region; raised here so local suites can breathe


def create_vpc(ctx: Scope, cidr: str, tags: dict[str, str], is_default: bool = False) -> Vpc:
    net = parse_cidr(cidr)
    if not 16 <= net.prefixlen <= 28:
        raise errors.InvalidVpcRange(f"The CIDR '{cidr}' is invalid.")
    vpc = Vpc(
        id=ctx.new_id("vpc"),
        account=ctx.account,
        region=ctx.region,
        cidr=str(net),
        cidr_association_id=ctx.new_id("vpc-cidr-assoc"),
        is_default=is_default,
        enable_dns_hostnames=is_default,
        tags=tags,
    )
    ctx.uow.add(vpc)
    group = SecurityGroup(
        id=ctx.new_id("sg"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=vpc.id,
        name="default",
        description="default VPC security group",
        rules=[
            SecurityGroupRule(
                rule_id=ctx.new_id("sgr"),
                is_egress=False,
                ip_protocol="-1",
                referenced_group_id=None,
                referenced_group_owner=ctx.account,
            ),
            SecurityGroupRule(
                rule_id=ctx.new_id("sgr"), is_egress=True, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
            ),
        ],
    )
    group.rules[0].referenced_group_id = group.id
    ctx.uow.add(group)
    ctx.uow.claim_name(common.group_name_scope(vpc.id), "default", group.id)
    ctx.uow.add(
        RouteTable(
            id=ctx.new_id("rtb"),
            account=ctx.account,
            region=ctx.region,
            vpc_id=vpc.id,
            routes=[
                Route(destination_cidr=vpc.cidr, gateway_id="local", origin="CreateRouteTable")
            ],
            associations=[RouteTableAssociation(association_id=ctx.new_id("rtbassoc"), main=True)],
        )
    )
    return vpc


def wire_vpc(vpc: Vpc) -> dict[str, Any]:
    return {
        "CidrBlock": vpc.cidr,
        "DhcpOptionsId": vpc.dhcp_options_id,
        "State": vpc.state,
        "VpcId": vpc.id,
        "OwnerId": vpc.account,
        "InstanceTenancy": vpc.instance_tenancy,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": vpc.cidr_association_id,
                "CidrBlock": vpc.cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": vpc.is_default,
        "Tags": common.wire_tags(vpc.tags),
    }


@handles("CreateVpc")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    cidr = params.get("CidrBlock")
    if not cidr:
        raise errors.MissingParameter("Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
    tenancy = params.get("InstanceTenancy") or "default"
    if tenancy not in ("default", "dedicated"):
        raise errors.InvalidParameterValue(
            f"Value ({tenancy}) for parameter instanceTenancy is invalid."
        )
    if len(ctx.uow.list(Vpc, ctx.account, ctx.region)) >= VPC_LIMIT:
        raise errors.VpcLimitExceeded("The maximum number of VPCs has been reached.")
    vpc = create_vpc(ctx, cidr, common.tags_for(params, "vpc"))
    vpc.instance_tenancy = tenancy
    ctx.uow.put(vpc)
    return {"Vpc": wire_vpc(vpc)}


FILTERS: dict[str, filters.Getter] = {
    "cidr": lambda v: v.cidr,
    "cidr-block-association.cidr-block": lambda v: v.cidr,
    "cidr-block-association.association-id": lambda v: v.cidr_association_id,
    "cidr-block-association.state": lambda v: "associated",
    "dhcp-options-id": lambda v: v.dhcp_options_id,
    "is-default": lambda v: v.is_default,
    "owner-id": lambda v: v.account,
    "state": lambda v: v.state,
    "vpc-id": lambda v: v.id,
}


@handles("DescribeVpcs")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("VpcIds")
    for vpc_id in ids or []:
        common.check_id(vpc_id, "vpc", errors.InvalidVpcIDMalformed)
    vpcs = common.scoped(ctx, Vpc, ids, errors.InvalidVpcIDNotFound, "vpc ID")
    vpcs = filters.apply(vpcs, params.get("Filters"), FILTERS)
    chunk, token = paging.page(
        vpcs, params.get("MaxResults"), params.get("NextToken"), lambda v: v.id
    )
    return {"Vpcs": [wire_vpc(v) for v in chunk], "NextToken": token}


_ATTRIBUTES = {
    "EnableDnsSupport": ("enableDnsSupport", "enable_dns_support"),
    "EnableDnsHostnames": ("enableDnsHostnames", "enable_dns_hostnames"),
    "EnableNetworkAddressUsageMetrics": (
        "enableNetworkAddressUsageMetrics",
        "enable_network_address_usage_metrics",
    ),
}


@handles("ModifyVpcAttribute")
def modify_attribute(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    vpc: Vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    given = [name for name in _ATTRIBUTES if name in params]
    if not given:
        raise errors.MissingParameter("The request must contain the parameter attribute")
    if len(given) > 1:
        raise errors.InvalidParameterCombination(
            "Fields for multiple attribute types specified: "
            + ", ".join(_ATTRIBUTES[g][0] for g in given)
        )
    name = given[0]
    value = params[name].get("Value")
    if value is None:
        raise errors.MissingParameter(f"The request must contain the parameter {name}.Value")
    setattr(vpc, _ATTRIBUTES[name][1], bool(value))
    ctx.uow.put(vpc)
    return {}


@handles("DescribeVpcAttribute")
def describe_attribute(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    vpc: Vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    for member, (wire, field) in _ATTRIBUTES.items():
        if params["Attribute"] == wire:
            return {"VpcId": vpc.id, member: {"Value": getattr(vpc, field)}}
    raise errors.InvalidParameterValue(
        f"Value ({params['Attribute']}) for parameter attribute is invalid. Unknown attribute."
    )


@handles("DeleteVpc")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    vpc: Vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    uow = ctx.uow
    groups = uow.list(SecurityGroup, parent=vpc.id)
    tables = uow.list(RouteTable, parent=vpc.id)
    blockers: list[Record] = [
        *uow.list(Subnet, parent=vpc.id),
        *[g for g in groups if g.name != "default"],
        *[t for t in tables if not t.is_main],
        *uow.list(InternetGateway, parent=vpc.id),
    ]
    blockers += dependencies.blockers(ctx, vpc)
    if blockers:
        raise errors.DependencyViolation(
            f"The vpc '{vpc.id}' has dependencies and cannot be deleted."
        )
    for record in [*groups, *tables]:
        uow.release_names(record.id)
        uow.delete(record)
    uow.delete(vpc)
    return {"Return": True}
