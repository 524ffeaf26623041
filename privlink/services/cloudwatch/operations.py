"""CloudWatch operations with typed arguments: what the handlers and other services call.

Times are timezone-aware datetimes; a metric is a `MetricKey`. Writes fold datapoints
into per-minute aggregates (`series.record`); reads fold those into periods.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.cloudwatch import series, statistics, validation
from privlink.services.cloudwatch.records import MetricSeries
from privlink.services.cloudwatch.series import MetricKey, Sample

LIST_PAGE = 500
RECENTLY_ACTIVE = dt.timedelta(hours=3)
RETENTION = dt.timedelta(days=14)  # ListMetrics shows metrics with data this recent


@dataclass(frozen=True)
class StatisticSet:
    sample_count: float
    total: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class MetricDatum:
    """One item of PutMetricData: a single Value, a StatisticSet, or Values with Counts."""

    name: str
    dimensions: tuple[tuple[str, str], ...] = ()
    timestamp: dt.datetime | None = None
    value: float | None = None
    statistic_values: StatisticSet | None = None
    values: tuple[float, ...] = ()
    counts: tuple[float, ...] = ()
    unit: str = "None"


def put_metric_data(scope: Scope, namespace: str, data: Sequence[MetricDatum]) -> None:
    validation.namespace_for_put(namespace)
    if not data:
        raise errors.MissingParameter("The parameter MetricData is required.")
    if len(data) > 1000:
        raise errors.InvalidParameterValue(
            "The collection MetricData must not contain more than 1000 items."
        )
    now = scope.now()
    folded: dict[MetricKey, list[Sample]] = {}
    for index, datum in enumerate(data, start=1):
        where = f"MetricData.member.{index}"
        key = MetricKey.of(namespace, datum.name, datum.dimensions)
        validation.dimensions(datum.dimensions, where)
        folded.setdefault(key, []).append(_sample(datum, now, where))
    for key, samples in folded.items():
        series.record(scope, key, samples)


def _sample(datum: MetricDatum, now: dt.datetime, where: str) -> Sample:
    at = datum.timestamp or now
    validation.timestamp(at, now, where)
    stamp = int(at.timestamp())
    given = [datum.value is not None, datum.statistic_values is not None, bool(datum.values)]
    if sum(given) > 1:
        raise errors.InvalidParameterCombination(
            f"The parameters {where}.Value, {where}.StatisticValues and {where}.Values are "
            "mutually exclusive and you have specified more than one."
        )
    if datum.statistic_values is not None:
        s = datum.statistic_values
        for name, number in (("SampleCount", s.sample_count), ("Sum", s.total)):
            validation.finite(number, f"{where}.StatisticValues.{name}")
        return Sample(stamp, datum.unit, s.sample_count, s.total, s.minimum, s.maximum)
    if datum.values:
        return _values_sample(datum, stamp, where)
    if datum.value is None:
        raise errors.InvalidParameterCombination(
            f"At least one of the parameters {where}.Value, {where}.StatisticValues or "
            f"{where}.Values must be specified."
        )
    validation.finite(datum.value, f"{where}.Value")
    return Sample(stamp, datum.unit, 1, datum.value, datum.value, datum.value)


def _values_sample(datum: MetricDatum, stamp: int, where: str) -> Sample:
    counts = datum.counts or tuple(1.0 for _ in datum.values)
    if len(counts) != len(datum.values):
        raise errors.InvalidParameterValue(
            f"The parameters {where}.Values and {where}.Counts must be of the same size."
        )
    for value in datum.values:
        validation.finite(value, f"{where}.Values")
    total = sum(v * c for v, c in zip(datum.values, counts, strict=True))
    return Sample(stamp, datum.unit, sum(counts), total, min(datum.values), max(datum.values))


# --- GetMetricStatistics ---------------------------------------------------------------
@dataclass(frozen=True)
class StatisticsQuery:
    key: MetricKey
    start: dt.datetime
    end: dt.datetime
    period: int
    statistics: tuple[str, ...] = ()
    extended: tuple[str, ...] = ()
    unit: str | None = None


@dataclass(frozen=True)
class Datapoint:
    timestamp: dt.datetime
    unit: str
    values: dict[str, float] = field(default_factory=dict)


def get_metric_statistics(scope: Scope, query: StatisticsQuery) -> list[Datapoint]:
    """One datapoint per period (and unit) that has data, oldest first."""
    validation.period(query.period)
    validation.window(query.start, query.end)
    validation.statistics_choice(query.statistics, query.extended)
    validation.datapoint_budget(query.start, query.end, query.period)
    found = period_buckets(scope, query.key, query.start, query.end, query.period, query.unit)
    return [
        Datapoint(at(b.start), b.unit, {s: b.value(s) for s in query.statistics}) for b in found
    ]


def period_buckets(
    scope: Scope,
    key: MetricKey,
    start: dt.datetime,
    end: dt.datetime,
    period: int,
    unit: str | None,
) -> list[statistics.Bucket]:
    """Periods are aligned to the start time rounded down to the minute, as CloudWatch
    rounds a recent StartTime; sub-minute periods see whole minutes (privlink keeps no finer
    resolution)."""
    first = int(start.timestamp()) // series.MINUTE * series.MINUTE
    last = int(end.timestamp())
    minutes = series.minutes(scope, key, first, last, unit)
    return statistics.buckets(minutes, first, max(period, series.MINUTE))


def at(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


# --- ListMetrics -------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricsPage:
    metrics: list[MetricSeries]
    next_token: str | None


def list_metrics(
    scope: Scope,
    namespace: str | None = None,
    name: str | None = None,
    dimensions: Sequence[tuple[str, str | None]] = (),
    recently_active: bool = False,
    next_token: str | None = None,
) -> MetricsPage:
    """Metrics with data in the last two weeks (three hours if recently_active), filtered by
    namespace, name and dimensions (a filter without a value matches any value of that name),
    500 a page in a stable order."""
    since = scope.now() - (RECENTLY_ACTIVE if recently_active else RETENTION)
    found = [
        m
        for m in series.all_series(scope)
        if (namespace is None or m.namespace == namespace)
        and (name is None or m.metric_name == name)
        and m.last_datapoint >= int(since.timestamp()) // series.MINUTE * series.MINUTE
        and _has_dimensions(m, dimensions)
    ]
    found.sort(key=lambda m: (m.namespace, m.metric_name, m.dimensions, m.id))
    start = offset_of(next_token, len(found))
    chunk = found[start : start + LIST_PAGE]
    return MetricsPage(chunk, token_for(start + LIST_PAGE, len(found)))


def _has_dimensions(metric: MetricSeries, wanted: Sequence[tuple[str, str | None]]) -> bool:
    have = dict(metric.dimensions)
    return all(n in have and (v is None or have[n] == v) for n, v in wanted)


def offset_of(token: str | None, size: int) -> int:
    """Where a NextToken continues (tokens are offsets into a stable order)."""
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        offset = -1
    if not 0 <= offset <= size:
        raise errors.InvalidNextToken("The service cannot process the request: invalid NextToken.")
    return offset


def token_for(offset: int, size: int) -> str | None:
    return base64.urlsafe_b64encode(str(offset).encode()).decode() if offset < size else None
