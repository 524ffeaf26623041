"""RegisterTargets, DeregisterTargets, DescribeTargetHealth."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.elbv2 import operations
from privlink.services.elbv2.queries import TargetInfo
from privlink.services.elbv2.records import TargetGroup


def _targets(raw: list[dict[str, Any]] | None) -> list[operations.Target]:
    return [operations.Target(t["Id"], t.get("Port"), t.get("AvailabilityZone")) for t in raw or []]


def _wire_health(tg: TargetGroup, info: TargetInfo) -> dict[str, Any]:
    health: dict[str, Any] = {"State": info.state}
    if info.reason:
        health["Reason"] = info.reason
    if info.description:
        health["Description"] = info.description
    target: dict[str, Any] = {"Id": info.id, "Port": info.port}
    if tg.target_type == "ip" and info.availability_zone:
        target["AvailabilityZone"] = info.availability_zone
    port = tg.health_check.port
    return {
        "Target": target,
        "HealthCheckPort": str(info.port) if port == "traffic-port" else port,
        "TargetHealth": health,
    }


@handles("RegisterTargets")
def register(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.register_targets(ctx, params["TargetGroupArn"], _targets(params["Targets"]))
    return {}


@handles("DeregisterTargets")
def deregister(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.deregister_targets(ctx, params["TargetGroupArn"], _targets(params["Targets"]))
    return {}


@handles("DescribeTargetHealth")
def describe_health(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tg, infos = operations.describe_target_health(
        ctx, params["TargetGroupArn"], _targets(params.get("Targets"))
    )
    return {"TargetHealthDescriptions": [_wire_health(tg, info) for info in infos]}
