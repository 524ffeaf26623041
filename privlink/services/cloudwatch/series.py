"""Metrics and their per-minute aggregates: where datapoints are written and read back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from privlink.api import Scope
from privlink.services.cloudwatch.records import Aggregate, MetricHour, MetricSeries

MINUTE, HOUR = 60, 3600


@dataclass(frozen=True)
class MetricKey:
    """What names a metric: namespace, name and its dimensions (sorted by name)."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, namespace: str, name: str, dimensions: Sequence[tuple[str, str]]) -> MetricKey:
        return cls(namespace, name, tuple(sorted(dimensions)))

    def series_id(self, scope: Scope) -> str:
        """Stable per account and region: the same metric always lands in the same series."""
        text = json.dumps([scope.account, scope.region, self.namespace, self.name, self.dimensions])
        return "metric-" + hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Sample:
    """A datapoint as PutMetricData gives it, already folded: count, sum, min, max."""

    timestamp: int  # epoch seconds
    unit: str
    count: float
    total: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Minute:
    """One minute's aggregate of one unit, as read back."""

    start: int
    unit: str
    count: float
    total: float
    minimum: float
    maximum: float


def record(scope: Scope, key: MetricKey, samples: Sequence[Sample]) -> None:
    """Fold samples into the metric's minute aggregates (creating the metric if new)."""
    if not samples:
        return
    series_id = key.series_id(scope)
    series = scope.get(MetricSeries, series_id)
    latest = max(s.timestamp for s in samples) // MINUTE * MINUTE
    if series is None:
        series = MetricSeries(
            id=series_id,
            account=scope.account,
            region=scope.region,
            namespace=key.namespace,
            metric_name=key.name,
            dimensions=list(key.dimensions),
            last_datapoint=latest,
        )
        scope.add(series)
    elif latest > series.last_datapoint:
        scope.put(series.model_copy(update={"last_datapoint": latest}))
    by_hour: dict[int, list[Sample]] = {}
    for sample in samples:
        by_hour.setdefault(sample.timestamp // HOUR * HOUR, []).append(sample)
    for hour, group in by_hour.items():
        _fold_hour(scope, series_id, hour, group)


def _fold_hour(scope: Scope, series_id: str, hour: int, samples: list[Sample]) -> None:
    hour_id = f"{series_id}#{hour}"
    stored = scope.get(MetricHour, hour_id)
    chunk = stored or MetricHour(
        id=hour_id, account=scope.account, region=scope.region, series_id=series_id, hour=hour
    )
    for s in samples:
        units = chunk.minutes.setdefault(s.timestamp // MINUTE * MINUTE, {})
        units[s.unit] = _merge(units.get(s.unit), s)
    if stored is None:
        scope.add(chunk)
    else:
        scope.put(chunk)


def _merge(old: Aggregate | None, s: Sample) -> Aggregate:
    if old is None:
        return [s.count, s.total, s.minimum, s.maximum]
    return [old[0] + s.count, old[1] + s.total, min(old[2], s.minimum), max(old[3], s.maximum)]


def minutes(
    scope: Scope, key: MetricKey, start: int, end: int, unit: str | None = None
) -> Iterator[Minute]:
    """The metric's minute aggregates in [start, end), oldest first (of one unit if given)."""
    series_id = key.series_id(scope)
    if scope.get(MetricSeries, series_id) is None:
        return
    hours = range(start // HOUR * HOUR, end, HOUR)
    found = scope.uow.get_many(MetricHour, [f"{series_id}#{h}" for h in hours])
    for hour in hours:
        chunk = found.get(f"{series_id}#{hour}")
        if chunk is None or not scope.owns(chunk):
            continue
        for minute in sorted(chunk.minutes):
            if not start <= minute < end:
                continue
            for name, (count, total, low, high) in chunk.minutes[minute].items():
                if unit is None or name == unit:
                    yield Minute(minute, name, count, total, low, high)


def all_series(scope: Scope) -> list[MetricSeries]:
    return scope.list(MetricSeries)
