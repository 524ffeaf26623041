"""Elastic IP handlers and wire shapes: wire input -> operation -> wire output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.api import Context, Scope, handles
from privlink.domain import filters
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import addresses
from privlink.services.ec2.records import ElasticIp
from privlink.services.shared.describe import Describe


def wire_address(scope: Scope, address: ElasticIp) -> dict[str, Any]:
    held = addresses.holder(scope, address)
    return {
        "AllocationId": address.id,
        "AssociationId": address.association_id if held else None,
        "Domain": "vpc",
        "NetworkInterfaceId": held.interface.id if held else None,
        "NetworkInterfaceOwnerId": held.interface.account if held else None,
        "PrivateIpAddress": held.private_ip if held else None,
        "InstanceId": held.instance_id if held else None,
        "Tags": tag_wire.wire(address.tags),
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": address.network_border_group,
        "PublicIp": address.public_ip,
    }


def _live(scope: Scope) -> Mapping[str, filters.Getter]:
    """Association filters read the live association (a gone interface frees the address)."""

    def held(get: Any) -> filters.Getter:
        return lambda a: (lambda h: get(a, h) if h else None)(addresses.holder(scope, a))

    return {
        "association-id": held(lambda a, h: a.association_id),
        "instance-id": held(lambda a, h: h.instance_id),
        "network-interface-id": held(lambda a, h: h.interface.id),
        "network-interface-owner-id": held(lambda a, h: h.interface.account),
        "private-ip-address": held(lambda a, h: h.private_ip),
    }


ADDRESSES = Describe(
    ElasticIp,
    {
        "allocation-id": lambda a: a.id,
        "domain": lambda a: "vpc",
        "network-border-group": lambda a: a.network_border_group,
        "public-ip": lambda a: a.public_ip,
        "public-ipv4-pool": lambda a: "amazon",
    },
    checker("eipalloc", errors.InvalidAllocationIDMalformed),
    scoped_filters=_live,
)


@handles("AllocateAddress")
def allocate_address(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Address") or params.get("PublicIpv4Pool") or params.get("IpamPoolId"):
        raise errors.UnsupportedOperation.because(
            "privlink allocates Elastic IPs from its own pool only."
        )
    tags = tag_wire.for_type(params, "elastic-ip")
    address = addresses.allocate(ctx, params.get("Domain") or "vpc", tags)
    return {
        "AllocationId": address.id,
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": address.network_border_group,
        "Domain": "vpc",
        "PublicIp": address.public_ip,
    }


@handles("DescribeAddresses")
def describe_addresses(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ips = params.get("PublicIps") or []
    chosen = [addresses.by_public_ip(ctx, ip) for ip in ips] if ips else None
    found, _ = ADDRESSES.page(ctx, params.get("AllocationIds"), params, chosen)
    return {"Addresses": [wire_address(ctx, a) for a in found]}


@handles("AssociateAddress")
def associate_address(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    address = addresses.find(ctx, params.get("AllocationId"), params.get("PublicIp"))
    association_id = addresses.associate(
        ctx,
        address,
        instance_id=params.get("InstanceId"),
        eni_id=params.get("NetworkInterfaceId"),
        private_ip=params.get("PrivateIpAddress"),
        allow_reassociation=bool(params.get("AllowReassociation")),
    )
    return {"AssociationId": association_id}


@handles("DisassociateAddress")
def disassociate_address(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    addresses.disassociate(ctx, params.get("AssociationId"), params.get("PublicIp"))
    return {}


@handles("ReleaseAddress")
def release_address(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    addresses.release(ctx, params.get("AllocationId"), params.get("PublicIp"))
    return {}
