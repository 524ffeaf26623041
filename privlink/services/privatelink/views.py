"""Read views of endpoints: the VpcEndpoint wire shape and the DNS picture.

`endpoint_dns(uow, endpoint)`, `dns_answers(uow, endpoint)` and
`load_balancers_for(uow, endpoint)` are the entry points for the data plane;
they only read.
"""

from __future__ import annotations

from typing import Any

from privlink.domain import endpoint_dns as dns_rules
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2 import common as ec2_common
from privlink.services.ec2.records import SecurityGroup
from privlink.services.privatelink.interfaces import interfaces_of
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.unit import UnitOfWork

# The default endpoint policy, in the form the CLI examples show.
DEFAULT_POLICY = (
    '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n'
    '      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}'
)


def endpoint_dns(uow: UnitOfWork, endpoint: VpcEndpoint) -> dns_rules.EndpointDns | None:
    """The endpoint's DNS inputs, or None for endpoints without names (Gateway)."""
    if endpoint.endpoint_type != "Interface" or not endpoint.dns_token:
        return None
    addresses = tuple(
        dns_rules.EndpointAddress(az=eni.availability_zone, ipv4=eni.private_ip)
        for eni in interfaces_of(uow, endpoint)
    )
    return dns_rules.EndpointDns(
        endpoint_id=endpoint.id,
        vpc_id=endpoint.vpc_id,
        region=endpoint.region,
        token=endpoint.dns_token,
        base=endpoint.dns_base,
        addresses=addresses,
        private_names=tuple(endpoint.private_dns_names) if endpoint.private_dns_enabled else (),
        private_names_alias_regional=endpoint.service_owner != "amazon",
        wildcard=endpoint.dns_wildcard,
        private_names_inbound_only=bool(endpoint.private_dns_only_for_inbound_resolver),
    )


def dns_answers(uow: UnitOfWork, endpoint: VpcEndpoint) -> dict[str, dns_rules.Answer]:
    """Every name of the endpoint -> what it resolves to; empty unless it carries traffic."""
    dns = endpoint_dns(uow, endpoint)
    if dns is None or not lifecycle.carries_traffic(endpoint.state):
        return {}
    return dns_rules.resolution(dns)


def load_balancers_for(uow: UnitOfWork, endpoint: VpcEndpoint) -> list[str]:
    """ARNs of the NLBs behind the endpoint's provider service ([] for AWS services)."""
    if endpoint.service_owner == "amazon":
        return []
    service = uow.get(EndpointService, endpoint.service_id)
    return list(service.network_load_balancer_arns) if service else []


def _groups(uow: UnitOfWork, endpoint: VpcEndpoint) -> list[dict[str, str]]:
    found = uow.get_many(SecurityGroup, endpoint.group_ids)
    return [
        {"GroupId": gid, "GroupName": found[gid].name if gid in found else ""}
        for gid in endpoint.group_ids
    ]


def wire(uow: UnitOfWork, endpoint: VpcEndpoint) -> dict[str, Any]:
    interface = endpoint.endpoint_type == "Interface"
    gone = endpoint.state == lifecycle.State.DELETED
    dns = None if gone else endpoint_dns(uow, endpoint)
    out: dict[str, Any] = {
        "VpcEndpointId": endpoint.id,
        "VpcEndpointType": endpoint.endpoint_type,
        "VpcId": endpoint.vpc_id,
        "ServiceName": endpoint.service_name,
        "State": endpoint.state,
        "PolicyDocument": endpoint.policy_document or DEFAULT_POLICY,
        "RouteTableIds": list(endpoint.route_table_ids),
        "SubnetIds": [] if gone else list(endpoint.subnet_ids),
        "Groups": _groups(uow, endpoint) if interface and not gone else [],
        "IpAddressType": endpoint.ip_address_type,
        "PrivateDnsEnabled": endpoint.private_dns_enabled,
        "RequesterManaged": endpoint.requester_managed,
        "NetworkInterfaceIds": [] if gone else list(endpoint.interfaces.values()),
        "DnsEntries": [
            {"DnsName": e.name, "HostedZoneId": e.hosted_zone_id}
            for e in (dns_rules.entries(dns) if dns else [])
        ],
        "CreationTimestamp": endpoint.creation_timestamp,
        "Tags": ec2_common.wire_tags(endpoint.tags),
        "OwnerId": endpoint.account,
        "ServiceRegion": endpoint.service_region,
    }
    if endpoint.dns_record_ip_type:
        options: dict[str, Any] = {"DnsRecordIpType": endpoint.dns_record_ip_type}
        if endpoint.private_dns_only_for_inbound_resolver is not None:
            options["PrivateDnsOnlyForInboundResolverEndpoint"] = (
                endpoint.private_dns_only_for_inbound_resolver
            )
        out["DnsOptions"] = options
    if endpoint.last_error_code:
        out["LastError"] = {
            "Code": endpoint.last_error_code,
            "Message": endpoint.last_error_message,
        }
        out["FailureReason"] = endpoint.last_error_message
    return out


def wire_connection(uow: UnitOfWork, endpoint: VpcEndpoint, nlb_arns: list[str]) -> dict[str, Any]:
    """The provider's view of the endpoint (VpcEndpointConnection)."""
    dns = None if endpoint.state == lifecycle.State.DELETED else endpoint_dns(uow, endpoint)
    public = [
        e
        for e in (dns_rules.entries(dns) if dns else [])
        if e.name not in endpoint.private_dns_names
    ]
    return {
        "ServiceId": endpoint.service_id,
        "VpcEndpointId": endpoint.id,
        "VpcEndpointOwner": endpoint.account,
        "VpcEndpointState": endpoint.state,
        "CreationTimestamp": endpoint.creation_timestamp,
        "DnsEntries": [{"DnsName": e.name, "HostedZoneId": e.hosted_zone_id} for e in public],
        "NetworkLoadBalancerArns": list(nlb_arns),
        "IpAddressType": endpoint.ip_address_type,
        "VpcEndpointConnectionId": endpoint.connection_id,
        "Tags": [],
        "VpcEndpointRegion": endpoint.region,
    }
