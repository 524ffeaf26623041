"""DHCP option set handlers and wire shapes."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import dhcp
from privlink.services.ec2.records import DhcpOptions
from privlink.services.shared.describe import Describe


def wire_options(options: DhcpOptions) -> dict[str, Any]:
    return {
        "OwnerId": options.account,
        "Tags": tag_wire.wire(options.tags),
        "DhcpOptionsId": options.id,
        "DhcpConfigurations": [
            {"Key": key, "Values": [{"Value": v} for v in values]}
            for key, values in options.configurations.items()
        ],
    }


DHCP_OPTIONS = Describe(
    DhcpOptions,
    {
        "dhcp-options-id": lambda d: d.id,
        "key": lambda d: list(d.configurations),
        "value": lambda d: [v for values in d.configurations.values() for v in values],
        "owner-id": lambda d: d.account,
    },
    checker("dopt", errors.InvalidDhcpOptionsIdMalformed),
)


@handles("CreateDhcpOptions")
def create_dhcp_options(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    configurations = [
        (str(c.get("Key") or ""), [str(v) for v in c.get("Values") or []])
        for c in params["DhcpConfigurations"]
    ]
    tags = tag_wire.for_type(params, "dhcp-options")
    return {"DhcpOptions": wire_options(dhcp.create_options(ctx, configurations, tags))}


@handles("DescribeDhcpOptions")
def describe_dhcp_options(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = DHCP_OPTIONS.page(ctx, params.get("DhcpOptionsIds"), params)
    return {"DhcpOptions": [wire_options(d) for d in chunk], "NextToken": token}


@handles("AssociateDhcpOptions")
def associate_dhcp_options(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dhcp.associate(ctx, params["DhcpOptionsId"], params["VpcId"])
    return {}


@handles("DeleteDhcpOptions")
def delete_dhcp_options(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    dhcp.delete_options(ctx, params["DhcpOptionsId"])
    return {}
