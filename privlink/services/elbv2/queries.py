"""Read models over ELBv2 records, for handlers, other services and the data plane.

Endpoint services and the data plane call these with a UnitOfWork (no
Scope): they work across accounts, because an endpoint service's consumer
is not the load balancer's owner.

The health rule: what DescribeTargetHealth (and targets_of) report, first match wins:

1. draining / Target.DeregistrationInProgress: deregistered from a target group that
   is in use, until its deregistration_delay.timeout_seconds have passed (then gone).
2. unused / Target.NotInUse: no listener of an active load balancer forwards to the
   group, or the target's AZ is not enabled on that load balancer.
3. unused / Target.InvalidState: an instance target whose instance is stopped,
   stopping, shutting down or terminated.
4. The data plane's last report for the target (operations.set_target_health), if any.
5. healthy: nothing probes targets in control-plane-only mode, so a registered target
   in use counts as healthy from the moment it is registered.

A data plane that probes targets reports `initial` (Elb.InitialHealthChecking) when it
starts checking one, then `healthy` or `unhealthy` as its thresholds decide. A new
registration of the same (id, port) clears an earlier report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from privlink.services.ec2.records import Instance
from privlink.services.elbv2.records import (
    Listener,
    LoadBalancer,
    RegisteredTarget,
    TargetGroup,
)
from privlink.store.unit import UnitOfWork

RUNNABLE = ("pending", "running")


def load_balancer_by_arn(uow: UnitOfWork, arn: str) -> LoadBalancer | None:
    return uow.get(LoadBalancer, arn)


def target_group_by_arn(uow: UnitOfWork, arn: str) -> TargetGroup | None:
    return uow.get(TargetGroup, arn)


def nlb_nodes(lb: LoadBalancer) -> list[tuple[str, str, str]]:
    """(availability zone name, subnet id, private IPv4 address) of every node."""
    return [(node.zone_name, node.subnet_id, node.private_ip) for node in lb.nodes]


def listeners_of(uow: UnitOfWork, lb_arn: str) -> list[Listener]:
    """The load balancer's listeners, in creation order."""
    return uow.list(Listener, parent=lb_arn)


def target_group_users(uow: UnitOfWork, account: str, region: str) -> dict[str, list[str]]:
    """Target group ARN -> ARNs of the load balancers whose listeners forward to it."""
    users: dict[str, list[str]] = defaultdict(list)
    for listener in uow.list(Listener, account, region):
        if not listener.target_group_arn:  # an ALB's redirect or fixed response
            continue
        if listener.load_balancer_arn not in users[listener.target_group_arn]:
            users[listener.target_group_arn].append(listener.load_balancer_arn)
    return dict(users)


def load_balancers_of(uow: UnitOfWork, tg: TargetGroup) -> list[str]:
    return target_group_users(uow, tg.account, tg.region).get(tg.id, [])


def cross_zone_enabled(lb: LoadBalancer, tg: TargetGroup) -> bool:
    """The target group's override, else the load balancer's setting (off by default)."""
    inherit = "use_load_balancer_configuration"
    value = tg.attributes.get("load_balancing.cross_zone.enabled", inherit)
    if value == inherit:
        value = lb.attributes.get("load_balancing.cross_zone.enabled", "false")
    return value == "true"


# --- target health ------------------------------------------------------------------
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


def serving_zones(uow: UnitOfWork, tg: TargetGroup) -> frozenset[str]:
    """The AZs of the active load balancers that forward to a target group (empty: unused)."""
    zones: set[str] = set()
    for arn in load_balancers_of(uow, tg):
        lb = uow.get(LoadBalancer, arn)
        if lb is not None and lb.state == "active":
            zones.update(node.zone_name for node in lb.nodes)
    return frozenset(zones)


def drained(target: RegisteredTarget, now: dt.datetime) -> bool:
    """A deregistered target whose delay has passed: it is gone for every reader."""
    return (
        target.draining_until is not None
        and dt.datetime.fromisoformat(target.draining_until) <= now
    )


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


def health(
    uow: UnitOfWork, tg: TargetGroup, target: RegisteredTarget, zones: frozenset[str]
) -> TargetInfo:
    """One target's health by the rule above; `zones` is serving_zones(uow, tg)."""
    ip, zone, instance = _locate(uow, tg, target)

    def info(state: str, reason: str | None = None, description: str | None = None) -> TargetInfo:
        return TargetInfo(target.id, target.port, ip, zone, state, reason, description)

    if target.draining_until is not None:
        return info(
            "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
        )
    if not zones:
        return info(
            "unused",
            "Target.NotInUse",
            "Target group is not configured to receive traffic from the load balancer",
        )
    if zone is not None and zone not in zones:
        return info(
            "unused",
            "Target.NotInUse",
            "Target is in an Availability Zone that is not enabled for the load balancer",
        )
    if tg.target_type == "instance" and (instance is None or instance.state not in RUNNABLE):
        state = instance.state if instance is not None else "terminated"
        return info("unused", "Target.InvalidState", f"Target is in the {state} state")
    if target.report is not None:
        return info(target.report.state, target.report.reason, target.report.description)
    return info("healthy")


def live_targets(tg: TargetGroup, now: dt.datetime) -> list[RegisteredTarget]:
    return [t for t in tg.targets if not drained(t, now)]


def targets_of(uow: UnitOfWork, tg_arn: str) -> list[TargetInfo]:
    """Every registered target of a target group (draining ones included) with its health."""
    tg = uow.get(TargetGroup, tg_arn)
    if tg is None:
        return []
    zones = serving_zones(uow, tg)
    return [health(uow, tg, t, zones) for t in live_targets(tg, dt.datetime.now(dt.UTC))]
