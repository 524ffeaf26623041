"""How instances show on the wire: the Instance shape and RunInstances' Reservation.

A terminated instance keeps its identity but loses its network facts
(address, subnet, interfaces, groups), as AWS shows it.
"""

from __future__ import annotations

from typing import Any

from privlink.api import Scope
from privlink.domain import regions
from privlink.services.ec2 import common
from privlink.services.ec2.compute import network_interfaces
from privlink.services.ec2.network.addressing import private_dns_name
from privlink.services.ec2.records import Instance, NetworkInterface

STATE_CODES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}


def state(name: str) -> dict[str, Any]:
    return {"Code": STATE_CODES[name], "Name": name}


def _instance_nic(ctx: Scope, eni: NetworkInterface) -> dict[str, Any]:
    """The InstanceNetworkInterface shape: the interface as its instance shows it."""
    full = network_interfaces.wire_interface(ctx, eni)
    keep = (
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
    attachment = full["Attachment"] or {}
    return {
        **{k: full[k] for k in keep},
        "Attachment": {
            k: attachment.get(k)
            for k in (
                "AttachTime",
                "AttachmentId",
                "DeleteOnTermination",
                "DeviceIndex",
                "Status",
                "NetworkCardIndex",
            )
        },
    }


def _state_reason(instance: Instance) -> dict[str, str] | None:
    if instance.state == "pending":
        return {"Code": "pending", "Message": "pending"}
    if instance.state in ("shutting-down", "terminated"):
        code = "Client.UserInitiatedShutdown"
        return {"Code": code, "Message": f"{code}: User initiated shutdown"}
    return None


def wire_instance(ctx: Scope, instance: Instance) -> dict[str, Any]:
    eni = ctx.uow.get(NetworkInterface, instance.network_interface_id)
    live = instance.state != "terminated"
    zone = regions.zone_named(instance.region, instance.availability_zone)
    dns = private_dns_name(instance.region, instance.private_ip) if live else ""
    return {
        "AmiLaunchIndex": instance.ami_launch_index,
        "ImageId": instance.image_id,
        "InstanceId": instance.id,
        "InstanceType": instance.instance_type,
        "KeyName": instance.key_name,
        "LaunchTime": instance.launch_time,
        "Monitoring": {"State": "disabled"},
        "Placement": {
            "AvailabilityZone": instance.availability_zone,
            "AvailabilityZoneId": zone.zone_id if zone else None,
            "GroupName": "",
            "Tenancy": "default",
        },
        "PrivateDnsName": dns,
        "PrivateIpAddress": instance.private_ip if live else None,
        "ProductCodes": [],
        "PublicDnsName": "",
        "State": state(instance.state),
        "StateTransitionReason": instance.state_transition_reason,
        "StateReason": _state_reason(instance),
        "SubnetId": instance.subnet_id if live else None,
        "VpcId": instance.vpc_id if live else None,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [],
        "ClientToken": instance.client_token or "",
        "EbsOptimized": False,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "NetworkInterfaces": [_instance_nic(ctx, eni)] if eni and live else [],
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": network_interfaces.group_set(ctx, instance.group_ids) if live else [],
        "SourceDestCheck": True,
        "Tags": common.wire_tags(instance.tags),
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {
            "State": "applied" if instance.state != "pending" else "pending",
            "HttpTokens": "required",
            "HttpPutResponseHopLimit": 2,
            "HttpEndpoint": "enabled",
            "HttpProtocolIpv6": "disabled",
            "InstanceMetadataTags": "disabled",
        },
        "EnclaveOptions": {"Enabled": False},
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": instance.launch_time,
        "PrivateDnsNameOptions": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "legacy-bios",
    }


def reservation(ctx: Scope, reservation_id: str, instances: list[Instance]) -> dict[str, Any]:
    """RunInstances' answer: one Reservation."""
    mine = [i for i in instances if i.reservation_id == reservation_id]
    return {
        "ReservationId": reservation_id,
        "OwnerId": ctx.account,
        "Groups": [],
        "Instances": [wire_instance(ctx, i) for i in mine],
    }
