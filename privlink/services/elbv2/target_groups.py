"""Target groups for network load balancers: create, describe, modify, delete, attributes.

Protocols TCP, UDP, TCP_UDP and TLS; target types instance and ip. Health
check defaults are AWS's for NLB target groups: TCP on the traffic port,
every 30 s, 10 s timeout (6 s for HTTP), 5 successes to turn healthy, 2
failures to turn unhealthy. NLB health checks cannot be disabled for
instance and ip targets.
"""

from __future__ import annotations

import re
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.ec2.records import Vpc
from privlink.services.elbv2 import attributes, common, queries
from privlink.services.elbv2.records import HealthCheck, TargetGroup

PROTOCOLS = ("TCP", "UDP", "TCP_UDP", "TLS")
TARGET_TYPES = ("instance", "ip")
HEALTH_CHECK_PROTOCOLS = ("TCP", "HTTP", "HTTPS")
_DEFAULT_TIMEOUT = {"TCP": 10, "HTTP": 6, "HTTPS": 10}
_HTTP_CODES = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


def _name_scope(account: str, region: str) -> str:
    return f"elbv2-tg-name:{account}:{region}"


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


def _in_range(params: dict[str, Any], key: str, low: int, high: int) -> None:
    value = params.get(key)
    if value is not None and not low <= value <= high:
        raise errors.ValidationError(
            f"1 validation error detected: Value '{value}' at '{key[0].lower() + key[1:]}' "
            f"failed to satisfy constraint: Member must have value between {low} and {high}"
        )


def health_check_from(
    params: dict[str, Any], target_type: str, base: HealthCheck | None = None
) -> HealthCheck:
    """A health check from Create/ModifyTargetGroup parameters over `base` (or the defaults)."""
    current = base or HealthCheck()
    protocol = params.get("HealthCheckProtocol") or current.protocol
    if protocol not in HEALTH_CHECK_PROTOCOLS:
        raise errors.InvalidConfigurationRequest(
            f"Health check protocol '{protocol}' is not supported for network load balancer "
            "target groups"
        )
    if params.get("HealthCheckEnabled") is False:
        raise errors.InvalidConfigurationRequest(
            f"Health checks cannot be disabled for target groups with target type '{target_type}'"
        )
    port = params.get("HealthCheckPort") or current.port
    if port != "traffic-port" and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise errors.ValidationError(f"Health check port '{port}' is not valid")
    for key, low, high in (
        ("HealthCheckIntervalSeconds", 5, 300),
        ("HealthCheckTimeoutSeconds", 2, 120),
        ("HealthyThresholdCount", 2, 10),
        ("UnhealthyThresholdCount", 2, 10),
    ):
        _in_range(params, key, low, high)
    http = protocol in ("HTTP", "HTTPS")
    protocol_changed = protocol != current.protocol
    path = params.get("HealthCheckPath")
    matcher = (params.get("Matcher") or {}).get("HttpCode")
    if not http and (path or matcher):
        raise errors.InvalidConfigurationRequest(
            f"Health check path and matcher are not supported for {protocol} health checks"
        )
    if path is not None and not path.startswith("/"):
        raise errors.ValidationError(f"Health check path '{path}' must begin with '/'")
    if matcher is not None and not _HTTP_CODES.match(matcher):
        raise errors.ValidationError(f"Health check matcher HTTP code '{matcher}' is not valid")
    timeout = params.get("HealthCheckTimeoutSeconds")
    if timeout is None:
        fresh = protocol_changed or base is None
        timeout = _DEFAULT_TIMEOUT[protocol] if fresh else current.timeout
    interval = params.get("HealthCheckIntervalSeconds") or current.interval
    if timeout >= interval:
        raise errors.InvalidConfigurationRequest(
            f"Health check timeout '{timeout}' must be smaller than the interval '{interval}'"
        )
    return HealthCheck(
        protocol=protocol,
        port=port,
        enabled=True,
        path=(path or current.path or "/") if http else None,
        interval=interval,
        timeout=timeout,
        healthy_threshold=params.get("HealthyThresholdCount") or current.healthy_threshold,
        unhealthy_threshold=params.get("UnhealthyThresholdCount") or current.unhealthy_threshold,
        matcher=(matcher or current.matcher or "200-399") if http else None,
    )


def _settings(tg: TargetGroup) -> tuple[Any, ...]:
    """What makes two CreateTargetGroup calls "the same settings" (they are idempotent)."""
    return (tg.protocol, tg.port, tg.vpc_id, tg.target_type, tg.health_check)


def _required(params: dict[str, Any], key: str, what: str, target_type: str) -> Any:
    if params.get(key) is None:
        raise errors.ValidationError(
            f"{what} must be specified for target groups with target type '{target_type}'"
        )
    return params[key]


