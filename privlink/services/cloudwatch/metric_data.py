"""GetMetricData: several metrics' statistics in one call, paged by datapoints.

Each MetricStat query folds its metric's minute aggregates into its own period; a query
without a Unit evaluates every unit published for the metric together. Metric math
(Expression) is not evaluated: privlink answers it with InvalidParameterValue rather
than a wrong number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.cloudwatch import operations, statistics, validation
from privlink.services.cloudwatch.series import MetricKey

DEFAULT_MAX_DATAPOINTS = 100_800
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")


@dataclass(frozen=True)
class MetricStat:
    key: MetricKey
    period: int
    stat: str
    unit: str | None = None


@dataclass(frozen=True)
class MetricDataQuery:
    id: str
    metric_stat: MetricStat | None = None
    expression: str | None = None
    label: str | None = None
    return_data: bool = True


@dataclass(frozen=True)
class MetricDataResult:
    id: str
    label: str
    timestamps: list[dt.datetime]
    values: list[float]
    complete: bool


@dataclass(frozen=True)
class MetricDataPage:
    results: list[MetricDataResult]
    next_token: str | None


def get_metric_data(
    scope: Scope,
    queries: Sequence[MetricDataQuery],
    start: dt.datetime,
    end: dt.datetime,
    ascending: bool = False,
    max_datapoints: int | None = None,
    next_token: str | None = None,
) -> MetricDataPage:
    """The queries' series in order (newest first unless ascending), at most max_datapoints
    datapoints a page across all queries; NextToken continues where the page stopped."""
    _check(queries)
    validation.window(start, end)
    series = [(q, _points(scope, q, start, end, ascending)) for q in queries if q.return_data]
    total = sum(len(points) for _, points in series)
    offset = operations.offset_of(next_token, total)
    budget = max_datapoints or DEFAULT_MAX_DATAPOINTS
    results, seen = [], 0
    for query, points in series:
        lo, hi = max(offset - seen, 0), max(min(offset + budget - seen, len(points)), 0)
        chunk = points[lo:hi] if lo < len(points) else []
        seen += len(points)
        results.append(
            MetricDataResult(
                query.id,
                query.label or (query.metric_stat.key.name if query.metric_stat else query.id),
                [t for t, _ in chunk],
                [v for _, v in chunk],
                complete=hi >= len(points),
            )
        )
    return MetricDataPage(results, operations.token_for(offset + budget, total))


def _check(queries: Sequence[MetricDataQuery]) -> None:
    ids = [q.id for q in queries]
    for index, query in enumerate(queries, start=1):
        where = f"MetricDataQueries.member.{index}"
        if not _ID.fullmatch(query.id):
            raise errors.ValidationError(
                f"The value {query.id} for parameter {where}.Id is invalid: it must start "
                "with a lowercase letter and contain only letters, numbers and underscores."
            )
        if (query.metric_stat is None) == (query.expression is None):
            raise errors.ValidationError(
                f"Exactly one element of the metricStat or the expression must be set in {where}."
            )
        if query.expression is not None:
            raise errors.InvalidParameterValue(
                f"privlink does not evaluate metric math ({where}.Expression); query the "
                "metrics with MetricStat."
            )
        assert query.metric_stat is not None
        validation.period(query.metric_stat.period, f"{where}.MetricStat.Period")
        if query.metric_stat.stat not in statistics.STATISTICS:
            raise errors.InvalidParameterValue(
                f"The value {query.metric_stat.stat} for parameter {where}.MetricStat.Stat is "
                "invalid: privlink answers SampleCount, Average, Sum, Minimum and Maximum."
            )
    if len(set(ids)) != len(ids):
        raise errors.ValidationError("The values of MetricDataQueries.member.N.Id must be unique.")


def _points(
    scope: Scope, query: MetricDataQuery, start: dt.datetime, end: dt.datetime, ascending: bool
) -> list[tuple[dt.datetime, float]]:
    stat = query.metric_stat
    assert stat is not None
    found = operations.period_buckets(scope, stat.key, start, end, stat.period, stat.unit)
    points = [(operations.at(b.start), b.value(stat.stat)) for b in statistics.merged(found)]
    return points if ascending else points[::-1]
