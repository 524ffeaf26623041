"""CloudWatch records as the store keeps them.

Datapoints are many and small, so they are not one record each. A metric (namespace, name,
dimensions) is a `MetricSeries`; its datapoints are folded, as they arrive, into one
aggregate per minute and unit (sample count, sum, minimum, maximum), and the aggregates of
one hour live in one `MetricHour` record (child of the series, id `SERIES#HOUR`). Every
statistic privlink answers (Sum, Average, Minimum, Maximum, SampleCount over any period of
whole minutes) is exact from these aggregates; reading a time range reads only the hours
it covers, by id. Percentiles would need the samples themselves, which are not kept.

`CounterMark` remembers the last cumulative counters the data plane reported for one
endpoint interface, so each report publishes only what happened since the previous one.
"""

from __future__ import annotations

from pydantic import Field

from privlink.store.records import Record

# One minute's aggregate of one unit: [sample count, sum, minimum, maximum].
Aggregate = list[float]


class MetricSeries(Record):
    """One metric: what ListMetrics lists. `dimensions` are sorted by name."""

    kind = "cloudwatch-metric"
    namespace: str
    metric_name: str
    dimensions: list[tuple[str, str]] = Field(default_factory=list)
    last_datapoint: int = 0  # epoch seconds of the latest datapoint's minute


class MetricHour(Record):
    """One hour of one metric: minute (epoch seconds) -> unit -> aggregate."""

    kind = "cloudwatch-metric-hour"
    series_id: str
    hour: int  # epoch seconds at the start of the hour
    minutes: dict[int, dict[str, Aggregate]] = Field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        return self.series_id


class CounterMark(Record):
    """The last cumulative counters reported for one endpoint interface (id ENDPOINT#SUBNET)."""

    kind = "cloudwatch-counter-mark"
    endpoint_id: str
    subnet_id: str
    new_connections: int = 0
    bytes_processed: int = 0
    packets_dropped: int = 0
    rst_packets_received: int = 0

    @property
    def parent(self) -> str | None:
        return self.endpoint_id
