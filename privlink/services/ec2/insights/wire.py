"""The analyzer's verdict in EC2's wire shapes: PathComponent and Explanation dicts.

Components are shown as AWS shows them ({Id, Arn}); an ACL entry's protocol as its
number ("6"), a security-group rule's by name ("tcp"), port ranges as {From, To}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlink.dataplane.analysis import Explanation, Hop, Ref
from privlink.dataplane.analysis_model import Header
from privlink.dataplane.plan import SgRule
from privlink.dataplane.routing import AclRule, RouteNet

Wire = dict[str, Any]
# A resource id -> the account that owns it: a path crosses accounts (a consumer's
# endpoint, a provider's load balancer and targets), and each ARN names its owner.
Owner = Callable[[str], str]
_ACL_PROTOCOLS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1"}
_ARN_TYPES = {
    "network-acl": "network-acl",
    "security-group": "security-group",
    "route-table": "route-table",
    "vpc-peering-connection": "vpc-peering-connection",
    "internet-gateway": "internet-gateway",
    "nat-gateway": "natgateway",
    "vpc-endpoint": "vpc-endpoint",
    "vpc-endpoint-service": "vpc-endpoint-service",
    "network-interface": "network-interface",
    "instance": "instance",
    "subnet": "subnet",
    "vpc": "vpc",
}


def component(ref: Ref, region: str, owner: Owner) -> Wire:
    if ref.id.startswith("arn:"):
        return {"Id": ref.id.rsplit("/", 1)[-1], "Arn": ref.id}
    kind = _ARN_TYPES.get(ref.kind, ref.kind)
    return {"Id": ref.id, "Arn": f"arn:aws:ec2:{region}:{owner(ref.id)}:{kind}/{ref.id}"}


def _port_range(low: int, high: int) -> Wire:
    if low == -1:
        return {"From": 0, "To": 65535}
    return {"From": low, "To": high}


def acl_rule(rule: AclRule, egress: bool) -> Wire:
    return {
        "Cidr": rule.cidr,
        "Egress": egress,
        "PortRange": _port_range(rule.from_port, rule.to_port),
        "Protocol": _ACL_PROTOCOLS.get(str(rule.protocol), str(rule.protocol)),
        "RuleAction": "allow" if rule.allow else "deny",
        "RuleNumber": rule.rule_number,
    }


def sg_rule(rule: SgRule, egress: bool) -> Wire:
    return {
        "Cidr": rule.cidrs[0] if len(rule.cidrs) == 1 else ",".join(rule.cidrs),
        "Direction": "egress" if egress else "ingress",
        "SecurityGroupId": rule.group_id,
        "PortRange": _port_range(rule.from_port, rule.to_port),
        "Protocol": "-1" if rule.protocol == "all" else rule.protocol,
    }


def route(found: RouteNet) -> Wire:
    target = found.target
    out: Wire = {"DestinationCidr": found.destination, "Origin": "CreateRoute", "State": "active"}
    if target == "local":
        return {**out, "GatewayId": "local", "Origin": "CreateRouteTable"}
    key = {
        "pcx": "VpcPeeringConnectionId",
        "nat": "NatGatewayId",
        "eni": "NetworkInterfaceId",
        "i": "InstanceId",
    }.get(target.split("-", 1)[0], "GatewayId")
    return {**out, key: target}


def header(found: Header) -> Wire:
    return {
        "SourceAddresses": [found.source],
        "DestinationAddresses": [found.destination],
        "Protocol": found.protocol,
        "DestinationPortRanges": [{"From": lo, "To": hi} for lo, hi in found.ports],
    }


def path_component(number: int, hop: Hop, region: str, owner: Owner) -> Wire:
    def ref(resource_id: str, kind: str) -> Wire:
        return component(Ref(resource_id, kind), region, owner)

    out: Wire = {"SequenceNumber": number, "Component": component(hop.component, region, owner)}
    if hop.vpc:
        out["Vpc"] = ref(hop.vpc, "vpc")
    if hop.subnet:
        out["Subnet"] = ref(hop.subnet, "subnet")
    if hop.attached_to is not None:
        out["AttachedTo"] = component(hop.attached_to, region, owner)
    if hop.acl_rule is not None:
        out["AclRule"] = acl_rule(hop.acl_rule, hop.egress)
    if hop.sg_rule is not None:
        out["SecurityGroupRule"] = sg_rule(hop.sg_rule, hop.egress)
    if hop.route is not None:
        out["RouteTableRoute"] = route(hop.route)
    if hop.source_vpc:
        out["SourceVpc"] = ref(hop.source_vpc, "vpc")
        out["DestinationVpc"] = ref(hop.destination_vpc, "vpc")
    if hop.listener_port is not None:
        out["ElasticLoadBalancerListener"] = {
            "Id": f"{hop.component.id.rsplit('/', 1)[-1]}:{hop.listener_port}",
            "Arn": f"{hop.component.id}:{hop.listener_port}",
        }
    if hop.service:
        out["AdditionalDetails"] = [
            {"AdditionalDetailType": "vpc-endpoint-service",
             "VpcEndpointService": ref(hop.service, "vpc-endpoint-service")}
        ]  # fmt: skip
    if hop.header is not None:
        out["OutboundHeader"] = header(hop.header)
    return out


def explanation(found: Explanation, region: str, owner: Owner) -> Wire:
    out: Wire = {"ExplanationCode": found.code}
    if found.component.id:
        out["Component"] = component(found.component, region, owner)
    by_kind = {
        "network-acl": "Acl",
        "route-table": "RouteTable",
        "internet-gateway": "InternetGateway",
        "vpc-endpoint": "VpcEndpoint",
        "vpc-peering-connection": "VpcPeeringConnection",
        "network-interface": "NetworkInterface",
        "target-group": "LoadBalancerTargetGroup",
    }
    if found.component.kind in by_kind and found.component.id:
        out[by_kind[found.component.kind]] = out["Component"]
    if found.direction:
        out["Direction"] = found.direction
    if found.vpc:
        out["Vpc"] = component(Ref(found.vpc, "vpc"), region, owner)
    if found.subnet:
        out["Subnet"] = component(Ref(found.subnet, "subnet"), region, owner)
    if found.acl_rule is not None:
        out["AclRule"] = acl_rule(found.acl_rule, found.direction == "egress")
    if found.groups:
        out["SecurityGroups"] = [
            component(Ref(g, "security-group"), region, owner) for g in found.groups
        ]
    if found.state:
        out["State"] = found.state
    if found.port is not None:
        out["Port"] = found.port
    if found.address:
        out["Address"] = found.address
    if found.load_balancer:
        out["LoadBalancerArn"] = found.load_balancer
    if found.zones:
        out["AvailabilityZones"] = list(found.zones)
    return out
