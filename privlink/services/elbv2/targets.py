"""Target registration and target health.

The health rule — what DescribeTargetHealth (and targets_of) report, first match wins:

1. draining / Target.DeregistrationInProgress: deregistered from a target group that
   is in use, until its deregistration_delay.timeout_seconds have passed (then gone).
2. unused / Target.NotInUse: no listener of an active load balancer forwards to the
   group, or the target's AZ is not enabled on that load balancer.
3. unused / Target.InvalidState: an instance target whose instance is stopped,
   stopping, shutting down or terminated.
4. The data plane's last report for the target (set_target_health), if any.
5. healthy: nothing probes targets in control-plane-only mode, so a registered target
   in use counts as healthy from the moment it is registered.

A data plane that probes targets reports `initial` (Elb.InitialHealthChecking) when it
starts checking one, then `healthy` or `unhealthy` as its thresholds decide. A new
registration of the same (id, port) clears an earlier report.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.ec2.records import Instance, Subnet, Vpc
from privlink.services.elbv2 import common, queries
from privlink.services.elbv2.records import (
    LoadBalancer,
    RegisteredTarget,
    TargetGroup,
)
from privlink.store.unit import UnitOfWork

_RUNNABLE = ("pending", "running")


@dataclass(frozen=True)
class TargetInfo:
    """A registered target as the data plane needs it: where it is and how it is doing."""

    id: str
    port: int
    ip: str | None  # None for an instance that no longer exists
    availability_zone: str | None
    state: str
    reason: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class _Serving:
    """Which active load balancers forward to a target group, and in which AZs they are."""

    zones: frozenset[str]

    @property
    def in_use(self) -> bool:
        return bool(self.zones)


def _serving(uow: UnitOfWork, tg: TargetGroup) -> _Serving:
    zones: set[str] = set()
    for arn in queries.load_balancers_of(uow, tg):
        lb = uow.get(LoadBalancer, arn)
        if lb is not None and lb.state == "active":
            zones.update(node.zone_name for node in lb.nodes)
    return _Serving(frozenset(zones))


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _drained(target: RegisteredTarget, now: dt.datetime) -> bool:
    return target.draining_until is not None and _parse_time(target.draining_until) <= now


def _locate(
    uow: UnitOfWork, tg: TargetGroup, target: RegisteredTarget
) -> tuple[str | None, str | None, Instance | None]:
    """(ip, availability zone, instance) of a target."""
    if tg.target_type == "ip":
        return target.id, target.availability_zone, None
    instance = uow.get(Instance, target.id)
    if instance is None:
        return None, None, None
    return instance.private_ip, instance.availability_zone, instance


def _health(
    uow: UnitOfWork, tg: TargetGroup, target: RegisteredTarget, serving: _Serving
) -> TargetInfo:
    ip, zone, instance = _locate(uow, tg, target)

    def info(state: str, reason: str | None = None, description: str | None = None) -> TargetInfo:
        return TargetInfo(target.id, target.port, ip, zone, state, reason, description)

    if target.draining_until is not None:
        return info(
            "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
        )
    if not serving.in_use:
        return info(
            "unused",
            "Target.NotInUse",
            "Target group is not configured to receive traffic from the load balancer",
        )
    if zone is not None and zone not in serving.zones:
        return info(
            "unused",
            "Target.NotInUse",
            "Target is in an Availability Zone that is not enabled for the load balancer",
        )
    if tg.target_type == "instance" and (instance is None or instance.state not in _RUNNABLE):
        state = instance.state if instance is not None else "terminated"
        return info("unused", "Target.InvalidState", f"Target is in the {state} state")
    if target.report is not None:
        return info(target.report.state, target.report.reason, target.report.description)
    return info("healthy")


def targets_of(uow: UnitOfWork, tg_arn: str) -> list[TargetInfo]:
    """Every registered target of a target group (draining ones included) with its health."""
    tg = uow.get(TargetGroup, tg_arn)
    if tg is None:
        return []
    now = dt.datetime.now(dt.UTC)
    serving = _serving(uow, tg)
    return [_health(uow, tg, t, serving) for t in tg.targets if not _drained(t, now)]


# --- validation ---------------------------------------------------------------------
def _check_instance(ctx: Scope, tg: TargetGroup, instance_id: str) -> None:
    instance = ctx.uow.get(Instance, instance_id)
    if instance is None or instance.account != ctx.account or instance.region != ctx.region:
        raise errors.InvalidTarget(
            f"The following targets are not valid instances: '{instance_id}'"
        )
    if instance.vpc_id != tg.vpc_id:
        raise errors.InvalidTarget(
            f"The following targets are not in the target group VPC '{tg.vpc_id}': "
            f"'{instance_id}'"
        )
    if instance.state not in _RUNNABLE:
        raise errors.InvalidTarget(
            f"The following targets are not in a running state and cannot be registered: "
            f"'{instance_id}'"
        )


def _check_ip(ctx: Scope, tg: TargetGroup, address: str, zone: str | None) -> str | None:
    """Validate an ip target; returns its AZ (given, or the subnet's that holds it)."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError as exc:
        raise errors.InvalidTarget(
            f"The IP address '{address}' is not a valid IPv4 address"
        ) from exc
    vpc = ctx.uow.get(Vpc, tg.vpc_id)
    if zone == "all" or vpc is None or ip not in ipaddress.IPv4Network(vpc.cidr):
        raise errors.InvalidTarget(
            f"The IP address '{address}' is not within the CIDR of the target group VPC "
            f"'{tg.vpc_id}'"
        )
    subnet_zone = next(
        (
            s.availability_zone
            for s in ctx.uow.list(Subnet, parent=tg.vpc_id)
            if ip in ipaddress.IPv4Network(s.cidr)
        ),
        None,
    )
    if zone is not None and subnet_zone is not None and zone != subnet_zone:
        raise errors.InvalidTarget(
            f"The IP address '{address}' is in Availability Zone '{subnet_zone}', not '{zone}'"
        )
    return zone or subnet_zone


def _require_known(ctx: Scope, tg: TargetGroup, target_id: str) -> None:
    """An id that cannot name a target at all (no such instance, not an address) is invalid."""
    if tg.target_type == "instance":
        instance = ctx.uow.get(Instance, target_id)
        known = instance is not None and instance.account == ctx.account
    else:
        try:
            ipaddress.IPv4Address(target_id)
            known = True
        except ValueError:
            known = False
    if not known:
        raise errors.InvalidTarget(f"The following targets are not valid: '{target_id}'")


def _check_target(ctx: Scope, tg: TargetGroup, spec: dict[str, Any]) -> str | None:
    if tg.target_type == "instance":
        _check_instance(ctx, tg, spec["Id"])
        return None
    return _check_ip(ctx, tg, spec["Id"], spec.get("AvailabilityZone"))


def _port(tg: TargetGroup, spec: dict[str, Any]) -> int:
    port = spec.get("Port") or tg.port
    if not 1 <= port <= 65535:
        raise errors.ValidationError(f"Target port '{port}' is not between 1 and 65535")
    return int(port)


def _find(tg: TargetGroup, target_id: str, port: int | None) -> list[RegisteredTarget]:
    return [t for t in tg.targets if t.id == target_id and port in (None, t.port)]


# --- operations ---------------------------------------------------------------------
@handles("RegisterTargets")
def register(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    now = ctx.now()
    tg.targets = [t for t in tg.targets if not _drained(t, now)]
    for spec in params["Targets"]:
        port = _port(tg, spec)
        zone = _check_target(ctx, tg, spec)
        existing = _find(tg, spec["Id"], port)
        if existing and existing[0].draining_until is None:
            continue  # registering a registered target is a no-op
        tg.targets = [t for t in tg.targets if t not in existing]
        tg.targets.append(
            RegisteredTarget(
                id=spec["Id"], port=port, availability_zone=zone, registered_at=now.isoformat()
            )
        )
    ctx.uow.put(tg)
    return {}


@handles("DeregisterTargets")
def deregister(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Targets of a group in use drain for deregistration_delay; otherwise they go at once."""
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    now = ctx.now()
    delay = int(tg.attributes.get("deregistration_delay.timeout_seconds", "300"))
    drain = _serving(ctx.uow, tg).in_use and delay > 0
    until = (now + dt.timedelta(seconds=delay)).isoformat()
    for spec in params["Targets"]:
        for target in _find(tg, spec["Id"], spec.get("Port")):
            if drain and target.draining_until is None:
                target.draining_until = until
                target.report = None
            elif not drain:
                tg.targets.remove(target)
    tg.targets = [t for t in tg.targets if not _drained(t, now)]
    ctx.uow.put(tg)
    return {}


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


@handles("DescribeTargetHealth")
def describe_health(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tg = common.require_target_group(ctx, params["TargetGroupArn"])
    now = ctx.now()
    serving = _serving(ctx.uow, tg)
    live = [t for t in tg.targets if not _drained(t, now)]
    wanted = params.get("Targets")
    if not wanted:
        return {
            "TargetHealthDescriptions": [
                _wire_health(tg, _health(ctx.uow, tg, t, serving)) for t in live
            ]
        }
    described: list[dict[str, Any]] = []
    for spec in wanted:
        matches = [t for t in live if t.id == spec["Id"] and spec.get("Port") in (None, t.port)]
        if not matches:
            _require_known(ctx, tg, spec["Id"])
            info = TargetInfo(
                spec["Id"],
                _port(tg, spec),
                None,
                spec.get("AvailabilityZone"),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            described.append(_wire_health(tg, info))
        described.extend(_wire_health(tg, _health(ctx.uow, tg, t, serving)) for t in matches)
    return {"TargetHealthDescriptions": described}
