"""Network interfaces: create, describe, delete; and the helpers instances build on.

Every private address belongs to an interface: it is claimed in the store
under the interface id (`addressing.allocate(..., owner=eni.id)`), so
releasing an interface frees its address. Interfaces other services make
(VPC endpoints: requester-managed, interface_type "vpc_endpoint") are plain
NetworkInterface records and show here like any other.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging, regions
from privlink.services.ec2 import common
from privlink.services.ec2.network.addressing import allocate, private_dns_name
from privlink.services.ec2.records import NetworkInterface, SecurityGroup, Subnet
from privlink.services.ec2.security import security_groups

# InterfaceType values CreateNetworkInterface accepts (others are made by AWS services).
CREATABLE_TYPES = ("interface", "efa", "efa-only", "trunk")
MANAGED_OWNER = "amazon-aws"  # the attachment owner AWS shows for service-managed interfaces


def mac_address(ctx: Scope) -> str:
    raw = ctx.hexid(10)
    return "0e:" + ":".join(raw[i : i + 2] for i in range(0, 10, 2))


def new_interface(
    ctx: Scope,
    subnet: Subnet,
    group_ids: list[str],
    private_ip: str | None = None,
    description: str = "",
    tags: dict[str, str] | None = None,
) -> NetworkInterface:
    """An interface in a subnet with a fresh (or the requested) address; not yet stored."""
    eni = NetworkInterface(
        id=ctx.new_id("eni"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=subnet.vpc_id,
        subnet_id=subnet.id,
        availability_zone=subnet.availability_zone,
        private_ip="",
        mac_address=mac_address(ctx),
        group_ids=group_ids,
        description=description,
        status="available",
        tags=tags or {},
    )
    eni.private_ip = allocate(ctx.uow, subnet, eni.id, private_ip)
    return eni


def release(ctx: Scope, eni: NetworkInterface) -> None:
    """Delete an interface and free its address."""
    ctx.uow.release_addresses(eni.id)
    ctx.uow.delete(eni)


def group_set(ctx: Scope, group_ids: list[str]) -> list[dict[str, Any]]:
    """[{GroupId, GroupName}] in the interface's order."""
    groups = ctx.uow.get_many(SecurityGroup, group_ids)
    return [
        {"GroupId": gid, "GroupName": groups[gid].name if gid in groups else None}
        for gid in group_ids
    ]


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


def wire_interface(ctx: Scope, eni: NetworkInterface) -> dict[str, Any]:
    dns = private_dns_name(eni.region, eni.private_ip)
    zone = regions.zone_named(eni.region, eni.availability_zone)
    return {
        "Attachment": _attachment(eni),
        "AvailabilityZone": eni.availability_zone,
        "AvailabilityZoneId": zone.zone_id if zone else None,
        "Description": eni.description,
        "Groups": group_set(ctx, eni.group_ids),
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
        "TagSet": common.wire_tags(eni.tags) or [],
        "VpcId": eni.vpc_id,
        "Ipv6Native": False,
    }


@handles("CreateNetworkInterface")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    earlier = common.replayed(ctx, "CreateNetworkInterface", params)
    if earlier and (found := ctx.uow.get(NetworkInterface, earlier)) is not None:
        return {
            "NetworkInterface": wire_interface(ctx, found),
            "ClientToken": params["ClientToken"],
        }
    subnet: Subnet = common.resolve(ctx, "subnet", params["SubnetId"])
    interface_type = params.get("InterfaceType") or "interface"
    if interface_type not in CREATABLE_TYPES:
        raise errors.InvalidParameterValue(
            f"Value ({interface_type}) for parameter interfaceType is invalid."
        )
    extra = params.get("PrivateIpAddresses") or []
    if params.get("SecondaryPrivateIpAddressCount") or len(extra) > 1:
        raise errors.UnsupportedOperation("privlink gives each interface one private address.")
    wanted = params.get("PrivateIpAddress") or (extra[0].get("PrivateIpAddress") if extra else None)
    group_ids = params.get("Groups") or [security_groups.default_group(ctx, subnet.vpc_id).id]
    security_groups.groups_in_vpc(ctx, subnet, group_ids)
    eni = new_interface(
        ctx,
        subnet,
        list(dict.fromkeys(group_ids)),
        wanted,
        params.get("Description") or "",
        common.tags_for(params, "network-interface"),
    )
    eni.interface_type = interface_type
    ctx.uow.add(eni)
    common.remember_token(ctx, "CreateNetworkInterface", params, eni.id)
    return {"NetworkInterface": wire_interface(ctx, eni), "ClientToken": params.get("ClientToken")}


@handles("DeleteNetworkInterface")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    eni: NetworkInterface = common.resolve(ctx, "eni", params["NetworkInterfaceId"])
    if eni.requester_managed or eni.attachment_id or eni.status == "in-use":
        raise errors.InvalidParameterValue(f"Network interface '{eni.id}' is currently in use.")
    release(ctx, eni)
    return {}


FILTERS: dict[str, filters.Getter] = {
    "addresses.private-ip-address": lambda e: [e.private_ip],
    "addresses.primary": lambda e: [True],
    "attachment.attachment-id": lambda e: e.attachment_id,
    "attachment.device-index": lambda e: e.device_index,
    "attachment.instance-id": lambda e: e.instance_id,
    "attachment.instance-owner-id": lambda e: (_attachment(e) or {}).get("InstanceOwnerId"),
    "attachment.status": lambda e: "attached" if e.attachment_id else None,
    "attachment.delete-on-termination": lambda e: e.delete_on_termination
    if e.attachment_id
    else None,
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
}


@handles("DescribeNetworkInterfaces")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("NetworkInterfaceIds")
    for eni_id in ids or []:
        common.check_id(eni_id, "eni", errors.InvalidNetworkInterfaceIdMalformed)
    enis = common.scoped(
        ctx, NetworkInterface, ids, errors.InvalidNetworkInterfaceIDNotFound, "networkInterface ID"
    )
    names: dict[str, str] = {}

    def group_names(eni: NetworkInterface) -> list[str]:
        missing = [g for g in eni.group_ids if g not in names]
        names.update({g: s.name for g, s in ctx.uow.get_many(SecurityGroup, missing).items()})
        return [names[g] for g in eni.group_ids if g in names]

    enis = filters.apply(enis, params.get("Filters"), {**FILTERS, "group-name": group_names})
    chunk, token = paging.page(
        enis, params.get("MaxResults"), params.get("NextToken"), lambda e: e.id
    )
    return {"NetworkInterfaces": [wire_interface(ctx, e) for e in chunk], "NextToken": token}
