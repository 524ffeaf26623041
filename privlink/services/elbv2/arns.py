"""ELBv2 resource names: ARNs (the records' ids) and the load balancer / target group name rule."""

from __future__ import annotations

import re
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.elbv2.records import LoadBalancer

ARN_PREFIX = "arn:aws:elasticloadbalancing"
# 1-32 alphanumerics or hyphens, not starting or ending with a hyphen (LBs and target groups).
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<type>loadbalancer|targetgroup|listener)/(?P<rest>.+)$"
)


@dataclass(frozen=True)
class ElbArn:
    region: str
    account: str
    resource_type: str  # loadbalancer | targetgroup | listener


def parse(arn: str) -> ElbArn | None:
    match = _ARN.match(arn or "")
    if not match:
        return None
    return ElbArn(match["region"], match["account"], match["type"])


def check(arn: str, what: str) -> ElbArn:
    """A well-formed ELBv2 ARN, or the ValidationError naming what was expected."""
    parsed = parse(arn)
    if parsed is None:
        raise errors.ElbArnInvalid(arn, what)
    return parsed


def own(scope: Scope, arn: str, action: str) -> None:
    """Refuse a change to another account's resource as IAM does (AccessDenied, 403).

    Only actions that name a resource are authorized against it; Describe* calls
    are not, so another account's ARN there is simply not found."""
    parsed = parse(arn)
    if parsed is not None and parsed.account != scope.account:
        raise errors.ElbAccessDenied(scope.account, action, arn)


# ARN and DNS-name segment per load balancer type
TYPE_SEGMENT = {"network": "net", "application": "app"}


def load_balancer(scope: Scope, name: str, lb_id: str, lb_type: str = "network") -> str:
    segment = TYPE_SEGMENT[lb_type]
    return f"{ARN_PREFIX}:{scope.region}:{scope.account}:loadbalancer/{segment}/{name}/{lb_id}"


def target_group(scope: Scope, name: str, tg_id: str) -> str:
    return f"{ARN_PREFIX}:{scope.region}:{scope.account}:targetgroup/{name}/{tg_id}"


def listener(lb: LoadBalancer, listener_id: str) -> str:
    segment = TYPE_SEGMENT[lb.type]
    return (
        f"{ARN_PREFIX}:{lb.region}:{lb.account}:listener/{segment}/{lb.name}/{lb.lb_id}/"
        f"{listener_id}"
    )


def check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise errors.ElbNameInvalid(what, name)
