"""PrivateLink usage in its pricing units, for `privlink status`.

AWS bills interface (and Gateway Load Balancer) endpoints per endpoint per Availability Zone
per hour, a partial hour as a full one, and the data they process per GB. Here the hours
come from the endpoints' lifetimes in the store (creation until now, or until they became
deleted, rejected, failed or expired; an endpoint already removed from the store no longer
counts) and the bytes from the BytesProcessed the data plane recorded per endpoint
(AWS/PrivateLinkEndpoints without a Subnet Id dimension). Gateway endpoints are free.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from privlink.services.cloudwatch.privatelink import ENDPOINTS
from privlink.services.cloudwatch.records import MetricHour, MetricSeries
from privlink.services.ec2.records import Subnet
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

GB = 1024**3
_ENDED = ("deleted", "rejected", "failed", "expired")


@dataclass
class AccountUsage:
    endpoint_hours: dict[str, int] = field(default_factory=dict)  # AZ -> billed hours
    bytes_processed: int = 0

    def wire(self) -> dict[str, object]:
        return {
            "endpoint_hours_by_az": dict(sorted(self.endpoint_hours.items())),
            "endpoint_hours": sum(self.endpoint_hours.values()),
            "gb_processed": round(self.bytes_processed / GB, 6),
        }


def privatelink_usage(uow: UnitOfWork, now: dt.datetime) -> dict[str, dict[str, object]]:
    """Per account (and region): billed endpoint-hours per AZ and GB processed."""
    usage: dict[str, AccountUsage] = {}
    for endpoint in uow.list(VpcEndpoint):
        if endpoint.endpoint_type == "Gateway":
            continue
        hours = _billed_hours(endpoint, now)
        found = usage.setdefault(f"{endpoint.account}/{endpoint.region}", AccountUsage())
        subnets = uow.get_many(Subnet, endpoint.subnet_ids)
        for subnet in subnets.values():
            zone = subnet.availability_zone
            found.endpoint_hours[zone] = found.endpoint_hours.get(zone, 0) + hours
    for metric in uow.list(MetricSeries):
        if not _endpoint_bytes(metric):
            continue
        found = usage.setdefault(f"{metric.account}/{metric.region}", AccountUsage())
        for chunk in uow.list(MetricHour, parent=metric.id):
            found.bytes_processed += int(
                sum(a[1] for units in chunk.minutes.values() for a in units.values())
            )
    return {key: u.wire() for key, u in sorted(usage.items())}


def _billed_hours(endpoint: VpcEndpoint, now: dt.datetime) -> int:
    start = dt.datetime.fromisoformat(endpoint.creation_timestamp)
    end = dt.datetime.fromisoformat(endpoint.state_since) if endpoint.state in _ENDED else now
    return max(1, math.ceil((end - start).total_seconds() / 3600))


def _endpoint_bytes(metric: MetricSeries) -> bool:
    names = {name for name, _ in metric.dimensions}
    return (
        metric.namespace == ENDPOINTS
        and metric.metric_name == "BytesProcessed"
        and "Subnet Id" not in names
    )
