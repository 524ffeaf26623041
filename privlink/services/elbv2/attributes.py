"""Load balancer and target group attributes: the key sets per type, defaults and value rules.

Both kinds of attributes are a flat string map on the wire. Records store the
complete map (defaults materialised at creation), so readers such as the data
plane never need to know the defaults. An unknown key is a ValidationError, a
key that exists only for another load balancer type or a value the target
group's protocol cannot have is an InvalidConfigurationRequest. Application load
balancers and HTTP/HTTPS target groups have their own key sets (ALB_* below).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from privlink import errors

Check = Callable[[str], bool]


def _bool(value: str) -> bool:
    return value in ("true", "false")


def _int_range(low: int, high: int) -> Check:
    return lambda value: value.isascii() and value.isdigit() and low <= int(value) <= high


def _one_of(*allowed: str) -> Check:
    return lambda value: value in allowed


def _count_or_off(value: str) -> bool:
    return value == "off" or (value.isascii() and value.isdigit() and int(value) >= 1)


def _percent_or_off(value: str) -> bool:
    return value == "off" or (value.isascii() and value.isdigit() and 1 <= int(value) <= 100)


def _any(_value: str) -> bool:
    return True


@dataclass(frozen=True)
class Spec:
    default: str
    check: Check


LOAD_BALANCER: dict[str, Spec] = {
    "access_logs.s3.enabled": Spec("false", _bool),
    "access_logs.s3.bucket": Spec("", _any),
    "access_logs.s3.prefix": Spec("", _any),
    "deletion_protection.enabled": Spec("false", _bool),
    "load_balancing.cross_zone.enabled": Spec("false", _bool),
    "dns_record.client_routing_policy": Spec(
        "any_availability_zone",
        _one_of(
            "any_availability_zone",
            "availability_zone_affinity",
            "partial_availability_zone_affinity",
        ),
    ),
    "zonal_shift.config.enabled": Spec("false", _bool),
}

# Keys AWS knows for other load balancer types: recognised, but not for an NLB.
_OTHER_LOAD_BALANCER_KEYS = {
    "idle_timeout.timeout_seconds",
    "client_keep_alive.seconds",
    "connection_logs.s3.enabled",
    "connection_logs.s3.bucket",
    "connection_logs.s3.prefix",
    "health_check_logs.s3.enabled",
    "health_check_logs.s3.bucket",
    "health_check_logs.s3.prefix",
    "ipv6.deny_all_igw_traffic",
    "routing.http.desync_mitigation_mode",
    "routing.http.drop_invalid_header_fields.enabled",
    "routing.http.preserve_host_header.enabled",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "routing.http.xff_client_port.enabled",
    "routing.http.xff_header_processing.mode",
    "routing.http2.enabled",
    "waf.fail_open.enabled",
}

TARGET_GROUP: dict[str, Spec] = {
    "deregistration_delay.timeout_seconds": Spec("300", _int_range(0, 3600)),
    "deregistration_delay.connection_termination.enabled": Spec("false", _bool),
    "proxy_protocol_v2.enabled": Spec("false", _bool),
    "preserve_client_ip.enabled": Spec("true", _bool),  # see target_group_defaults
    "stickiness.enabled": Spec("false", _bool),
    "stickiness.type": Spec("source_ip", _any),  # NLBs only know source_ip: checked below
    "load_balancing.cross_zone.enabled": Spec(
        "use_load_balancer_configuration",
        _one_of("true", "false", "use_load_balancer_configuration"),
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.count": Spec("1", _count_or_off),
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": Spec(
        "off", _percent_or_off
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": Spec(
        "1", _int_range(1, 1_000_000)
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": Spec(
        "off", _percent_or_off
    ),
    "target_health_state.unhealthy.connection_termination.enabled": Spec("true", _bool),
    "target_health_state.unhealthy.draining_interval_seconds": Spec("0", _int_range(0, 360000)),
}

_OTHER_TARGET_GROUP_KEYS = {
    "slow_start.duration_seconds",
    "load_balancing.algorithm.type",
    "load_balancing.algorithm.anomaly_mitigation",
    "stickiness.lb_cookie.duration_seconds",
    "stickiness.app_cookie.cookie_name",
    "stickiness.app_cookie.duration_seconds",
    "lambda.multi_value_headers.enabled",
    "target_failover.on_deregistration",
    "target_failover.on_unhealthy",
}

_SHARED_LB = ("access_logs.s3.enabled", "access_logs.s3.bucket", "access_logs.s3.prefix")
ALB_LOAD_BALANCER: dict[str, Spec] = {
    **{key: LOAD_BALANCER[key] for key in _SHARED_LB},
    "deletion_protection.enabled": Spec("false", _bool),
    "idle_timeout.timeout_seconds": Spec("60", _int_range(1, 4000)),
    "client_keep_alive.seconds": Spec("3600", _int_range(60, 604800)),
    "connection_logs.s3.enabled": Spec("false", _bool),
    "connection_logs.s3.bucket": Spec("", _any),
    "connection_logs.s3.prefix": Spec("", _any),
    "routing.http.desync_mitigation_mode": Spec(
        "defensive", _one_of("monitor", "defensive", "strictest")
    ),
    "routing.http.drop_invalid_header_fields.enabled": Spec("false", _bool),
    "routing.http.preserve_host_header.enabled": Spec("false", _bool),
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": Spec("false", _bool),
    "routing.http.xff_client_port.enabled": Spec("false", _bool),
    "routing.http.xff_header_processing.mode": Spec(
        "append", _one_of("append", "preserve", "remove")
    ),
    "routing.http2.enabled": Spec("true", _bool),
    "waf.fail_open.enabled": Spec("false", _bool),
    "load_balancing.cross_zone.enabled": Spec("true", _one_of("true")),  # always on for ALBs
    "zonal_shift.config.enabled": Spec("false", _bool),
}

_SHARED_TG = (
    "deregistration_delay.timeout_seconds",
    "stickiness.enabled",
    "load_balancing.cross_zone.enabled",
    "target_group_health.dns_failover.minimum_healthy_targets.count",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
)
ALB_TARGET_GROUP: dict[str, Spec] = {
    **{key: TARGET_GROUP[key] for key in _SHARED_TG},
    "stickiness.type": Spec("lb_cookie", _one_of("lb_cookie", "app_cookie")),
    "stickiness.lb_cookie.duration_seconds": Spec("86400", _int_range(1, 604800)),
    "stickiness.app_cookie.cookie_name": Spec("", _any),
    "stickiness.app_cookie.duration_seconds": Spec("86400", _int_range(1, 604800)),
    "slow_start.duration_seconds": Spec("0", lambda v: v == "0" or _int_range(30, 900)(v)),
    "load_balancing.algorithm.type": Spec(
        "round_robin", _one_of("round_robin", "least_outstanding_requests", "weighted_random")
    ),
    "load_balancing.algorithm.anomaly_mitigation": Spec("off", _one_of("on", "off")),
}
HTTP_PROTOCOLS = ("HTTP", "HTTPS")
_UDP_PROTOCOLS = ("UDP", "TCP_UDP")


def _keys(lb_type: str) -> tuple[dict[str, Spec], set[str]]:
    """(the type's keys, the keys other types have)."""
    if lb_type == "application":
        return ALB_LOAD_BALANCER, set(LOAD_BALANCER) - set(ALB_LOAD_BALANCER)
    return LOAD_BALANCER, _OTHER_LOAD_BALANCER_KEYS


def load_balancer_defaults(lb_type: str = "network") -> dict[str, str]:
    return {key: spec.default for key, spec in _keys(lb_type)[0].items()}


def target_group_defaults(protocol: str, target_type: str) -> dict[str, str]:
    """AWS: client IP preservation is off by default only for ip targets over TCP or TLS."""
    if protocol in HTTP_PROTOCOLS:
        return {key: spec.default for key, spec in ALB_TARGET_GROUP.items()}
    values = {key: spec.default for key, spec in TARGET_GROUP.items()}
    if target_type == "ip" and protocol in ("TCP", "TLS"):
        values["preserve_client_ip.enabled"] = "false"
    return values


Changes = Sequence[tuple[str, str]]  # (key, value) pairs, in the caller's order


def _apply(
    current: dict[str, str],
    changes: Changes,
    specs: dict[str, Spec],
    other_keys: set[str],
    what: str,
    lb_type: str = "network",
) -> dict[str, str]:
    updated = dict(current)
    for key, value in changes:
        if key in other_keys:
            raise errors.ElbAttributeNotForType(what, key, lb_type)
        spec = specs.get(key)
        if spec is None:
            raise errors.ElbAttributeKeyUnknown(what, key)
        if not spec.check(value):
            raise errors.ElbAttributeValueInvalid(what, value, key)
        updated[key] = value
    return updated


def modify_load_balancer(
    current: dict[str, str], changes: Changes, lb_type: str = "network"
) -> dict[str, str]:
    specs, others = _keys(lb_type)
    return _apply(current, changes, specs, others, "Load balancer", lb_type)


def modify_target_group(current: dict[str, str], changes: Changes, protocol: str) -> dict[str, str]:
    if protocol in HTTP_PROTOCOLS:
        others = set(TARGET_GROUP) - set(ALB_TARGET_GROUP)
        return _apply(current, changes, ALB_TARGET_GROUP, others, "Target group", "application")
    updated = _apply(current, changes, TARGET_GROUP, _OTHER_TARGET_GROUP_KEYS, "Target group")
    if updated["stickiness.type"] != "source_ip":
        raise errors.StickinessTypeUnsupported(updated["stickiness.type"], protocol)
    if protocol in _UDP_PROTOCOLS and updated["proxy_protocol_v2.enabled"] == "true":
        raise errors.ProxyProtocolUnsupported(protocol)
    if protocol in _UDP_PROTOCOLS and updated["preserve_client_ip.enabled"] == "false":
        raise errors.ClientIpPreservationRequired(protocol)
    return updated


def from_wire(raw: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """A request's [{Key, Value}] attribute list as (key, value) pairs (no value: "")."""
    return [(a.get("Key") or "", "" if a.get("Value") is None else str(a["Value"])) for a in raw]


def wire(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(attributes.items())]
