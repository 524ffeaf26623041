"""CloudWatch handlers: wire dicts <-> typed calls (PutMetricData, GetMetricStatistics,
GetMetricData, ListMetrics)."""

from __future__ import annotations

from typing import Any

from privlink.api import Scope, handles
from privlink.services.cloudwatch import metric_data, operations
from privlink.services.cloudwatch.records import MetricSeries
from privlink.services.cloudwatch.series import MetricKey


def _pairs(dimensions: list[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((d["Name"], d["Value"]) for d in dimensions or [])


def _datum(item: dict[str, Any]) -> operations.MetricDatum:
    stats = item.get("StatisticValues")
    return operations.MetricDatum(
        name=item["MetricName"],
        dimensions=_pairs(item.get("Dimensions")),
        timestamp=item.get("Timestamp"),
        value=item.get("Value"),
        statistic_values=operations.StatisticSet(
            stats["SampleCount"], stats["Sum"], stats["Minimum"], stats["Maximum"]
        )
        if stats
        else None,
        values=tuple(item.get("Values") or ()),
        counts=tuple(item.get("Counts") or ()),
        unit=item.get("Unit") or "None",
    )


@handles("PutMetricData")
def put_metric_data(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    data = [_datum(item) for item in params.get("MetricData") or []]
    operations.put_metric_data(ctx, params["Namespace"], data)
    return {}


@handles("GetMetricStatistics")
def get_metric_statistics(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    query = operations.StatisticsQuery(
        key=MetricKey.of(
            params["Namespace"], params["MetricName"], _pairs(params.get("Dimensions"))
        ),
        start=params["StartTime"],
        end=params["EndTime"],
        period=params["Period"],
        statistics=tuple(params.get("Statistics") or ()),
        extended=tuple(params.get("ExtendedStatistics") or ()),
        unit=params.get("Unit"),
    )
    points = operations.get_metric_statistics(ctx, query)
    return {
        "Label": params["MetricName"],
        "Datapoints": [{"Timestamp": p.timestamp, "Unit": p.unit, **p.values} for p in points],
    }


def _query(item: dict[str, Any]) -> metric_data.MetricDataQuery:
    stat = item.get("MetricStat")
    metric_stat = None
    if stat is not None:
        metric = stat["Metric"]
        metric_stat = metric_data.MetricStat(
            key=MetricKey.of(
                metric.get("Namespace", ""),
                metric.get("MetricName", ""),
                _pairs(metric.get("Dimensions")),
            ),
            period=stat["Period"],
            stat=stat["Stat"],
            unit=stat.get("Unit"),
        )
    return metric_data.MetricDataQuery(
        id=item["Id"],
        metric_stat=metric_stat,
        expression=item.get("Expression"),
        label=item.get("Label"),
        return_data=item.get("ReturnData", True),
    )


@handles("GetMetricData")
def get_metric_data(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    page = metric_data.get_metric_data(
        ctx,
        [_query(item) for item in params["MetricDataQueries"]],
        params["StartTime"],
        params["EndTime"],
        ascending=params.get("ScanBy") == "TimestampAscending",
        max_datapoints=params.get("MaxDatapoints"),
        next_token=params.get("NextToken"),
    )
    return {
        "MetricDataResults": [
            {
                "Id": r.id,
                "Label": r.label,
                "Timestamps": r.timestamps,
                "Values": r.values,
                "StatusCode": "Complete" if r.complete else "PartialData",
                "Messages": [],
            }
            for r in page.results
        ],
        "NextToken": page.next_token,
        "Messages": [],
    }


def _metric(m: MetricSeries) -> dict[str, Any]:
    return {
        "Namespace": m.namespace,
        "MetricName": m.metric_name,
        "Dimensions": [{"Name": n, "Value": v} for n, v in m.dimensions],
    }


@handles("ListMetrics")
def list_metrics(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    page = operations.list_metrics(
        ctx,
        namespace=params.get("Namespace"),
        name=params.get("MetricName"),
        dimensions=[(d["Name"], d.get("Value")) for d in params.get("Dimensions") or []],
        recently_active=params.get("RecentlyActive") == "PT3H",
        next_token=params.get("NextToken"),
    )
    return {"Metrics": [_metric(m) for m in page.metrics], "NextToken": page.next_token}
