"""CloudWatch (metrics) as privlink serves it."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.cloudwatch import handlers, records


def service() -> Service:
    return Service.from_modules(
        "cloudwatch",
        [handlers],
        records=[records.MetricSeries, records.MetricHour, records.CounterMark],
    )
