"""Target groups: create, modify, delete, attributes.

Protocols TCP, UDP, TCP_UDP and TLS (network load balancers), HTTP and HTTPS
(application load balancers); target types instance and ip. Health check
defaults are AWS's: NLB groups check TCP on the traffic port every 30 s, 10 s
timeout (6 s for HTTP), 5 successes to turn healthy, 2 failures to turn
unhealthy, matcher 200-399; HTTP/HTTPS groups check HTTP GET / every 30 s, 5 s
timeout, 5 / 2, matcher 200 (codes 200-499 allowed; NLB 200-599). Health
checks cannot be disabled for instance and ip targets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import Vpc
from privlink.services.elbv2 import arns, attributes, queries
from privlink.services.elbv2.operations.tags import TAG_ERRORS
from privlink.services.elbv2.records import HealthCheck, TargetGroup
from privlink.services.shared import tags

PROTOCOLS = ("TCP", "UDP", "TCP_UDP", "TLS", "HTTP", "HTTPS")
HTTP_PROTOCOLS = ("HTTP", "HTTPS")
# the first HTTP health check of an HTTP/HTTPS target group (ALB defaults)
_ALB_CHECK = HealthCheck(protocol="HTTP", timeout=5, path="/", matcher="200")
_MATCHER_RANGE = {True: (200, 499), False: (200, 599)}  # ALB groups, NLB groups
TARGET_TYPES = ("instance", "ip")
HEALTH_CHECK_PROTOCOLS = ("TCP", "HTTP", "HTTPS")
_DEFAULT_TIMEOUT = {"TCP": 10, "HTTP": 6, "HTTPS": 10}
_HTTP_CODES = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


@dataclass(frozen=True)
class HealthCheckSettings:
    """Health check settings a call gives; None keeps the current (or default) value."""

    protocol: str | None = None
    port: str | None = None
    enabled: bool | None = None
    path: str | None = None
    interval: int | None = None
    timeout: int | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None
    matcher: str | None = None


@dataclass(frozen=True)
class NewTargetGroup:
    """CreateTargetGroup's settings (protocol, port and VPC are required for NLB targets)."""

    name: str
    protocol: str | None
    port: int | None
    vpc_id: str | None
    target_type: str = "instance"
    ip_address_type: str = "ipv4"
    health_check: HealthCheckSettings = HealthCheckSettings()
    tags: Mapping[str, str] = field(default_factory=dict)


def _name_scope(account: str, region: str) -> str:
    return f"elbv2-tg-name:{account}:{region}"


def _in_range(value: int | None, member: str, low: int, high: int) -> None:
    if value is not None and not low <= value <= high:
        raise errors.ElbValueOutOfRange(str(value), member, str(low), str(high))


def _check_ranges(given: HealthCheckSettings) -> None:
    _in_range(given.interval, "healthCheckIntervalSeconds", 5, 300)
    _in_range(given.timeout, "healthCheckTimeoutSeconds", 2, 120)
    _in_range(given.healthy_threshold, "healthyThresholdCount", 2, 10)
    _in_range(given.unhealthy_threshold, "unhealthyThresholdCount", 2, 10)


def _check_http_settings(given: HealthCheckSettings, protocol: str, alb: bool) -> None:
    if protocol not in ("HTTP", "HTTPS") and (given.path or given.matcher):
        raise errors.HealthCheckHttpOnly(protocol)
    if given.path is not None and not given.path.startswith("/"):
        raise errors.HealthCheckPathInvalid(given.path)
    if given.matcher is not None:
        if not _HTTP_CODES.match(given.matcher):
            raise errors.HealthCheckMatcherInvalid(given.matcher)
        low, high = _MATCHER_RANGE[alb]
        for code in re.split(r"[,-]", given.matcher):
            if not low <= int(code) <= high:
                raise errors.HealthCheckMatcherRange(code, f"{low}-{high}")


def health_check(
    given: HealthCheckSettings,
    target_type: str,
    base: HealthCheck | None = None,
    group_protocol: str = "TCP",
) -> HealthCheck:
    """The health check `given` makes of `base` (or of the defaults for a group of
    `group_protocol`), checked as AWS does."""
    alb = group_protocol in HTTP_PROTOCOLS
    current = base or (_ALB_CHECK if alb else HealthCheck())
    protocol = given.protocol or current.protocol
    if protocol not in HEALTH_CHECK_PROTOCOLS:
        raise errors.HealthCheckProtocolUnsupported(protocol)
    if alb and protocol not in HTTP_PROTOCOLS:
        raise errors.HealthCheckProtocolForHttp(protocol, group_protocol)
    if given.enabled is False:
        raise errors.HealthCheckRequired(target_type)
    port = given.port or current.port
    if port != "traffic-port" and not (
        port.isascii() and port.isdigit() and 1 <= int(port) <= 65535
    ):
        raise errors.HealthCheckPortInvalid(port)
    _check_ranges(given)
    _check_http_settings(given, protocol, alb)
    http = protocol in ("HTTP", "HTTPS")
    timeout = given.timeout
    if timeout is None:
        fresh = protocol != current.protocol or base is None
        timeout = _DEFAULT_TIMEOUT[protocol] if fresh and not alb else current.timeout
    interval = given.interval or current.interval
    if timeout >= interval:
        raise errors.HealthCheckTimeoutTooLong(str(timeout), str(interval))
    return HealthCheck(
        protocol=protocol,
        port=port,
        enabled=True,
        path=(given.path or current.path or "/") if http else None,
        interval=interval,
        timeout=timeout,
        healthy_threshold=given.healthy_threshold or current.healthy_threshold,
        unhealthy_threshold=given.unhealthy_threshold or current.unhealthy_threshold,
        matcher=(given.matcher or current.matcher or ("200" if alb else "200-399"))
        if http
        else None,
    )


