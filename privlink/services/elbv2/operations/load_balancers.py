"""Network and application load balancers: create, delete, attributes.

One node per enabled AZ, each holding a private address allocated from its
subnet (the data plane puts the load balancer's node there); an internet-facing
one (its VPC needs an internet gateway, as on AWS) also gets a public address
per node (node_interfaces). Application load
balancers need subnets in two zones at least and always have security groups
(the VPC's default group when none is given), as on AWS. State: the record is
`active` from the start and every read says so; only the CreateLoadBalancer
response says `provisioning`, as AWS's does. No controller is involved, so
waiters (`load_balancer_available`) succeed on their first poll.

Resources that depend on a load balancer (endpoint services) are declared in
privlink.services.dependencies; deleting refuses with ResourceInUse while any
of them finds something.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.services import dependencies
from privlink.services.ec2.network import addressing
from privlink.services.ec2.records import InternetGateway, SecurityGroup, Subnet
from privlink.services.elbv2 import arns, attributes
from privlink.services.elbv2.operations import listeners, node_interfaces
from privlink.services.elbv2.operations.tags import TAG_ERRORS
from privlink.services.elbv2.records import LbNode, Listener, LoadBalancer
from privlink.services.shared import tags


@dataclass(frozen=True)
class SubnetMapping:
    subnet_id: str
    private_ipv4_address: str | None = None
    allocation_id: str | None = None


@dataclass(frozen=True)
class NewLoadBalancer:
    """CreateLoadBalancer's settings (the API's absent Type is "application")."""

    name: str
    subnets: tuple[SubnetMapping, ...]
    type: str = "network"
    scheme: str = "internet-facing"
    ip_address_type: str = "ipv4"
    security_groups: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def _name_scope(account: str, region: str) -> str:
    return f"elbv2-lb-name:{account}:{region}"


def _check_settings(spec: NewLoadBalancer) -> None:
    arns.check_name(spec.name, "Load balancer")
    if spec.name.lower().startswith("internal-"):  # AWS reserves it for internal DNS names
        raise errors.LoadBalancerNameReserved()
    if spec.type not in arns.TYPE_SEGMENT:
        raise errors.LoadBalancerTypeUnsupported(spec.type)
    if spec.ip_address_type != "ipv4":
        raise errors.ElbIpAddressTypeUnsupported(spec.ip_address_type)
    if not spec.subnets:
        raise errors.SubnetRequired()


def _resolve_subnets(scope: Scope, mappings: tuple[SubnetMapping, ...]) -> list[Subnet]:
    found: list[Subnet] = []
    for mapping in mappings:
        subnet = scope.get(Subnet, mapping.subnet_id)
        if subnet is None:
            raise errors.SubnetNotFound(mapping.subnet_id)
        if mapping.allocation_id:
            raise errors.ElasticIpUnsupported()
        found.append(subnet)
    if len({s.vpc_id for s in found}) > 1:
        raise errors.SubnetsInSeveralVpcs()
    zones = [s.availability_zone for s in found]
    if len(set(zones)) != len(zones):
        raise errors.SubnetsInSameZone()
    return found


def _check_zones(spec: NewLoadBalancer, subnets: list[Subnet]) -> None:
    if spec.type == "application" and len({s.availability_zone for s in subnets}) < 2:
        raise errors.AlbSubnetsInTwoZones()


def _groups(scope: Scope, spec: NewLoadBalancer, vpc_id: str) -> list[str]:
    """The groups asked for; an application load balancer without any gets the VPC's
    default group (AWS)."""
    groups = list(dict.fromkeys(spec.security_groups))
    if groups or spec.type != "application":
        return groups
    default = next(
        (g for g in scope.list(SecurityGroup, parent=vpc_id) if g.name == "default"), None
    )
    return [default.id] if default is not None else []


def dns_name(spec: NewLoadBalancer, region: str, lb_id: str) -> str:
    """AWS's forms: NLBs NAME-HEX.elb.REGION.amazonaws.com; ALBs NAME-DIGITS.REGION.elb...
    with an `internal-` prefix when internal."""
    if spec.type == "network":
        return f"{spec.name.lower()}-{lb_id}.elb.{region}.amazonaws.com"
    prefix = "internal-" if spec.scheme == "internal" else ""
    return f"{prefix}{spec.name.lower()}-{int(lb_id[:8], 16)}.{region}.elb.amazonaws.com"


def _check_security_groups(scope: Scope, group_ids: list[str], vpc_id: str) -> None:
    for group_id in group_ids:
        group = scope.get(SecurityGroup, group_id)
        if group is None or group.vpc_id != vpc_id:
            raise errors.InvalidSecurityGroup(group_id, vpc_id)


def _settings(
    lb_type: str, scheme: str, ip_type: str, subnets: list[str], groups: list[str]
) -> tuple[Any, ...]:
    """What makes two CreateLoadBalancer calls "the same settings" (they are idempotent)."""
    return (lb_type, scheme, ip_type, sorted(subnets), sorted(groups))


def _same_name(
    scope: Scope, spec: NewLoadBalancer, subnets: list[str], groups: list[str]
) -> LoadBalancer | None:
    """The load balancer already called `spec.name` if its settings are the same (else refused)."""
    owner = scope.uow.name_owner(_name_scope(scope.account, scope.region), spec.name)
    if owner is None:
        return None
    existing = scope.get(LoadBalancer, owner)
    wanted = _settings(spec.type, spec.scheme, spec.ip_address_type, subnets, groups)
    if existing is not None and wanted == _settings(
        existing.type,
        existing.scheme,
        existing.ip_address_type,
        [n.subnet_id for n in existing.nodes],
        existing.security_groups,
    ):
        return existing
    raise errors.DuplicateLoadBalancerName(spec.name)


def _allocate_nodes(
    scope: Scope, lb: LoadBalancer, subnets: list[Subnet], mappings: tuple[SubnetMapping, ...]
) -> list[LbNode]:
    nodes: list[LbNode] = []
    for subnet, mapping in zip(subnets, mappings, strict=True):
        wanted = mapping.private_ipv4_address
        try:
            address = addressing.allocate(scope.uow, subnet, lb.address_owner, wanted)
        except errors.AwsError as exc:  # EC2's codes mean nothing to an ELBv2 client
            raise errors.InvalidConfigurationRequest.because(exc.message) from exc
        zone = regions.zone_named(scope.region, subnet.availability_zone)
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


def create_load_balancer(scope: Scope, spec: NewLoadBalancer) -> tuple[LoadBalancer, bool]:
    """(the load balancer, whether it is new): the same name and settings again is the same
    load balancer, as on AWS."""
    _check_settings(spec)
    subnets = _resolve_subnets(scope, spec.subnets)
    _check_zones(spec, subnets)
    vpc_id = subnets[0].vpc_id
    _check_security_groups(scope, list(spec.security_groups), vpc_id)
    groups = _groups(scope, spec, vpc_id)
    tags.check(spec.tags, TAG_ERRORS)
    existing = _same_name(scope, spec, [s.id for s in subnets], groups)
    if existing is not None:
        return existing, False
    if spec.scheme == "internet-facing" and not scope.uow.list(InternetGateway, parent=vpc_id):
        raise errors.InvalidSubnet(vpc_id)
    lb_id = scope.hexid(16)
    lb = LoadBalancer(
        id=arns.load_balancer(scope, spec.name, lb_id, spec.type),
        account=scope.account,
        region=scope.region,
        name=spec.name,
        lb_id=lb_id,
        type=spec.type,
        scheme=spec.scheme,
        vpc_id=vpc_id,
        dns_name=dns_name(spec, scope.region, lb_id),
        created_time=scope.now().isoformat(),
        ip_address_type=spec.ip_address_type,
        security_groups=groups,
        attributes=attributes.load_balancer_defaults(spec.type),
        tags=dict(spec.tags),
    )
    lb.nodes = _allocate_nodes(scope, lb, subnets, spec.subnets)
    scope.uow.claim_name(_name_scope(scope.account, scope.region), spec.name, lb.id)
    scope.add(lb)
    node_interfaces.add_for(scope, lb)
    return lb, True


def delete_load_balancer(scope: Scope, arn: str) -> None:
    """Delete a load balancer with its listeners; one that does not exist is no error (AWS)."""
    arns.check(arn, "load balancer")
    arns.own(scope, arn, "DeleteLoadBalancer")
    lb = scope.get(LoadBalancer, arn)
    if lb is None:
        return
    if lb.attributes.get("deletion_protection.enabled") == "true":
        raise errors.DeletionProtected(arn)
    if dependencies.blockers(scope, lb):
        raise errors.LoadBalancerInUse(arn)
    for listener in scope.list(Listener, parent=lb.id):
        listeners.remove(scope, lb, listener)
    node_interfaces.remove_for(scope, lb)
    scope.uow.release_addresses(lb.address_owner)
    scope.uow.release_name(_name_scope(lb.account, lb.region), lb.name)
    scope.delete(lb)


def modify_load_balancer_attributes(
    scope: Scope, arn: str, changes: attributes.Changes
) -> LoadBalancer:
    arns.own(scope, arn, "ModifyLoadBalancerAttributes")
    lb = scope.require(LoadBalancer, arn)
    lb.attributes = attributes.modify_load_balancer(lb.attributes, changes, lb.type)
    scope.put(lb)
    return lb
