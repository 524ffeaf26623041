"""What an endpoint service needs to know about its load balancers.

The one place that reads ELBv2's records, so the rest of PrivateLink depends
on a small view (`Backend`) instead of ELBv2's internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from privlink import errors
from privlink.domain import regions
from privlink.store.unit import UnitOfWork

NLB_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"loadbalancer/(?P<kind>net|gwy|app)/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$"
)


@dataclass(frozen=True)
class Backend:
    arn: str
    account: str
    region: str
    lb_type: str  # network | gateway | application
    zones: tuple[str, ...]  # AZ names, in the Region's order
    ip_address_type: str  # ipv4 | dualstack


def _load_balancer(uow: UnitOfWork, arn: str) -> Any:
    try:
        from privlink.services.elbv2.queries import load_balancer_by_arn
    except ImportError:  # ELBv2 not part of this build
        return None
    return load_balancer_by_arn(uow, arn)


def _zones_of(record: Any, region: str) -> tuple[str, ...]:
    names = {node.zone_name for node in getattr(record, "nodes", [])}
    order = [z.name for z in regions.zones(region)]
    return tuple(n for n in order if n in names)


def network_load_balancer(uow: UnitOfWork, arn: str, account: str, region: str) -> Backend:
    """The caller's NLB behind `arn`, or the EC2 error AWS gives for it."""
    match = NLB_ARN.match(arn)
    if not match or match["kind"] != "net":
        raise errors.InvalidNetworkLoadBalancerArnMalformed(
            f"Invalid Network Load Balancer ARN: {arn}"
        )
    record = _load_balancer(uow, arn)
    if (
        record is None
        or record.account != account
        or record.region != region
        or record.type != "network"
    ):
        raise errors.InvalidNetworkLoadBalancerArnNotFound(
            f"Network Load Balancer {arn} does not exist"
        )
    return Backend(
        arn=arn,
        account=account,
        region=region,
        lb_type=record.type,
        zones=_zones_of(record, region),
        ip_address_type=record.ip_address_type,
    )
