"""CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer and their attributes."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.elbv2 import attributes, operations
from privlink.services.elbv2.handlers import wire
from privlink.services.elbv2.records import LoadBalancer

# Route 53 zone of NLB DNS names per region (AWS's published table).
NLB_HOSTED_ZONES = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "ca-central-1": "Z2EPGBW3API2WT",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-west-2": "ZD4D7Y8KGAS4G",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "eu-north-1": "Z1UDT6IFJ4EJM",
    "ap-southeast-1": "ZKVM4W9LS7TM",
    "ap-southeast-2": "ZCT6FZBF4DROD",
    "ap-northeast-1": "Z31USIVHYNEOWT",
    "ap-south-1": "ZVDDRBQ08TROA",
    "sa-east-1": "ZTK26PT1VY4CU",
}
# Route 53 zone of ALB DNS names per region (AWS's published table).
ALB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ7KKFALW",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-south-1": "ZP97RAFLXTNZK",
    "sa-east-1": "Z2P70J7HTTTPLU",
}


def _hosted_zone(lb: LoadBalancer) -> str:
    zones = ALB_HOSTED_ZONES if lb.type == "application" else NLB_HOSTED_ZONES
    return zones.get(lb.region, zones["us-east-1"])


def wire_load_balancer(lb: LoadBalancer, state: str | None = None) -> dict[str, Any]:
    # Internal NLB nodes show their private address; ALBs have no fixed addresses, and
    # internet-facing nodes would show public ones, which privlink does not model.
    addresses = lb.scheme == "internal" and lb.type == "network"
    network = lb.type == "network"
    return {
        "LoadBalancerArn": lb.id,
        "DNSName": lb.dns_name,
        "CanonicalHostedZoneId": _hosted_zone(lb),
        "CreatedTime": lb.created_time,
        "LoadBalancerName": lb.name,
        "Scheme": lb.scheme,
        "VpcId": lb.vpc_id,
        "State": {"Code": state or lb.state},
        "Type": lb.type,
        "AvailabilityZones": [
            {
                "ZoneName": node.zone_name,
                "SubnetId": node.subnet_id,
                "LoadBalancerAddresses": (
                    [{"PrivateIPv4Address": node.private_ip}] if addresses else []
                ),
            }
            for node in lb.nodes
        ],
        "SecurityGroups": lb.security_groups or None,
        "IpAddressType": lb.ip_address_type,
        "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": (
            "on" if lb.security_groups and network else None
        ),
    }


def _subnet_mappings(params: dict[str, Any]) -> tuple[operations.SubnetMapping, ...]:
    subnets = params.get("Subnets")
    mappings = params.get("SubnetMappings")
    if subnets and mappings:
        raise errors.SubnetsAndSubnetMappings()
    return tuple(
        operations.SubnetMapping(
            m.get("SubnetId") or "", m.get("PrivateIPv4Address"), m.get("AllocationId")
        )
        for m in mappings or [{"SubnetId": s} for s in subnets or []]
    )


@handles("CreateLoadBalancer")
def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.NewLoadBalancer(
        name=params["Name"],
        subnets=_subnet_mappings(params),
        type=params.get("Type") or "application",
        scheme=params.get("Scheme") or "internet-facing",
        ip_address_type=params.get("IpAddressType") or "ipv4",
        security_groups=tuple(params.get("SecurityGroups") or ()),
        tags=wire.tag_list(params.get("Tags")),
    )
    lb, created = operations.create_load_balancer(ctx, spec)
    return {"LoadBalancers": [wire_load_balancer(lb, "provisioning" if created else None)]}


@handles("DescribeLoadBalancers")
def describe(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    arns, names = params.get("LoadBalancerArns"), params.get("Names")
    if arns and names:
        raise errors.NamesAndArnsTogether()
    items = ctx.list(LoadBalancer)
    if names:
        items = wire.select(items, names, lambda lb: lb.name, errors.LoadBalancersNotFound)
    else:
        items = wire.select(items, arns, lambda lb: lb.id, errors.LoadBalancersNotFound)
    chunk, marker = wire.page(items, params, lambda lb: lb.id)
    return {"LoadBalancers": [wire_load_balancer(lb) for lb in chunk], "NextMarker": marker}


@handles("DeleteLoadBalancer")
def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_load_balancer(ctx, params["LoadBalancerArn"])
    return {}


@handles("DescribeLoadBalancerAttributes")
def describe_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    lb = ctx.require(LoadBalancer, params["LoadBalancerArn"])
    return {"Attributes": attributes.wire(lb.attributes)}


@handles("ModifyLoadBalancerAttributes")
def modify_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    lb = operations.modify_load_balancer_attributes(
        ctx, params["LoadBalancerArn"], attributes.from_wire(params["Attributes"])
    )
    return {"Attributes": attributes.wire(lb.attributes)}
