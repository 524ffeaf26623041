"""PrivateLink records in the EC2 wire shapes (VpcEndpoint, ServiceConfiguration, ...).

Only handlers render; operations and queries return records and typed views.
"""

from __future__ import annotations

from typing import Any

from privlink.services.ec2 import tag_wire
from privlink.services.privatelink import queries
from privlink.services.privatelink.catalog import ServiceOffer
from privlink.services.privatelink.records import (
    ConnectionNotification,
    EndpointService,
    Refusal,
    ServicePermission,
    VpcEndpoint,
)
from privlink.store.unit import UnitOfWork

# The default endpoint policy, in the form the CLI examples show.
DEFAULT_POLICY = (
    '{\n  "Statement": [\n    {\n      "Action": "*", \n      "Effect": "Allow", \n'
    '      "Principal": "*", \n      "Resource": "*"\n    }\n  ]\n}'
)


def unsuccessful(refused: list[Refusal]) -> list[dict[str, Any]]:
    return [
        {"ResourceId": r.resource_id, "Error": {"Code": r.error.code, "Message": r.error.message}}
        for r in refused
    ]


def endpoint(uow: UnitOfWork, e: VpcEndpoint) -> dict[str, Any]:
    interface = e.endpoint_type == "Interface"
    gone = e.state == "deleted"
    groups = queries.security_group_names(uow, e) if interface and not gone else {}
    out: dict[str, Any] = {
        "VpcEndpointId": e.id,
        "VpcEndpointType": e.endpoint_type,
        "VpcId": e.vpc_id,
        "ServiceName": e.service_name,
        "State": e.state,
        "PolicyDocument": e.policy_document or DEFAULT_POLICY,
        "RouteTableIds": list(e.route_table_ids),
        "SubnetIds": [] if gone else list(e.subnet_ids),
        "Groups": [{"GroupId": g, "GroupName": name} for g, name in groups.items()],
        "IpAddressType": e.ip_address_type,
        "PrivateDnsEnabled": e.private_dns_enabled,
        "RequesterManaged": e.requester_managed,
        "NetworkInterfaceIds": [] if gone else list(e.interfaces.values()),
        "DnsEntries": [
            {"DnsName": d.name, "HostedZoneId": d.hosted_zone_id}
            for d in queries.dns_entries(uow, e)
        ],
        "CreationTimestamp": e.creation_timestamp,
        "Tags": tag_wire.wire(e.tags),
        "OwnerId": e.account,
        "ServiceRegion": e.service_region,
    }
    if e.dns_record_ip_type:
        options: dict[str, Any] = {"DnsRecordIpType": e.dns_record_ip_type}
        if e.private_dns_only_for_inbound_resolver is not None:
            options["PrivateDnsOnlyForInboundResolverEndpoint"] = (
                e.private_dns_only_for_inbound_resolver
            )
        out["DnsOptions"] = options
    if e.last_error_code:
        out["LastError"] = {"Code": e.last_error_code, "Message": e.last_error_message}
        out["FailureReason"] = e.last_error_message
    return out


def connection(uow: UnitOfWork, e: VpcEndpoint) -> dict[str, Any]:
    """The provider's view of an endpoint (VpcEndpointConnection): no private names."""
    public = [d for d in queries.dns_entries(uow, e) if d.name not in e.private_dns_names]
    return {
        "ServiceId": e.service_id,
        "VpcEndpointId": e.id,
        "VpcEndpointOwner": e.account,
        "VpcEndpointState": e.state,
        "CreationTimestamp": e.creation_timestamp,
        "DnsEntries": [{"DnsName": d.name, "HostedZoneId": d.hosted_zone_id} for d in public],
        "NetworkLoadBalancerArns": queries.load_balancers_for(uow, e),
        "IpAddressType": e.ip_address_type,
        "VpcEndpointConnectionId": e.connection_id,
        "Tags": [],
        "VpcEndpointRegion": e.region,
    }


def service(s: EndpointService) -> dict[str, Any]:
    config = None
    if s.private_dns_name:
        config = {
            "State": s.private_dns_state,
            "Type": "TXT",
            "Value": s.private_dns_txt_value,
            "Name": s.private_dns_txt_name,
        }
    return {
        "ServiceType": [{"ServiceType": s.service_type}],
        "ServiceId": s.id,
        "ServiceName": s.service_name,
        "ServiceState": s.state,
        "AvailabilityZoneIds": list(s.availability_zone_ids),
        "AvailabilityZones": list(s.availability_zones),
        "AcceptanceRequired": s.acceptance_required,
        "ManagesVpcEndpoints": False,
        "NetworkLoadBalancerArns": list(s.network_load_balancer_arns) or None,
        "GatewayLoadBalancerArns": list(s.gateway_load_balancer_arns) or None,
        "SupportedIpAddressTypes": list(s.supported_ip_address_types),
        "BaseEndpointDnsNames": [s.base_dns_name],
        "PrivateDnsName": s.private_dns_name,
        "PrivateDnsNameConfiguration": config,
        "PayerResponsibility": s.payer_responsibility,
        "Tags": tag_wire.wire(s.tags),
        "SupportedRegions": [
            {"Region": r, "ServiceState": "Available"} for r in s.supported_regions
        ],
        "RemoteAccessEnabled": False,
    }


def offer(o: ServiceOffer) -> dict[str, Any]:
    """A ServiceDetail of DescribeVpcEndpointServices."""
    detail: dict[str, Any] = {
        "ServiceName": o.name,
        "ServiceId": o.service_id,
        "ServiceType": [{"ServiceType": o.service_type}],
        "ServiceRegion": o.region,
        "AvailabilityZoneIds": [z.zone_id for z in o.zones],
        "AvailabilityZones": [z.name for z in o.zones],
        "Owner": o.owner,
        "BaseEndpointDnsNames": list(o.base_dns_names),
        "PrivateDnsName": o.private_dns_name,
        "VpcEndpointPolicySupported": o.policy_supported,
        "AcceptanceRequired": o.acceptance_required,
        "ManagesVpcEndpoints": o.manages_vpc_endpoints,
        "PayerResponsibility": o.payer_responsibility,
        "Tags": tag_wire.wire(o.tags) or [],
        "PrivateDnsNameVerificationState": o.verification_state,
        "SupportedIpAddressTypes": list(o.ip_address_types),
    }
    if o.private_dns_names:
        detail["PrivateDnsNames"] = [{"PrivateDnsName": n} for n in o.private_dns_names]
    return detail


def permission(p: ServicePermission, with_tags: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PrincipalType": p.principal_type,
        "Principal": p.principal,
        "ServicePermissionId": p.id,
        "ServiceId": p.service_id,
    }
    if with_tags:
        out["Tags"] = tag_wire.wire(p.tags)
    return out


def notification(n: ConnectionNotification) -> dict[str, Any]:
    return {
        "ConnectionNotificationId": n.id,
        "ServiceId": n.service_id,
        "VpcEndpointId": n.vpc_endpoint_id,
        "ConnectionNotificationType": "Topic",
        "ConnectionNotificationArn": n.topic_arn,
        "ConnectionEvents": list(n.events),
        "ConnectionNotificationState": n.state,
        "ServiceRegion": n.region,
    }
