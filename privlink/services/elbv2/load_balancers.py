"""Network Load Balancers: create, describe, delete, attributes.

One node per enabled AZ, each holding a private address allocated from its
subnet (the data plane puts the NLB's node there). State: the record is
`active` from the start and every read says so; only the CreateLoadBalancer
response says `provisioning`, as AWS's does. No controller is involved, so
waiters (`load_balancer_available`) succeed on their first poll.

Resources that depend on a load balancer (endpoint services) are declared in
privlink.services.dependencies; DeleteLoadBalancer refuses with
ResourceInUse while any of them finds something.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import regions
from privlink.services import dependencies
from privlink.services.ec2.network import addressing
from privlink.services.ec2.records import InternetGateway, SecurityGroup, Subnet
from privlink.services.elbv2 import attributes, common
from privlink.services.elbv2.records import LbNode, Listener, LoadBalancer

# lookup(ctx, load_balancer_arn) -> the records that keep this load balancer in use

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


def _name_scope(account: str, region: str) -> str:
    return f"elbv2-lb-name:{account}:{region}"


def wire_load_balancer(lb: LoadBalancer, state: str | None = None) -> dict[str, Any]:
    internal = lb.scheme == "internal"
    return {
        "LoadBalancerArn": lb.id,
        "DNSName": lb.dns_name,
        "CanonicalHostedZoneId": NLB_HOSTED_ZONES.get(lb.region, NLB_HOSTED_ZONES["us-east-1"]),
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
                # Internet-facing nodes would show their public (elastic) addresses, which
                # privlink does not model; internal ones show their private address.
                "LoadBalancerAddresses": (
                    [{"PrivateIPv4Address": node.private_ip}] if internal else []
                ),
            }
            for node in lb.nodes
        ],
        "SecurityGroups": lb.security_groups or None,
        "IpAddressType": lb.ip_address_type,
        "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": (
            "on" if lb.security_groups else None
        ),
    }


def _subnet_mappings(params: dict[str, Any]) -> list[dict[str, Any]]:
    subnets = params.get("Subnets")
    mappings = params.get("SubnetMappings")
    if subnets and mappings:
        raise errors.ValidationError("You can specify subnets or subnet mappings, not both")
    if mappings:
        return list(mappings)
    if subnets:
        return [{"SubnetId": s} for s in subnets]
    raise errors.ValidationError("At least one subnet must be specified")


def _resolve_subnets(ctx: Scope, mappings: list[dict[str, Any]]) -> list[Subnet]:
    found: list[Subnet] = []
    for mapping in mappings:
        subnet_id = mapping.get("SubnetId") or ""
        subnet = ctx.uow.get(Subnet, subnet_id)
        if subnet is None or subnet.account != ctx.account or subnet.region != ctx.region:
            raise errors.SubnetNotFound(f"The subnet ID '{subnet_id}' is not valid")
        if mapping.get("AllocationId"):
            raise errors.InvalidConfigurationRequest(
                "privlink does not model Elastic IP addresses: SubnetMappings.AllocationId is "
                "not supported"
            )
        found.append(subnet)
    if len({s.vpc_id for s in found}) > 1:
        raise errors.InvalidConfigurationRequest("The subnets must all belong to the same VPC")
    zones = [s.availability_zone for s in found]
    if len(set(zones)) != len(zones):
        raise errors.InvalidConfigurationRequest(
            "A load balancer cannot be attached to multiple subnets in the same Availability Zone"
        )
    return found


def _check_security_groups(ctx: Scope, group_ids: list[str], vpc_id: str) -> None:
    for group_id in group_ids:
        group = ctx.uow.get(SecurityGroup, group_id)
        if group is None or group.account != ctx.account or group.vpc_id != vpc_id:
            raise errors.InvalidSecurityGroup(
                f"Security group '{group_id}' does not exist in VPC '{vpc_id}'"
            )


def _settings(
    lb_type: str, scheme: str, ip_type: str, subnets: list[str], groups: list[str]
) -> tuple[Any, ...]:
    """What makes two CreateLoadBalancer calls "the same settings" (they are idempotent)."""
    return (lb_type, scheme, ip_type, sorted(subnets), sorted(groups))


def _allocate_nodes(
    ctx: Scope, lb: LoadBalancer, subnets: list[Subnet], mappings: list[dict[str, Any]]
) -> list[LbNode]:
    nodes: list[LbNode] = []
    for subnet, mapping in zip(subnets, mappings, strict=True):
        wanted = mapping.get("PrivateIPv4Address")
        try:
            address = addressing.allocate(ctx.uow, subnet, lb.address_owner, wanted)
        except errors.AwsError as exc:  # EC2's codes mean nothing to an ELBv2 client
            raise errors.InvalidConfigurationRequest(exc.message) from exc
        zone = regions.zone_named(ctx.region, subnet.availability_zone)
        nodes.append(
            LbNode(
                zone_name=subnet.availability_zone,
                zone_id=zone.zone_id if zone else subnet.availability_zone_id,
                subnet_id=subnet.id,
                private_ip=address,
                requested_ip=wanted is not None,
            )
        )
    return nodes


@handles("CreateLoadBalancer")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    common.check_name(name, "Load balancer")
    if name.lower().startswith("internal-"):  # AWS reserves it for internal DNS names
        raise errors.ValidationError("Load balancer names cannot start with 'internal-'")
    lb_type = params.get("Type") or "application"
    if lb_type != "network":
        raise errors.InvalidConfigurationRequest(
            f"privlink implements network load balancers only, not type '{lb_type}'"
        )
    scheme = params.get("Scheme") or "internet-facing"
    ip_type = params.get("IpAddressType") or "ipv4"
    if ip_type != "ipv4":
        raise errors.InvalidConfigurationRequest(
            f"privlink supports the ipv4 address type only, not '{ip_type}'"
        )
    mappings = _subnet_mappings(params)
    subnets = _resolve_subnets(ctx, mappings)
    vpc_id = subnets[0].vpc_id
    groups = list(dict.fromkeys(params.get("SecurityGroups") or []))
    _check_security_groups(ctx, groups, vpc_id)
    tags = common.parse_tags(params.get("Tags"))
    settings = _settings(lb_type, scheme, ip_type, [s.id for s in subnets], groups)

    owner = ctx.uow.name_owner(_name_scope(ctx.account, ctx.region), name)
    if owner is not None:
        existing = ctx.uow.get(LoadBalancer, owner)
        if existing is not None and settings == _settings(
            existing.type,
            existing.scheme,
            existing.ip_address_type,
            [n.subnet_id for n in existing.nodes],
            existing.security_groups,
        ):
            return {"LoadBalancers": [wire_load_balancer(existing)]}
        raise errors.DuplicateLoadBalancerName(
            f"A load balancer with the same name '{name}' exists, but with different settings"
        )
    if scheme == "internet-facing" and not ctx.uow.list(InternetGateway, parent=vpc_id):
        raise errors.InvalidSubnet(f"VPC {vpc_id} has no internet gateway")

    lb_id = ctx.hexid(16)
    lb = LoadBalancer(
        id=common.load_balancer_arn(ctx, name, lb_id),
        account=ctx.account,
        region=ctx.region,
        name=name,
        lb_id=lb_id,
        type=lb_type,
        scheme=scheme,
        vpc_id=vpc_id,
        dns_name=f"{name.lower()}-{lb_id}.elb.{ctx.region}.amazonaws.com",
        created_time=ctx.now().isoformat(),
        ip_address_type=ip_type,
        security_groups=groups,
        attributes=attributes.load_balancer_defaults(),
        tags=tags,
    )
    lb.nodes = _allocate_nodes(ctx, lb, subnets, mappings)
    ctx.uow.claim_name(_name_scope(ctx.account, ctx.region), name, lb.id)
    ctx.uow.add(lb)
    return {"LoadBalancers": [wire_load_balancer(lb, state="provisioning")]}


@handles("DescribeLoadBalancers")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arns = params.get("LoadBalancerArns")
    names = params.get("Names")
    if arns and names:
        raise errors.ValidationError(
            "Load balancer names and load balancer ARNs cannot be specified at the same time"
        )
    items = ctx.uow.list(LoadBalancer, ctx.account, ctx.region)
    if names:
        items = common.select(
            items, names, lambda lb: lb.name, errors.LoadBalancerNotFound, "Load balancers"
        )
    else:
        items = common.select(
            items, arns, lambda lb: lb.id, errors.LoadBalancerNotFound, "Load balancers"
        )
    chunk, marker = common.page(items, params, lambda lb: lb.id)
    return {"LoadBalancers": [wire_load_balancer(lb) for lb in chunk], "NextMarker": marker}


@handles("DeleteLoadBalancer")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["LoadBalancerArn"]
    if common.parse_arn(arn) is None:
        raise errors.ValidationError(f"'{arn}' is not a valid load balancer ARN")
    lb = ctx.uow.get(LoadBalancer, arn)
    if lb is None or lb.account != ctx.account or lb.region != ctx.region:
        return {}  # AWS: deleting a load balancer that does not exist succeeds
    if lb.attributes.get("deletion_protection.enabled") == "true":
        raise errors.OperationNotPermitted(
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
        )
    if dependencies.blockers(ctx, lb):
        raise errors.ResourceInUse(
            f"Load balancer '{arn}' cannot be deleted because it is currently associated with "
            "another service"
        )
    for listener in ctx.uow.list(Listener, parent=lb.id):
        delete_listener_record(ctx, listener)
    ctx.uow.release_addresses(lb.address_owner)
    ctx.uow.release_name(_name_scope(lb.account, lb.region), lb.name)
    ctx.uow.delete(lb)
    return {}


def delete_listener_record(ctx: Scope, listener: Listener) -> None:
    """Remove a listener and free its port on the load balancer."""
    ctx.uow.release_names(listener.id)
    ctx.uow.delete(listener)


@handles("DescribeLoadBalancerAttributes")
def describe_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    lb = common.require_load_balancer(ctx, params["LoadBalancerArn"])
    return {"Attributes": attributes.wire(lb.attributes)}


@handles("ModifyLoadBalancerAttributes")
def modify_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    lb = common.require_load_balancer(ctx, params["LoadBalancerArn"])
    lb.attributes = attributes.modify_load_balancer(lb.attributes, params["Attributes"])
    ctx.uow.put(lb)
    return {"Attributes": attributes.wire(lb.attributes)}
