"""Load balancer and target group attributes: the NLB key sets, defaults and value rules.

Both kinds of attributes are a flat string map on the wire. Records store the
complete map (defaults materialised at creation), so readers such as the data
plane never need to know the defaults. An unknown key is a ValidationError, a
key that exists only for other load balancer types (ALB, GWLB) or a value the
target group's protocol cannot have is an InvalidConfigurationRequest.
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
    return lambda value: value.isdigit() and low <= int(value) <= high


def _one_of(*allowed: str) -> Check:
    return lambda value: value in allowed


def _count_or_off(value: str) -> bool:
    return value == "off" or (value.isdigit() and int(value) >= 1)


def _percent_or_off(value: str) -> bool:
    return value == "off" or (value.isdigit() and 1 <= int(value) <= 100)


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

_UDP_PROTOCOLS = ("UDP", "TCP_UDP")


def load_balancer_defaults() -> dict[str, str]:
    return {key: spec.default for key, spec in LOAD_BALANCER.items()}


def target_group_defaults(protocol: str, target_type: str) -> dict[str, str]:
    """AWS: client IP preservation is off by default only for ip targets over TCP or TLS."""
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
) -> dict[str, str]:
    updated = dict(current)
    for key, value in changes:
        if key in other_keys:
            raise errors.ElbAttributeNotForNetwork(what, key)
        spec = specs.get(key)
        if spec is None:
            raise errors.ElbAttributeKeyUnknown(what, key)
        if not spec.check(value):
            raise errors.ElbAttributeValueInvalid(what, value, key)
        updated[key] = value
    return updated


def modify_load_balancer(current: dict[str, str], changes: Changes) -> dict[str, str]:
    return _apply(current, changes, LOAD_BALANCER, _OTHER_LOAD_BALANCER_KEYS, "Load balancer")


def modify_target_group(current: dict[str, str], changes: Changes, protocol: str) -> dict[str, str]:
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
