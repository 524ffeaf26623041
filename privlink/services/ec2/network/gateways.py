"""Internet gateways: create, attach to one VPC, detach, delete, describe.

A VPC has at most one internet gateway and a gateway at most one VPC. Routes
to a detached gateway stay and show as blackhole (see route_tables).
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services.ec2 import common
from privlink.services.ec2.records import InternetGateway, Vpc


def wire_gateway(gateway: InternetGateway) -> dict[str, Any]:
    attachments = []
    if gateway.attached_vpc_id:
        attachments = [{"State": "available", "VpcId": gateway.attached_vpc_id}]
    return {
        "Attachments": attachments,
        "InternetGatewayId": gateway.id,
        "OwnerId": gateway.account,
        "Tags": common.wire_tags(gateway.tags),
    }


def attached_to(ctx: Scope, vpc_id: str) -> InternetGateway | None:
    found = ctx.uow.list(InternetGateway, parent=vpc_id)
    return found[0] if found else None


@handles("CreateInternetGateway")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    gateway = InternetGateway(
        id=ctx.new_id("igw"),
        account=ctx.account,
        region=ctx.region,
        tags=common.tags_for(params, "internet-gateway"),
    )
    ctx.uow.add(gateway)
    return {"InternetGateway": wire_gateway(gateway)}


def _pair(ctx: Scope, params: dict[str, Any]) -> tuple[InternetGateway, Vpc]:
    gateway = common.resolve(ctx, "igw", params["InternetGatewayId"])
    vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    return gateway, vpc


@handles("AttachInternetGateway")
def attach(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    gateway, vpc = _pair(ctx, params)
    if gateway.attached_vpc_id:
        raise errors.ResourceAlreadyAssociated(
            f"resource {gateway.id} is already attached to network {gateway.attached_vpc_id}"
        )
    other = attached_to(ctx, vpc.id)
    if other is not None:
        raise errors.ResourceAlreadyAssociated(
            f"network {vpc.id} already has an internet gateway attached"
        )
    gateway.attached_vpc_id = vpc.id
    ctx.uow.put(gateway)
    return {}


@handles("DetachInternetGateway")
def detach(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    gateway, vpc = _pair(ctx, params)
    if gateway.attached_vpc_id != vpc.id:
        raise errors.GatewayNotAttached(
            f"resource {gateway.id} is not attached to network {vpc.id}"
        )
    gateway.attached_vpc_id = None
    ctx.uow.put(gateway)
    return {}


@handles("DeleteInternetGateway")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    gateway = common.resolve(ctx, "igw", params["InternetGatewayId"])
    if gateway.attached_vpc_id:
        raise errors.DependencyViolation(
            f"The internetGateway '{gateway.id}' has dependencies and cannot be deleted."
        )
    ctx.uow.delete(gateway)
    return {}


FILTERS: dict[str, filters.Getter] = {
    "attachment.state": lambda g: "available" if g.attached_vpc_id else None,
    "attachment.vpc-id": lambda g: g.attached_vpc_id,
    "internet-gateway-id": lambda g: g.id,
    "owner-id": lambda g: g.account,
}


@handles("DescribeInternetGateways")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("InternetGatewayIds")
    for gateway_id in ids or []:
        common.check_id(gateway_id, "igw", errors.InvalidInternetGatewayIDMalformed)
    gateways = common.scoped(
        ctx, InternetGateway, ids, errors.InvalidInternetGatewayIDNotFound, "internetGateway ID"
    )
    gateways = filters.apply(gateways, params.get("Filters"), FILTERS)
    chunk, token = paging.page(
        gateways, params.get("MaxResults"), params.get("NextToken"), lambda g: g.id
    )
    return {"InternetGateways": [wire_gateway(g) for g in chunk], "NextToken": token}
