"""CloudWatch metrics through boto3 and the AWS CLI: PutMetricData, GetMetricStatistics,
GetMetricData, ListMetrics, and the errors CloudWatch answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Server

NS = "App/Checkout"


def minute(offset: int = 0) -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return now - dt.timedelta(minutes=10) + dt.timedelta(minutes=offset)


def error(call: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    e = info.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Message"]


@pytest.fixture
def cw(server: Server, account: str) -> Any:
    return server.client("cloudwatch", account)


def test_statistics_per_period_from_values_sets_and_value_lists(cw: Any) -> None:
    dims = [{"Name": "Stage", "Value": "prod"}]
    cw.put_metric_data(
        Namespace=NS,
        MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": minute(0), "Value": 10.0,
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": minute(0), "Value": 30.0,
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": minute(1),
             "StatisticValues": {"SampleCount": 4, "Sum": 100, "Minimum": 5, "Maximum": 60},
             "Unit": "Milliseconds"},
            {"MetricName": "Latency", "Dimensions": dims, "Timestamp": minute(2),
             "Values": [1.0, 2.0], "Counts": [3.0, 1.0], "Unit": "Milliseconds"},
        ],
    )  # fmt: skip
    stats = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"]
    got = cw.get_metric_statistics(
        Namespace=NS, MetricName="Latency", Dimensions=dims,
        StartTime=minute(0), EndTime=minute(3), Period=60, Statistics=stats,
    )  # fmt: skip
    assert got["Label"] == "Latency"
    points = sorted(got["Datapoints"], key=lambda p: p["Timestamp"])
    rows = [(p["SampleCount"], p["Sum"], p["Minimum"], p["Maximum"], p["Average"]) for p in points]
    assert rows == [(2, 40, 10, 30, 20), (4, 100, 5, 60, 25), (4, 5, 1, 2, 1.25)]
    assert {p["Unit"] for p in points} == {"Milliseconds"}
    whole = cw.get_metric_statistics(
        Namespace=NS, MetricName="Latency", Dimensions=dims,
        StartTime=minute(0), EndTime=minute(3), Period=180, Statistics=["Sum", "Maximum"],
    )["Datapoints"]  # fmt: skip
    assert [(p["Sum"], p["Maximum"], p["Timestamp"]) for p in whole] == [(145, 60, minute(0))]
    other_dims = cw.get_metric_statistics(
        Namespace=NS, MetricName="Latency", StartTime=minute(0), EndTime=minute(3),
        Period=60, Statistics=["Sum"],
    )["Datapoints"]  # fmt: skip
    assert other_dims == []  # a metric is its dimensions: none given is another metric
    seconds = cw.get_metric_statistics(
        Namespace=NS, MetricName="Latency", Dimensions=dims, StartTime=minute(0),
        EndTime=minute(3), Period=60, Statistics=["Sum"], Unit="Seconds",
    )["Datapoints"]  # fmt: skip
    assert seconds == []


def test_metric_data_queries_order_and_paging(cw: Any) -> None:
    cw.put_metric_data(
        Namespace=NS,
        MetricData=[
            {"MetricName": "Orders", "Timestamp": minute(i), "Value": float(i + 1)}
            for i in range(5)
        ]
        + [{"MetricName": "Errors", "Timestamp": minute(1), "Value": 7.0}],
    )
    queries = [
        {"Id": "orders", "MetricStat": {"Metric": {"Namespace": NS, "MetricName": "Orders"},
                                        "Period": 60, "Stat": "Sum"}},
        {"Id": "errors", "Label": "errs", "MetricStat": {
            "Metric": {"Namespace": NS, "MetricName": "Errors"}, "Period": 120, "Stat": "Maximum"}},
        {"Id": "hidden", "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": NS, "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}},
    ]  # fmt: skip
    got = cw.get_metric_data(MetricDataQueries=queries, StartTime=minute(0), EndTime=minute(5))
    by_id = {r["Id"]: r for r in got["MetricDataResults"]}
    assert set(by_id) == {"orders", "errors"}
    assert by_id["orders"]["Values"] == [5, 4, 3, 2, 1]  # newest first by default
    assert by_id["orders"]["Timestamps"][0] == minute(4)
    assert (by_id["errors"]["Label"], by_id["errors"]["Values"]) == ("errs", [7])
    assert by_id["errors"]["Timestamps"] == [minute(0)]
    assert all(r["StatusCode"] == "Complete" for r in got["MetricDataResults"])
    first = cw.get_metric_data(
        MetricDataQueries=queries[:1], StartTime=minute(0), EndTime=minute(5),
        ScanBy="TimestampAscending", MaxDatapoints=3,
    )  # fmt: skip
    [page] = first["MetricDataResults"]
    assert (page["Values"], page["StatusCode"]) == ([1, 2, 3], "PartialData")
    rest = cw.get_metric_data(
        MetricDataQueries=queries[:1], StartTime=minute(0), EndTime=minute(5),
        ScanBy="TimestampAscending", MaxDatapoints=3, NextToken=first["NextToken"],
    )  # fmt: skip
    assert rest["MetricDataResults"][0]["Values"] == [4, 5] and "NextToken" not in rest


def test_list_metrics_filters_and_pages(cw: Any) -> None:
    data = [
        {"MetricName": "Hits", "Dimensions": [{"Name": "Host", "Value": f"h{i:03d}"}], "Value": 1.0}
        for i in range(501)
    ]
    cw.put_metric_data(Namespace="App/Web", MetricData=data)
    cw.put_metric_data(
        Namespace="App/Web",
        MetricData=[{"MetricName": "Misses", "Dimensions": [{"Name": "Pool", "Value": "a"}],
                     "Value": 2.0}],
    )  # fmt: skip
    first = cw.list_metrics(Namespace="App/Web", MetricName="Hits")
    assert len(first["Metrics"]) == 500 and first["NextToken"]
    second = cw.list_metrics(Namespace="App/Web", MetricName="Hits", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 1 and "NextToken" not in second
    hosts = {m["Dimensions"][0]["Value"] for m in first["Metrics"] + second["Metrics"]}
    assert len(hosts) == 501
    one = cw.list_metrics(Namespace="App/Web", Dimensions=[{"Name": "Host", "Value": "h007"}])
    assert [(m["MetricName"], m["Dimensions"]) for m in one["Metrics"]] == [
        ("Hits", [{"Name": "Host", "Value": "h007"}])
    ]
    pools = cw.list_metrics(Namespace="App/Web", Dimensions=[{"Name": "Pool"}])["Metrics"]
    assert [m["MetricName"] for m in pools] == ["Misses"]
    assert cw.list_metrics(Namespace="App/Web", RecentlyActive="PT3H")["Metrics"]
    assert error(lambda: cw.list_metrics(NextToken="bogus"))[0] == "InvalidNextToken"


def test_cloudwatch_errors(cw: Any) -> None:
    assert error(
        lambda: cw.put_metric_data(
            Namespace="AWS/EC2", MetricData=[{"MetricName": "x", "Value": 1.0}]
        )
    ) == ("InvalidParameterValue", 400, "The value AWS/ for parameter Namespace is invalid.")
    code, status, _ = error(
        lambda: cw.put_metric_data(
            Namespace=NS,
            MetricData=[
                {
                    "MetricName": "x",
                    "Value": 1.0,
                    "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1},
                }
            ],
        )  # fmt: skip
    )
    assert (code, status) == ("InvalidParameterCombination", 400)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=15)
    assert (
        error(
            lambda: cw.put_metric_data(
                Namespace=NS, MetricData=[{"MetricName": "x", "Value": 1.0, "Timestamp": old}]
            )
        )[0]
        == "InvalidParameterValue"
    )

    def stats(**kwargs: Any) -> Any:
        args = dict(Namespace=NS, MetricName="x", StartTime=minute(0), EndTime=minute(5),
                    Period=60, Statistics=["Sum"])  # fmt: skip
        args.update(kwargs)
        args = {k: v for k, v in args.items() if v is not None}
        return lambda: cw.get_metric_statistics(**args)

    assert error(stats(StartTime=minute(5))) == (
        "InvalidParameterValue", 400,
        "The parameter StartTime must be less than the parameter EndTime.",
    )  # fmt: skip
    assert error(stats(Period=61))[:2] == ("InvalidParameterValue", 400)
    code, _, message = error(stats(StartTime=minute(0) - dt.timedelta(days=2)))
    assert code == "InvalidParameterCombination"
    assert message.startswith("You have requested up to 2,885 datapoints, which exceeds the limit")
    assert error(stats(ExtendedStatistics=["p99"]))[0] == "InvalidParameterCombination"
    assert error(stats(Statistics=None))[0] == "MissingParameter"


def test_cli_puts_and_reads_metrics(server: Server, account: str) -> None:
    def aws(*args: str) -> Any:
        out = server.aws("cloudwatch", *args, account=account).stdout
        return json.loads(out) if out.strip() else None

    at = minute(0).isoformat()
    aws("put-metric-data", "--namespace", "Cli/Test", "--metric-name", "Jobs", "--value", "3",
        "--unit", "Count", "--dimensions", "Queue=q1", "--timestamp", at)  # fmt: skip
    listed = aws("list-metrics", "--namespace", "Cli/Test")["Metrics"]
    assert listed == [{"Namespace": "Cli/Test", "MetricName": "Jobs",
                       "Dimensions": [{"Name": "Queue", "Value": "q1"}]}]  # fmt: skip
    got = aws("get-metric-statistics", "--namespace", "Cli/Test", "--metric-name", "Jobs",
              "--dimensions", "Name=Queue,Value=q1", "--start-time", at, "--end-time",
              minute(1).isoformat(), "--period", "60", "--statistics", "Sum")  # fmt: skip
    assert [(p["Sum"], p["Unit"]) for p in got["Datapoints"]] == [(3.0, "Count")]
