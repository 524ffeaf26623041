"""Network interface handlers: wire input -> operation -> wire output."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.compute import interfaces, views
from privlink.services.ec2.records import NetworkInterface
from privlink.services.shared.idempotency import remember_token, replayed


def _spec(params: dict[str, Any]) -> interfaces.InterfaceSpec:
    extra = params.get("PrivateIpAddresses") or []
    if params.get("SecondaryPrivateIpAddressCount") or len(extra) > 1:
        raise errors.UnsupportedOperation.because(
            "privlink gives each interface one private address."
        )
    wanted = params.get("PrivateIpAddress") or (extra[0].get("PrivateIpAddress") if extra else None)
    return interfaces.InterfaceSpec(
        subnet_id=params["SubnetId"],
        group_ids=params.get("Groups") or (),
        private_ip=wanted,
        description=params.get("Description") or "",
        interface_type=params.get("InterfaceType") or "interface",
        tags=tag_wire.for_type(params, "network-interface"),
    )


@handles("CreateNetworkInterface")
def create_network_interface(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateNetworkInterface", params)
    eni = ctx.get(NetworkInterface, earlier) if earlier else None
    if eni is None:
        eni = interfaces.create_network_interface(ctx, _spec(params))
        remember_token(ctx, "CreateNetworkInterface", params, eni.id)
    return {
        "NetworkInterface": views.wire_interface(ctx, eni),
        "ClientToken": params.get("ClientToken"),
    }


@handles("DeleteNetworkInterface")
def delete_network_interface(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    interfaces.delete_network_interface(ctx, params["NetworkInterfaceId"])
    return {}


@handles("DescribeNetworkInterfaces")
def describe_network_interfaces(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = views.NETWORK_INTERFACES.page(ctx, params.get("NetworkInterfaceIds"), params)
    return {
        "NetworkInterfaces": [views.wire_interface(ctx, e) for e in chunk],
        "NextToken": token,
    }


@handles("AttachNetworkInterface")
def attach_network_interface(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("NetworkCardIndex"):
        raise errors.UnsupportedOperation.because("privlink instances have one network card.")
    attachment_id = interfaces.attach_to_instance(
        ctx, params["NetworkInterfaceId"], params["InstanceId"], int(params["DeviceIndex"])
    )
    return {"AttachmentId": attachment_id, "NetworkCardIndex": 0}


@handles("DetachNetworkInterface")
def detach_network_interface(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    interfaces.detach_from_instance(ctx, params["AttachmentId"])
    return {}
