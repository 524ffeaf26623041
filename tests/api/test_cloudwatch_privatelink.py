"""PrivateLink metrics: the data plane's counters (as `record_endpoint_counters` receives
them) become AWS/PrivateLinkEndpoints and AWS/PrivateLinkServices metrics, readable with
list-metrics, get-metric-statistics and get-metric-data in each owner's account, and
`privlink status` shows the usage in PrivateLink's pricing units.

The counters are reported the way the data-plane controller reports them: an operation
call inside a store unit of work, here on the stopped server's own database; the server
is then started again on it and queried black-box.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from typing import Any

from privlink.api import Scope
from privlink.services.cloudwatch import operations
from privlink.services.cloudwatch.privatelink import (
    ENDPOINTS,
    SERVICES,
    InterfaceCounters,
    record_endpoint_counters,
)
from privlink.services.cloudwatch.series import MetricKey
from privlink.store import Store
from tests.api.privatelink import REGION, allow, make_net, make_service, party, wait_state
from tests.harness import VENV_BIN, Server

A, B = "us-east-1a", "us-east-1b"


def test_endpoint_counters_become_privatelink_metrics(
    fresh_server: Callable[..., Server],
) -> None:
    server = fresh_server()
    provider, consumer = party(server), party(server)
    service = make_service(provider, acceptance=False)
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2, "10.30.0.0/16")
    endpoint = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets[A], net.subnets[B]],
    )["VpcEndpoint"]  # fmt: skip
    eid = endpoint["VpcEndpointId"]
    wait_state(consumer.ec2, eid, "available")
    server.stop()

    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    first, second = now - dt.timedelta(minutes=2), now - dt.timedelta(minutes=1)
    store = Store(f"sqlite:///{server.state_dir / 'privlink.db'}")
    try:
        report(store, eid, first, {
            net.subnets[A]: InterfaceCounters(2, 5, 1000, 1, 0),
            net.subnets[B]: InterfaceCounters(0, 0, 0, 0, 0),  # no traffic: nothing published
        })  # fmt: skip
        report(store, eid, second, {
            net.subnets[A]: InterfaceCounters(1, 7, 4000, 1, 2),  # cumulative: +2, +3000, +2
            net.subnets[B]: InterfaceCounters(3, 3, 2 * 1024**3, 0, 0),
        })  # fmt: skip
        base = endpoint_dims(endpoint, net.vpc_id)
        with store.unit() as uow:
            scope = Scope(consumer.account, REGION, uow)
            query = operations.StatisticsQuery(
                MetricKey.of(ENDPOINTS, "BytesProcessed", base), first, now, 60, ("Sum",)
            )
            sums = [p.values["Sum"] for p in operations.get_metric_statistics(scope, query)]
        assert sums == [1000, 3000 + 2 * 1024**3]
    finally:
        store.close()

    server.start()
    consumer_cw = server.client("cloudwatch", consumer.account, REGION)
    provider_cw = server.client("cloudwatch", provider.account, REGION)
    listed = consumer_cw.list_metrics(Namespace=ENDPOINTS, MetricName="BytesProcessed")["Metrics"]
    assert sorted(len(m["Dimensions"]) for m in listed) == [4, 5, 5]  # endpoint + 2 subnets
    assert all({"Name": "VPC Endpoint Id", "Value": eid} in m["Dimensions"] for m in listed)
    names = {m["MetricName"] for m in consumer_cw.list_metrics(Namespace=ENDPOINTS)["Metrics"]}
    assert names == {"ActiveConnections", "NewConnections", "BytesProcessed", "PacketsDropped",
                     "RstPacketsReceived"}  # fmt: skip
    assert provider_cw.list_metrics(Namespace=ENDPOINTS)["Metrics"] == []

    in_a = [{"Name": n, "Value": v} for n, v in [*base, ("Subnet Id", net.subnets[A])]]
    got = consumer_cw.get_metric_statistics(
        Namespace=ENDPOINTS, MetricName="NewConnections", Dimensions=in_a,
        StartTime=first, EndTime=now, Period=120, Statistics=["Sum", "SampleCount"],
    )["Datapoints"]  # fmt: skip
    assert [(p["Sum"], p["SampleCount"], p["Unit"]) for p in got] == [(7, 2, "Count")]

    sid = [{"Name": "Service Id", "Value": service["ServiceId"]}]
    lb = {"Name": "Load Balancer Arn", "Value": service["NetworkLoadBalancerArns"][0]}
    data = provider_cw.get_metric_data(
        MetricDataQueries=[
            {"Id": "rst", "MetricStat": {"Metric": {"Namespace": SERVICES,
             "MetricName": "RstPacketsSent", "Dimensions": [*sid, lb, {"Name": "Az", "Value": A}]},
             "Period": 60, "Stat": "Sum"}},
            {"Id": "bytes", "MetricStat": {"Metric": {"Namespace": SERVICES,
             "MetricName": "BytesProcessed", "Dimensions": sid}, "Period": 180, "Stat": "Sum"}},
            {"Id": "endpoints", "MetricStat": {"Metric": {"Namespace": SERVICES,
             "MetricName": "EndpointsCount", "Dimensions": sid}, "Period": 60, "Stat": "Maximum"}},
        ],
        StartTime=first, EndTime=now, ScanBy="TimestampAscending",
    )["MetricDataResults"]  # fmt: skip
    values = {r["Id"]: r["Values"] for r in data}
    assert values == {"rst": [0, 2], "bytes": [1000 + 3000 + 2 * 1024**3], "endpoints": [1, 1]}

    status = subprocess.run(
        [str(VENV_BIN / "privlink"), "status", "--url", server.url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    print(status)
    line = next(x for x in status.splitlines() if x.strip().startswith(consumer.account))
    assert f"({A} 1, {B} 1)" in line and "GB processed 2.000004" in line


def report(store: Store, eid: str, at: dt.datetime, counters: dict[str, InterfaceCounters]) -> None:
    with store.unit() as uow:
        record_endpoint_counters(Scope("000000000000", REGION, uow), eid, counters, at)


def endpoint_dims(endpoint: dict[str, Any], vpc_id: str) -> list[tuple[str, str]]:
    return [
        ("Endpoint Type", "Interface"),
        ("Service Name", endpoint["ServiceName"]),
        ("VPC Endpoint Id", endpoint["VpcEndpointId"]),
        ("VPC Id", vpc_id),
    ]
