"""What an endpoint service needs to know about its load balancers.

The one place that reads ELBv2 (through its queries), so the rest of
PrivateLink depends on a small view (`Backend`) instead of ELBv2's records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.domain import regions
from privlink.services.elbv2.queries import load_balancer_by_arn
from privlink.services.elbv2.records import LoadBalancer

NLB_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"loadbalancer/(?P<kind>net|gwy|app)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$"
)


@dataclass(frozen=True)
class Backend:
    arn: str
    lb_type: str  # network | gateway | application
    zones: tuple[str, ...]  # AZ names, in the Region's order
    ip_address_type: str  # ipv4 | dualstack


def _zones_of(lb: LoadBalancer) -> tuple[str, ...]:
    names = {node.zone_name for node in lb.nodes}
    return tuple(z.name for z in regions.zones(lb.region) if z.name in names)


def network_load_balancer(scope: Scope, arn: str) -> Backend:
    """The caller's NLB behind `arn`, or the EC2 error AWS gives for it."""
    match = NLB_ARN.match(arn)
    if not match or match["kind"] != "net":
        raise errors.InvalidNetworkLoadBalancerArnMalformed(arn)
    lb = load_balancer_by_arn(scope.uow, arn)
    if lb is None or not scope.owns(lb) or lb.type != "network":
        raise errors.InvalidNetworkLoadBalancerArnNotFound(arn)
    return Backend(arn, lb.type, _zones_of(lb), lb.ip_address_type)
