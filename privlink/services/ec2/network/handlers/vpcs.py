"""VPC and subnet handlers: wire input -> operation -> wire output."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.network import subnets, views, vpc_cidrs, vpcs
from privlink.services.ec2.records import Subnet, Vpc, VpcCidr

# wire member -> (attribute name in DescribeVpcAttribute, Vpc field)
VPC_ATTRIBUTES: dict[str, tuple[str, vpcs.VpcAttribute]] = {
    "EnableDnsSupport": ("enableDnsSupport", "enable_dns_support"),
    "EnableDnsHostnames": ("enableDnsHostnames", "enable_dns_hostnames"),
    "EnableNetworkAddressUsageMetrics": (
        "enableNetworkAddressUsageMetrics",
        "enable_network_address_usage_metrics",
    ),
}


@handles("CreateVpc")
def create_vpc(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    cidr = params.get("CidrBlock")
    if not cidr:
        raise errors.MissingParameter.because(
            "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided."
        )
    vpc = vpcs.create_vpc(
        ctx,
        cidr,
        tag_wire.for_type(params, "vpc"),
        tenancy=params.get("InstanceTenancy") or "default",
    )
    return {"Vpc": views.wire_vpc(vpc, state="pending")}


@handles("DescribeVpcs")
def describe_vpcs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = views.VPCS.page(ctx, params.get("VpcIds"), params)
    return {"Vpcs": [views.wire_vpc(v) for v in chunk], "NextToken": token}


@handles("ModifyVpcAttribute")
def modify_vpc_attribute(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require(Vpc, params["VpcId"])
    given = [name for name in VPC_ATTRIBUTES if name in params]
    if not given:
        raise errors.ParameterMissing("attribute")
    if len(given) > 1:
        raise errors.InvalidParameterCombination.because(
            "Fields for multiple attribute types specified: "
            + ", ".join(VPC_ATTRIBUTES[g][0] for g in given)
        )
    name = given[0]
    value = params[name].get("Value")
    if value is None:
        raise errors.ParameterMissing(f"{name}.Value")
    vpcs.set_vpc_attribute(ctx, params["VpcId"], VPC_ATTRIBUTES[name][1], bool(value))
    return {}


@handles("DescribeVpcAttribute")
def describe_vpc_attribute(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    vpc = ctx.require(Vpc, params["VpcId"])
    for member, (wire, field) in VPC_ATTRIBUTES.items():
        if params["Attribute"] == wire:
            return {"VpcId": vpc.id, member: {"Value": getattr(vpc, field)}}
    raise errors.InvalidAttributeName(params["Attribute"])


@handles("DeleteVpc")
def delete_vpc(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    vpcs.delete_vpc(ctx, params["VpcId"])
    return {}


@handles("AssociateVpcCidrBlock")
def associate_vpc_cidr_block(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("AmazonProvidedIpv6CidrBlock") or params.get("Ipv6CidrBlock"):
        raise errors.UnsupportedOperation.because("privlink's VPCs have IPv4 blocks only.")
    cidr = params.get("CidrBlock")
    if not cidr:
        raise errors.MissingParameter.because(
            "Either 'cidrBlock' or 'ipv4IpamPoolId' or 'amazonProvidedIpv6CidrBlock' should be "
            "provided."
        )
    block = vpc_cidrs.associate(ctx, params["VpcId"], cidr)
    return {"VpcId": params["VpcId"], "CidrBlockAssociation": _wire_block(block)}


@handles("DisassociateVpcCidrBlock")
def disassociate_vpc_cidr_block(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    vpc, block = vpc_cidrs.disassociate(ctx, params["AssociationId"])
    return {"VpcId": vpc.id, "CidrBlockAssociation": _wire_block(block)}


def _wire_block(block: VpcCidr) -> dict[str, Any]:
    return {
        "AssociationId": block.association_id,
        "CidrBlock": block.cidr,
        "CidrBlockState": {"State": block.state},
    }


@handles("CreateSubnet")
def create_subnet(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require(Vpc, params["VpcId"])
    cidr = params.get("CidrBlock")
    if not cidr:
        raise errors.ParameterMissing("cidrBlock")
    subnet = subnets.create_subnet(
        ctx,
        params["VpcId"],
        cidr,
        params.get("AvailabilityZone") or params.get("AvailabilityZoneId"),
        tag_wire.for_type(params, "subnet"),
    )
    return {"Subnet": views.wire_subnet(ctx, subnet)}


@handles("DescribeSubnets")
def describe_subnets(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = views.SUBNETS.page(ctx, params.get("SubnetIds"), params)
    return {"Subnets": [views.wire_subnet(ctx, s) for s in chunk], "NextToken": token}


@handles("ModifySubnetAttribute")
def modify_subnet_attribute(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    subnet = ctx.require(Subnet, params["SubnetId"])
    if "MapPublicIpOnLaunch" in params:
        value = bool(params["MapPublicIpOnLaunch"].get("Value"))
        subnets.set_map_public_ip_on_launch(ctx, subnet.id, value)
    return {}


@handles("DeleteSubnet")
def delete_subnet(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    subnets.delete_subnet(ctx, params["SubnetId"])
    return {}
