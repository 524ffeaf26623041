"""CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup, attributes."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.elbv2 import attributes, operations, queries
from privlink.services.elbv2.handlers import wire
from privlink.services.elbv2.records import LoadBalancer, TargetGroup


def wire_target_group(tg: TargetGroup, load_balancer_arns: list[str]) -> dict[str, Any]:
    hc = tg.health_check
    return {
        "TargetGroupArn": tg.id,
        "TargetGroupName": tg.name,
        "Protocol": tg.protocol,
        "Port": tg.port,
        "VpcId": tg.vpc_id,
        "HealthCheckProtocol": hc.protocol,
        "HealthCheckPort": hc.port,
        "HealthCheckEnabled": hc.enabled,
        "HealthCheckIntervalSeconds": hc.interval,
        "HealthCheckTimeoutSeconds": hc.timeout,
        "HealthyThresholdCount": hc.healthy_threshold,
        "UnhealthyThresholdCount": hc.unhealthy_threshold,
        "HealthCheckPath": hc.path,
        "Matcher": {"HttpCode": hc.matcher} if hc.matcher else None,
        "LoadBalancerArns": load_balancer_arns,
        "TargetType": tg.target_type,
        "IpAddressType": tg.ip_address_type,
    }


def _wire(ctx: Context, tg: TargetGroup) -> dict[str, Any]:
    return wire_target_group(tg, queries.load_balancers_of(ctx.uow, tg))


def _health_check(params: dict[str, Any]) -> operations.HealthCheckSettings:
    return operations.HealthCheckSettings(
        protocol=params.get("HealthCheckProtocol"),
        port=params.get("HealthCheckPort"),
        enabled=params.get("HealthCheckEnabled"),
        path=params.get("HealthCheckPath"),
        interval=params.get("HealthCheckIntervalSeconds"),
        timeout=params.get("HealthCheckTimeoutSeconds"),
        healthy_threshold=params.get("HealthyThresholdCount"),
        unhealthy_threshold=params.get("UnhealthyThresholdCount"),
        matcher=(params.get("Matcher") or {}).get("HttpCode"),
    )


@handles("CreateTargetGroup")
def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.NewTargetGroup(
        name=params["Name"],
        protocol=params.get("Protocol"),
        port=params.get("Port"),
        vpc_id=params.get("VpcId"),
        target_type=params.get("TargetType") or "instance",
        ip_address_type=params.get("IpAddressType") or "ipv4",
        health_check=_health_check(params),
        tags=wire.tag_list(params.get("Tags")),
    )
    tg, _created = operations.create_target_group(ctx, spec)
    return {"TargetGroups": [_wire(ctx, tg)]}


@handles("DescribeTargetGroups")
def describe(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    items = ctx.list(TargetGroup)
    users = queries.target_group_users(ctx.uow, ctx.account, ctx.region)
    lb_arn = params.get("LoadBalancerArn")
    if lb_arn:
        ctx.require(LoadBalancer, lb_arn)
        items = [tg for tg in items if lb_arn in users.get(tg.id, [])]
    not_found = errors.TargetGroupsNotFound
    items = wire.select(items, params.get("TargetGroupArns"), lambda tg: tg.id, not_found)
    items = wire.select(items, params.get("Names"), lambda tg: tg.name, not_found)
    chunk, marker = wire.page(items, params, lambda tg: tg.id)
    return {
        "TargetGroups": [wire_target_group(tg, users.get(tg.id, [])) for tg in chunk],
        "NextMarker": marker,
    }


@handles("ModifyTargetGroup")
def modify(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tg = operations.modify_target_group(ctx, params["TargetGroupArn"], _health_check(params))
    return {"TargetGroups": [_wire(ctx, tg)]}


@handles("DeleteTargetGroup")
def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_target_group(ctx, params["TargetGroupArn"])
    return {}


@handles("DescribeTargetGroupAttributes")
def describe_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tg = ctx.require(TargetGroup, params["TargetGroupArn"])
    return {"Attributes": attributes.wire(tg.attributes)}


@handles("ModifyTargetGroupAttributes")
def modify_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tg = operations.modify_target_group_attributes(
        ctx, params["TargetGroupArn"], attributes.from_wire(params["Attributes"])
    )
    return {"Attributes": attributes.wire(tg.attributes)}