def _settings(tg: TargetGroup) -> tuple[Any, ...]:
    """What makes two CreateTargetGroup calls "the same settings" (they are idempotent)."""
    return (tg.protocol, tg.port, tg.vpc_id, tg.target_type, tg.health_check)


def _required(value: Any, what: str, target_type: str) -> Any:
    if value is None:
        raise errors.TargetGroupSettingRequired(what, target_type)
    return value


def _new_record(scope: Scope, spec: NewTargetGroup) -> TargetGroup:
    """The target group `spec` describes, every setting checked (not stored yet)."""
    arns.check_name(spec.name, "Target group")
    target_type = spec.target_type
    if target_type not in TARGET_TYPES:
        raise errors.TargetTypeUnsupported(target_type)
    protocol: str = _required(spec.protocol, "A protocol", target_type)
    port: int = _required(spec.port, "A port", target_type)
    vpc_id: str = _required(spec.vpc_id, "A VPC ID", target_type)
    if protocol not in PROTOCOLS:
        raise errors.TargetGroupProtocolUnsupported(protocol)
    _in_range(port, "port", 1, 65535)
    if spec.ip_address_type != "ipv4":
        raise errors.TargetGroupIpv6Unsupported()
    if scope.get(Vpc, vpc_id) is None:
        raise errors.TargetGroupVpcNotFound(vpc_id)
    tags.check(spec.tags, TAG_ERRORS)
    tg_id = scope.hexid(16)
    return TargetGroup(
        id=arns.target_group(scope, spec.name, tg_id),
        account=scope.account,
        region=scope.region,
        name=spec.name,
        tg_id=tg_id,
        protocol=protocol,
        port=port,
        vpc_id=vpc_id,
        target_type=target_type,
        health_check=health_check(spec.health_check, target_type, group_protocol=protocol),
        attributes=attributes.target_group_defaults(protocol, target_type),
        tags=dict(spec.tags),
    )


def create_target_group(scope: Scope, spec: NewTargetGroup) -> tuple[TargetGroup, bool]:
    """(the target group, whether it is new): the same name and settings again is the same
    target group, as on AWS."""
    tg = _new_record(scope, spec)
    owner = scope.uow.name_owner(_name_scope(scope.account, scope.region), spec.name)
    if owner is not None:
        existing = scope.get(TargetGroup, owner)
        if existing is not None and _settings(existing) == _settings(tg):
            return existing, False
        raise errors.DuplicateTargetGroupName(spec.name)
    scope.uow.claim_name(_name_scope(scope.account, scope.region), spec.name, tg.id)
    scope.add(tg)
    return tg, True


def modify_target_group(scope: Scope, arn: str, given: HealthCheckSettings) -> TargetGroup:
    arns.own(scope, arn, "ModifyTargetGroup")
    tg = scope.require(TargetGroup, arn)
    tg.health_check = health_check(
        given, tg.target_type, base=tg.health_check, group_protocol=tg.protocol
    )
    scope.put(tg)
    return tg


def delete_target_group(scope: Scope, arn: str) -> None:
    """Delete an unused target group; one that does not exist is no error (as on AWS)."""
    arns.check(arn, "target group")
    arns.own(scope, arn, "DeleteTargetGroup")
    tg = scope.get(TargetGroup, arn)
    if tg is None:
        return
    if queries.load_balancers_of(scope.uow, tg):
        raise errors.TargetGroupInUse(arn)
    scope.uow.release_name(_name_scope(tg.account, tg.region), tg.name)
    scope.delete(tg)


def modify_target_group_attributes(
    scope: Scope, arn: str, changes: attributes.Changes
) -> TargetGroup:
    arns.own(scope, arn, "ModifyTargetGroupAttributes")
    tg = scope.require(TargetGroup, arn)
    tg.attributes = attributes.modify_target_group(tg.attributes, changes, tg.protocol)
    scope.put(tg)
    return tg
