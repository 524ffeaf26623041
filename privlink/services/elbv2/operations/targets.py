"""Target registration, and what the data plane reports about registered targets.

See privlink.services.elbv2.queries for the health rule every reader applies.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import Instance, Subnet, Vpc
from privlink.services.elbv2 import arns, queries
from privlink.services.elbv2.queries import TargetInfo
from privlink.services.elbv2.records import HealthReport, RegisteredTarget, TargetGroup
from privlink.store.unit import UnitOfWork

REPORTABLE_STATES = ("initial", "healthy", "unhealthy", "unavailable")


@dataclass(frozen=True)
class Target:
    """A target as calls name it: an instance id or IPv4 address; no port: the group's."""

    id: str
    port: int | None = None
    availability_zone: str | None = None


def _check_instance(scope: Scope, tg: TargetGroup, instance_id: str) -> None:
    instance = scope.get(Instance, instance_id)
    if instance is None:
        raise errors.TargetNotAnInstance(instance_id)
    if instance.vpc_id != tg.vpc_id:
        raise errors.TargetOutsideVpc(tg.vpc_id, instance_id)
    if instance.state not in queries.RUNNABLE:
        raise errors.TargetNotRunning(instance_id)


def _check_ip(scope: Scope, tg: TargetGroup, address: str, zone: str | None) -> str | None:
    """Validate an ip target; returns its AZ (given, or the subnet's that holds it)."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError as exc:
        raise errors.TargetIpInvalid(address) from exc
    vpc = scope.get(Vpc, tg.vpc_id)
    if zone == "all" or vpc is None or ip not in ipaddress.IPv4Network(vpc.cidr):
        raise errors.TargetIpOutsideVpc(address, tg.vpc_id)
    subnet_zone = next(
        (
            s.availability_zone
            for s in scope.list(Subnet, parent=tg.vpc_id)
            if ip in ipaddress.IPv4Network(s.cidr)
        ),
        None,
    )
    if zone is not None and subnet_zone is not None and zone != subnet_zone:
        raise errors.TargetIpZoneMismatch(address, subnet_zone, zone)
    return zone or subnet_zone


def _check_target(scope: Scope, tg: TargetGroup, target: Target) -> str | None:
    if tg.target_type == "instance":
        _check_instance(scope, tg, target.id)
        return None
    return _check_ip(scope, tg, target.id, target.availability_zone)


def _require_known(scope: Scope, tg: TargetGroup, target_id: str) -> None:
    """An id that cannot name a target at all (no such instance, not an address) is invalid."""
    if tg.target_type == "instance":
        known = scope.get(Instance, target_id) is not None
    else:
        try:
            ipaddress.IPv4Address(target_id)
            known = True
        except ValueError:
            known = False
    if not known:
        raise errors.TargetUnknown(target_id)


def _port(tg: TargetGroup, target: Target) -> int:
    port = target.port or tg.port
    if not 1 <= port <= 65535:
        raise errors.TargetPortInvalid(str(port))
    return port


def _find(tg: TargetGroup, target_id: str, port: int | None) -> list[RegisteredTarget]:
    return [t for t in tg.targets if t.id == target_id and port in (None, t.port)]


def register_targets(scope: Scope, tg_arn: str, targets: Sequence[Target]) -> None:
    """Register targets (registering a registered target again changes nothing)."""
    arns.own(scope, tg_arn, "RegisterTargets")
    tg = scope.require(TargetGroup, tg_arn)
    now = scope.now()
    tg.targets = queries.live_targets(tg, now)
    for target in targets:
        port = _port(tg, target)
        zone = _check_target(scope, tg, target)
        existing = _find(tg, target.id, port)
        if existing and existing[0].draining_until is None:
            continue
        tg.targets = [t for t in tg.targets if t not in existing]
        tg.targets.append(
            RegisteredTarget(
                id=target.id, port=port, availability_zone=zone, registered_at=now.isoformat()
            )
        )
    scope.put(tg)


def deregister_targets(scope: Scope, tg_arn: str, targets: Sequence[Target]) -> None:
    """Targets of a group in use drain for deregistration_delay; otherwise they go at once."""
    arns.own(scope, tg_arn, "DeregisterTargets")
    tg = scope.require(TargetGroup, tg_arn)
    now = scope.now()
    delay = int(tg.attributes.get("deregistration_delay.timeout_seconds", "300"))
    drain = bool(queries.serving_zones(scope.uow, tg)) and delay > 0
    until = (now + dt.timedelta(seconds=delay)).isoformat()
    for target in targets:
        for registered in _find(tg, target.id, target.port):
            if drain and registered.draining_until is None:
                registered.draining_until = until
                registered.report = None
            elif not drain:
                tg.targets.remove(registered)
    tg.targets = queries.live_targets(tg, now)
    scope.put(tg)


def describe_target_health(
    scope: Scope, tg_arn: str, wanted: Sequence[Target] | None = None
) -> tuple[TargetGroup, list[TargetInfo]]:
    """The health of every target of a group, or of the ones asked for (unregistered ones
    are reported as Target.NotRegistered, ids that cannot be targets refused)."""
    tg = scope.require(TargetGroup, tg_arn)
    zones = queries.serving_zones(scope.uow, tg)
    live = queries.live_targets(tg, scope.now())
    if not wanted:
        return tg, [queries.health(scope.uow, tg, t, zones) for t in live]
    described: list[TargetInfo] = []
    for target in wanted:
        matches = [t for t in live if t.id == target.id and target.port in (None, t.port)]
        if not matches:
            _require_known(scope, tg, target.id)
            described.append(
                TargetInfo(
                    target.id,
                    _port(tg, target),
                    None,
                    target.availability_zone,
                    "unused",
                    "Target.NotRegistered",
                    "Target is not registered to the target group",
                )
            )
        described.extend(queries.health(scope.uow, tg, t, zones) for t in matches)
    return tg, described


def set_target_health(
    uow: UnitOfWork,
    tg_arn: str,
    target_id: str,
    port: int,
    state: str,
    reason: str | None = None,
    description: str | None = None,
) -> bool:
    """Record what the data plane observed for one registered target.

    Returns False when the target group or the registration does not exist (it was
    deregistered meanwhile). Writes only when the report changes, so a prober that
    repeats itself does not wake the store's listeners.
    """
    if state not in REPORTABLE_STATES:
        raise ValueError(f"target health state must be one of {REPORTABLE_STATES}, not {state!r}")
    tg = uow.get(TargetGroup, tg_arn)
    if tg is None:
        return False
    for target in tg.targets:
        if target.id == target_id and target.port == port and target.draining_until is None:
            report = HealthReport(state=state, reason=reason, description=description)
            if target.report != report:
                target.report = report
                uow.put(tg)
            return True
    return False