@handles("CreateTargetGroup")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    common.check_name(name, "Target group")
    target_type = params.get("TargetType") or "instance"
    if target_type not in TARGET_TYPES:
        raise errors.InvalidConfigurationRequest(
            f"privlink supports target types instance and ip, not '{target_type}'"
        )
    protocol: str = _required(params, "Protocol", "A protocol", target_type)
    port: int = _required(params, "Port", "A port", target_type)
    vpc_id: str = _required(params, "VpcId", "A VPC ID", target_type)
    if protocol not in PROTOCOLS:
        raise errors.InvalidConfigurationRequest(
            f"privlink implements network load balancer target groups (TCP, UDP, TCP_UDP, TLS), "
            f"not protocol '{protocol}'"
        )
    _in_range(params, "Port", 1, 65535)
    if (params.get("IpAddressType") or "ipv4") != "ipv4":
        raise errors.InvalidConfigurationRequest("privlink supports ipv4 target groups only")
    vpc = ctx.uow.get(Vpc, vpc_id)
    if vpc is None or vpc.account != ctx.account or vpc.region != ctx.region:
        raise errors.ValidationError(f"The VPC ID '{vpc_id}' is not found")
    tags = common.parse_tags(params.get("Tags"))
    tg_id = ctx.hexid(16)
    tg = TargetGroup(
        id=common.target_group_arn(ctx, name, tg_id),
        account=ctx.account,
        region=ctx.region,
        name=name,
        tg_id=tg_id,
        protocol=protocol,
        port=port,
        vpc_id=vpc_id,
        target_type=target_type,
        health_check=health_check_from(params, target_type),
        attributes=attributes.target_group_defaults(protocol, target_type),
        tags=tags,
    )
    owner = ctx.uow.name_owner(_name_scope(ctx.account, ctx.region), name)
    if owner is not None:
        existing = ctx.uow.get(TargetGroup, owner)
        if existing is not None and _settings(existing) == _settings(tg):
            return {"TargetGroups": [_wire(ctx, existing)]}
        raise errors.DuplicateTargetGroupName(
            f"A target group with the same name '{name}' exists, but with different settings"
        )
    ctx.uow.claim_name(_name_scope(ctx.account, ctx.region), name, tg.id)
    ctx.uow.add(tg)
    return {"TargetGroups": [wire_target_group(tg, [])]}


def _wire(ctx: Scope, tg: TargetGroup) -> dict[str, Any]:
    return wire_target_group(tg, queries.load_balancers_of(ctx.uow, tg))


@handles("DescribeTargetGroups")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    items = ctx.uow.list(TargetGroup, ctx.account, ctx.region)
    users = queries.target_group_users(ctx.uow, ctx.account, ctx.region)
    lb_arn = params.get("LoadBalancerArn")
    if lb_arn:
        common.require_load_balancer(ctx, lb_arn)
        items = [tg for tg in items if lb_arn in users.get(tg.id, [])]
    items = common.select(
        items,
        params.get("TargetGroupArns"),
        lambda tg: tg.id,
        errors.TargetGroupNotFound,
        "Target groups",
    )
    items = common.select(
        items,
        params.get("Names"),
        lambda tg: tg.name,
        errors.TargetGroupNotFound,
        "Target groups",
    )
    chunk, marker = common.page(items, params, lambda tg: tg.id)
    return {
        "TargetGroups": [wire_target_group(tg, users.get(tg.id, [])) for tg in chunk],
        "NextMarker": marker,
    }


@handles("ModifyTargetGroup")
def modify(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    tg.health_check = health_check_from(params, tg.target_type, base=tg.health_check)
    ctx.uow.put(tg)
    return {"TargetGroups": [_wire(ctx, tg)]}


@handles("DeleteTargetGroup")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["TargetGroupArn"]
    if common.parse_arn(arn) is None:
        raise errors.ValidationError(f"'{arn}' is not a valid target group ARN")
    tg = ctx.uow.get(TargetGroup, arn)
    if tg is None or tg.account != ctx.account or tg.region != ctx.region:
        return {}  # as on AWS, deleting a target group that is already gone succeeds
    if queries.load_balancers_of(ctx.uow, tg):
        raise errors.ResourceInUse(f"Target group '{arn}' is currently in use by a listener")
    ctx.uow.release_name(_name_scope(tg.account, tg.region), tg.name)
    ctx.uow.delete(tg)
    return {}


@handles("DescribeTargetGroupAttributes")
def describe_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    return {"Attributes": attributes.wire(tg.attributes)}


@handles("ModifyTargetGroupAttributes")
def modify_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    tg.attributes = attributes.modify_target_group(tg.attributes, params["Attributes"], tg.protocol)
    ctx.uow.put(tg)
    return {"Attributes": attributes.wire(tg.attributes)}
