"""How interfaces and instances show on the wire, and how their Describe* calls select them.

A terminated instance keeps its identity but loses its network facts
(address, subnet, interfaces, groups), as AWS shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.domain import filters, regions
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import addresses
from privlink.services.ec2.network.addressing import private_dns_name, public_dns_name
from privlink.services.ec2.records import Instance, NetworkInterface, SecurityGroup, Vpc
from privlink.services.ec2.security.views import group_set
from privlink.services.shared.describe import Describe

MANAGED_OWNER = "amazon-aws"  # the attachment owner AWS shows for service-managed interfaces
STATE_CODES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}


# --- network interfaces ------------------------------------------------------------------------
def _attachment(eni: NetworkInterface) -> dict[str, Any] | None:
    if not eni.attachment_id:
        return None
    owner = eni.account if eni.instance_id else (eni.requester_id or MANAGED_OWNER)
    return {
        "AttachTime": eni.attach_time,
        "AttachmentId": eni.attachment_id,
        "DeleteOnTermination": eni.delete_on_termination,
        "DeviceIndex": eni.device_index,
        "NetworkCardIndex": 0,
        "InstanceId": eni.instance_id,
        "InstanceOwnerId": owner,
        "Status": "attached",
    }


def _association(scope: Scope, eni: NetworkInterface) -> dict[str, Any] | None:
    """The interface's public address (an Elastic IP's, else the one from launch)."""
    public_ip = addresses.public_ip_of(scope, eni)
    if public_ip is None:
        return None
    vpc = scope.get(Vpc, eni.vpc_id)
    named = vpc is not None and vpc.enable_dns_hostnames
    return {
        "IpOwnerId": eni.account if public_ip != eni.public_ip else "amazon",
        "PublicDnsName": public_dns_name(eni.region, public_ip) if named else "",
        "PublicIp": public_ip,
    }


def wire_interface(scope: Scope, eni: NetworkInterface) -> dict[str, Any]:
    dns = private_dns_name(eni.region, eni.private_ip)
    zone = regions.zone_named(eni.region, eni.availability_zone)
    return {
        "Association": _association(scope, eni),
        "Attachment": _attachment(eni),
        "AvailabilityZone": eni.availability_zone,
        "AvailabilityZoneId": zone.zone_id if zone else None,
        "Description": eni.description,
        "Groups": group_set(scope, eni.group_ids),
        "InterfaceType": eni.interface_type,
        "Ipv6Addresses": [],
        "MacAddress": eni.mac_address,
        "NetworkInterfaceId": eni.id,
        "OwnerId": eni.account,
        "PrivateDnsName": dns,
        "PrivateIpAddress": eni.private_ip,
        "PrivateIpAddresses": [
            {"Primary": True, "PrivateIpAddress": eni.private_ip, "PrivateDnsName": dns}
        ],
        "RequesterId": eni.requester_id,
        "RequesterManaged": eni.requester_managed,
        "SourceDestCheck": eni.source_dest_check,
        "Status": eni.status,
        "SubnetId": eni.subnet_id,
        "TagSet": tag_wire.wire(eni.tags),
        "VpcId": eni.vpc_id,
        "Ipv6Native": False,
    }


def _group_names(scope: Scope) -> Mapping[str, filters.Getter]:
    names: dict[str, str] = {}

    def group_names(eni: NetworkInterface) -> list[str]:
        for group_id in eni.group_ids:
            if group_id not in names:
                group = scope.get(SecurityGroup, group_id)
                names[group_id] = group.name if group else ""
        return [names[g] for g in eni.group_ids if names[g]]

    return {"group-name": group_names}


NETWORK_INTERFACES = Describe(
    NetworkInterface,
    {
        "addresses.private-ip-address": lambda e: [e.private_ip],
        "addresses.primary": lambda e: [True],
        "attachment.attachment-id": lambda e: e.attachment_id,
        "attachment.device-index": lambda e: e.device_index,
        "attachment.instance-id": lambda e: e.instance_id,
        "attachment.instance-owner-id": lambda e: (_attachment(e) or {}).get("InstanceOwnerId"),
        "attachment.status": lambda e: "attached" if e.attachment_id else None,
        "attachment.delete-on-termination": (
            lambda e: e.delete_on_termination if e.attachment_id else None
        ),
        "availability-zone": lambda e: e.availability_zone,
        "description": lambda e: e.description,
        "group-id": lambda e: e.group_ids,
        "interface-type": lambda e: e.interface_type,
        "mac-address": lambda e: e.mac_address,
        "network-interface-id": lambda e: e.id,
        "owner-id": lambda e: e.account,
        "private-dns-name": lambda e: private_dns_name(e.region, e.private_ip),
        "private-ip-address": lambda e: e.private_ip,
        "requester-id": lambda e: e.requester_id,
        "requester-managed": lambda e: e.requester_managed,
        "source-dest-check": lambda e: e.source_dest_check,
        "status": lambda e: e.status,
        "subnet-id": lambda e: e.subnet_id,
        "vpc-id": lambda e: e.vpc_id,
    },
    checker("eni", errors.InvalidNetworkInterfaceIdMalformed),
    scoped_filters=_group_names,
)


# --- instances ---------------------------------------------------------------------------------
def state(name: str) -> dict[str, Any]:
    return {"Code": STATE_CODES[name], "Name": name}


_INSTANCE_NIC_FIELDS = (
    "Association",
    "Description",
    "Groups",
    "Ipv6Addresses",
    "MacAddress",
    "NetworkInterfaceId",
    "OwnerId",
    "PrivateDnsName",
    "PrivateIpAddress",
    "PrivateIpAddresses",
    "SourceDestCheck",
    "Status",
    "SubnetId",
    "VpcId",
    "InterfaceType",
)
_INSTANCE_ATTACHMENT_FIELDS = (
    "AttachTime",
    "AttachmentId",
    "DeleteOnTermination",
    "DeviceIndex",
    "Status",
    "NetworkCardIndex",
)


def _instance_nic(scope: Scope, eni: NetworkInterface) -> dict[str, Any]:
    """The InstanceNetworkInterface shape: the interface as its instance shows it."""
    full = wire_interface(scope, eni)
    attachment = full["Attachment"] or {}
    return {
        **{k: full[k] for k in _INSTANCE_NIC_FIELDS},
        "Attachment": {k: attachment.get(k) for k in _INSTANCE_ATTACHMENT_FIELDS},
    }


def state_reason(instance: Instance) -> dict[str, str] | None:
    if instance.state_reason_code:
        return {"Code": instance.state_reason_code, "Message": instance.state_reason_message or ""}
    if instance.state == "pending":
        return {"Code": "pending", "Message": "pending"}
    if instance.state in ("shutting-down", "terminated"):
        code = "Client.UserInitiatedShutdown"
        return {"Code": code, "Message": f"{code}: User initiated shutdown"}
    return None


def _network(scope: Scope, instance: Instance) -> dict[str, Any]:
    """The members a terminated instance no longer has (its network facts)."""
    live = instance.state != "terminated"
    eni = scope.get(NetworkInterface, instance.network_interface_id) if live else None
    public = _association(scope, eni) if eni else None
    return {
        "PublicIpAddress": public["PublicIp"] if public else None,
        "PublicDnsName": public["PublicDnsName"] if public else "",
        "PrivateDnsName": private_dns_name(instance.region, instance.private_ip) if live else "",
        "PrivateIpAddress": instance.private_ip if live else None,
        "SubnetId": instance.subnet_id if live else None,
        "VpcId": instance.vpc_id if live else None,
        "NetworkInterfaces": [_instance_nic(scope, eni)] if eni else [],
        "SecurityGroups": group_set(scope, instance.group_ids) if live else [],
    }


_FIXED: dict[str, Any] = {
    "Monitoring": {"State": "disabled"},
    "ProductCodes": [],
    "Architecture": "x86_64",
    "BlockDeviceMappings": [],
    "EbsOptimized": False,
    "EnaSupport": True,
    "Hypervisor": "xen",
    "RootDeviceName": "/dev/xvda",
    "RootDeviceType": "ebs",
    "SourceDestCheck": True,
    "VirtualizationType": "hvm",
    "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
    "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
    "HibernationOptions": {"Configured": False},
    "EnclaveOptions": {"Enabled": False},
    "PlatformDetails": "Linux/UNIX",
    "UsageOperation": "RunInstances",
    "PrivateDnsNameOptions": {
        "HostnameType": "ip-name",
        "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False,
    },
    "MaintenanceOptions": {"AutoRecovery": "default"},
    "CurrentInstanceBootMode": "legacy-bios",
}


def wire_instance(scope: Scope, instance: Instance) -> dict[str, Any]:
    zone = regions.zone_named(instance.region, instance.availability_zone)
    return {
        **_FIXED,
        **_network(scope, instance),
        "AmiLaunchIndex": instance.ami_launch_index,
        "ImageId": instance.image_id,
        "InstanceId": instance.id,
        "InstanceType": instance.instance_type,
        "KeyName": instance.key_name,
        "LaunchTime": instance.launch_time,
        "Placement": {
            "AvailabilityZone": instance.availability_zone,
            "AvailabilityZoneId": zone.zone_id if zone else None,
            "GroupName": "",
            "Tenancy": "default",
        },
        "State": state(instance.state),
        "StateTransitionReason": instance.state_transition_reason,
        "StateReason": state_reason(instance),
        "ClientToken": instance.client_token or "",
        # AWS leaves tagSet out of an untagged instance (scripts guard `"Tags" in instance`).
        "Tags": tag_wire.wire(instance.tags) or None,
        "MetadataOptions": {
            "State": "applied" if instance.state != "pending" else "pending",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "UsageOperationUpdateTime": instance.launch_time,
    }


def reservation(scope: Scope, reservation_id: str, instances: list[Instance]) -> dict[str, Any]:
    """One Reservation: RunInstances' answer, and DescribeInstances' grouping."""
    return {
        "ReservationId": reservation_id,
        "OwnerId": scope.account,
        "Groups": [],
        "Instances": [wire_instance(scope, i) for i in instances],
    }


def _live(getter: filters.Getter) -> filters.Getter:
    """Network facts a terminated instance no longer has."""
    return lambda i: None if i.state == "terminated" else getter(i)


def _instance_group_names(scope: Scope) -> Mapping[str, filters.Getter]:
    def group_names(instance: Instance) -> list[str | None]:
        if instance.state == "terminated":
            return []
        return [g["GroupName"] for g in group_set(scope, instance.group_ids)]

    return {"group-name": group_names, "instance.group-name": group_names}


INSTANCES = Describe(
    Instance,
    {
        "availability-zone": lambda i: i.availability_zone,
        "client-token": lambda i: i.client_token,
        "group-id": _live(lambda i: i.group_ids),
        "image-id": lambda i: i.image_id,
        "instance-id": lambda i: i.id,
        "instance-state-code": lambda i: STATE_CODES[i.state],
        "instance-state-name": lambda i: i.state,
        "instance-type": lambda i: i.instance_type,
        "instance.group-id": _live(lambda i: i.group_ids),
        "key-name": lambda i: i.key_name,
        "launch-index": lambda i: i.ami_launch_index,
        "network-interface.network-interface-id": _live(lambda i: i.network_interface_id),
        "owner-id": lambda i: i.account,
        "placement-group-name": lambda i: None,
        "private-dns-name": _live(lambda i: private_dns_name(i.region, i.private_ip)),
        "private-ip-address": _live(lambda i: i.private_ip),
        "reservation-id": lambda i: i.reservation_id,
        "subnet-id": _live(lambda i: i.subnet_id),
        "tenancy": lambda i: "default",
        "vpc-id": _live(lambda i: i.vpc_id),
    },
    checker("i", errors.InvalidInstanceIDMalformed),
    scoped_filters=_instance_group_names,
)


def wire_status(instance: Instance) -> dict[str, Any]:
    running = instance.state == "running"
    check = {
        "Status": "ok" if running else "not-applicable",
        "Details": [{"Name": "reachability", "Status": "passed"}] if running else [],
    }
    return {
        "AvailabilityZone": instance.availability_zone,
        "InstanceId": instance.id,
        "InstanceState": state(instance.state),
        "InstanceStatus": check,
        "SystemStatus": check,
    }


STATUS_FILTERS: dict[str, filters.Getter] = {
    "availability-zone": lambda s: s["AvailabilityZone"],
    "instance-state-code": lambda s: s["InstanceState"]["Code"],
    "instance-state-name": lambda s: s["InstanceState"]["Name"],
    "instance-status.status": lambda s: s["InstanceStatus"]["Status"],
    "system-status.status": lambda s: s["SystemStatus"]["Status"],
}
