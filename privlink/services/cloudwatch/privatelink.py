"""PrivateLink's metrics, published as AWS publishes them, from the data plane's counters.

Namespaces, metrics and dimensions (AWS PrivateLink User Guide, "CloudWatch metrics for
AWS PrivateLink"):

- AWS/PrivateLinkEndpoints, in the endpoint owner's account: ActiveConnections,
  NewConnections, BytesProcessed, PacketsDropped, RstPacketsReceived, per endpoint
  {Endpoint Type, Service Name, VPC Endpoint Id, VPC Id} and per interface (subnet)
  {Endpoint Type, Service Name, Subnet Id, VPC Endpoint Id, VPC Id};
- AWS/PrivateLinkServices, in the service owner's account (endpoint services backed by a
  load balancer, not AWS services): ActiveConnections, NewConnections, BytesProcessed and
  RstPacketsSent per {Service Id}, {Load Balancer Arn, Service Id},
  {Az, Load Balancer Arn, Service Id} and (not RstPacketsSent) {Service Id, VPC Endpoint
  Id}; EndpointsCount per {Service Id}.

Like AWS, a minute without traffic publishes nothing (the metrics' reporting criterion is
"the endpoint received traffic during the one-minute period"); EndpointsCount is published
with every report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privlink.api import Scope
from privlink.services.cloudwatch import series
from privlink.services.cloudwatch.records import CounterMark
from privlink.services.cloudwatch.series import MetricKey, Sample
from privlink.services.ec2.records import Subnet
from privlink.services.privatelink.records import AWS_OWNER, EndpointService, VpcEndpoint

ENDPOINTS = "AWS/PrivateLinkEndpoints"
SERVICES = "AWS/PrivateLinkServices"
_CUMULATIVE = ("new_connections", "bytes_processed", "packets_dropped", "rst_packets_received")


@dataclass(frozen=True)
class InterfaceCounters:
    """What the data plane counted for one endpoint interface (one subnet).

    `active_connections` is a gauge: the connections open now (SYN_SENT or ESTABLISHED).
    The others are cumulative totals since the data plane began counting this interface
    (kernel counters: conntrack entries created, bytes both ways, packets dropped by the
    endpoint's security groups, TCP resets received from the service side). A total lower
    than the previous report means the counter restarted (a new namespace): the new total
    is then what happened since."""

    active_connections: int = 0
    new_connections: int = 0
    bytes_processed: int = 0
    packets_dropped: int = 0
    rst_packets_received: int = 0


@dataclass(frozen=True)
class Deltas:
    """One interface's report turned into one minute's datapoints."""

    subnet_id: str
    zone: str
    active: int
    new: int
    bytes: int
    dropped: int
    rst: int

    @property
    def traffic(self) -> bool:
        return bool(self.active or self.new or self.bytes or self.dropped or self.rst)


def record_endpoint_counters(
    scope: Scope,
    endpoint_id: str,
    counters: Mapping[str, InterfaceCounters],
    at: dt.datetime,
) -> None:
    """Publish one report of an endpoint's counters (subnet id -> InterfaceCounters) as the
    datapoints of the minute holding `at` (`record_counters` for one endpoint)."""
    record_counters(scope, {endpoint_id: counters}, at)


def record_counters(
    scope: Scope,
    reports: Mapping[str, Mapping[str, InterfaceCounters]],
    at: dt.datetime,
) -> None:
    """Publish one report per endpoint (endpoint id -> subnet id -> InterfaceCounters) as
    the datapoints of the minute holding `at`.

    Called by the observation controller about once a minute with every interface endpoint,
    inside a store unit of work; `scope` may be any account's (the endpoint's and the
    service's owners are read from the store). Unknown endpoints, gateway endpoints and
    subnets the endpoint does not use are ignored: counters can outlive a deleted endpoint
    by one pass. The services' endpoint counts are read once for the whole batch."""
    connected = Counter(e.service_id for e in scope.uow.list(VpcEndpoint) if e.state == "available")
    stamp = int(at.timestamp())
    for endpoint_id, counters in reports.items():
        endpoint = scope.foreign(VpcEndpoint, endpoint_id)
        if endpoint is None or endpoint.endpoint_type == "Gateway":
            continue
        owner = _scope(scope, endpoint.account, endpoint.region)
        deltas = [
            _deltas(owner, endpoint, s, c) for s, c in counters.items() if s in endpoint.interfaces
        ]
        traffic = [d for d in deltas if d.traffic]
        _publish_endpoint(owner, endpoint, traffic, stamp)
        if endpoint.service_owner != AWS_OWNER:
            service = scope.foreign(EndpointService, endpoint.service_id)
            if service is not None:
                provider = _scope(scope, service.account, service.region)
                count = connected[service.id]
                _publish_service(provider, service, endpoint, traffic, count, stamp)


def _scope(scope: Scope, account: str, region: str) -> Scope:
    return Scope(account, region, scope.uow, scope.now, scope.hexid, scope.after_commit)


def _deltas(scope: Scope, endpoint: VpcEndpoint, subnet_id: str, now: InterfaceCounters) -> Deltas:
    """What happened since the last report of this interface (and remember this one)."""
    mark_id = f"{endpoint.id}#{subnet_id}"
    mark = scope.get(CounterMark, mark_id)
    totals = {name: getattr(now, name) for name in _CUMULATIVE}
    if mark is None:
        since = dict.fromkeys(_CUMULATIVE, 0)
        scope.add(
            CounterMark(
                id=mark_id,
                account=scope.account,
                region=scope.region,
                endpoint_id=endpoint.id,
                subnet_id=subnet_id,
                **totals,
            )
        )
    else:
        since = {name: getattr(mark, name) for name in _CUMULATIVE}
        if totals != since:  # an idle interface writes nothing
            scope.put(mark.model_copy(update=totals))
    delta = {n: totals[n] - since[n] if totals[n] >= since[n] else totals[n] for n in totals}
    subnet = scope.foreign(Subnet, subnet_id)
    return Deltas(
        subnet_id,
        subnet.availability_zone if subnet else "",
        now.active_connections,
        delta["new_connections"],
        delta["bytes_processed"],
        delta["packets_dropped"],
        delta["rst_packets_received"],
    )


def _values(d: Deltas, reset_name: str) -> dict[str, tuple[float, str]]:
    return {
        "ActiveConnections": (d.active, "Count"),
        "NewConnections": (d.new, "Count"),
        "BytesProcessed": (d.bytes, "Bytes"),
        reset_name: (d.rst, "Count"),
    }


def _put(
    scope: Scope,
    namespace: str,
    dims: Iterable[tuple[str, str]],
    values: dict[str, tuple[float, str]],
    stamp: int,
) -> None:
    dimensions = tuple(dims)
    for name, (value, unit) in values.items():
        key = MetricKey.of(namespace, name, dimensions)
        series.record(scope, key, [Sample(stamp, unit, 1, value, value, value)])


def _total(deltas: list[Deltas]) -> Deltas:
    return Deltas(
        "",
        "",
        sum(d.active for d in deltas),
        sum(d.new for d in deltas),
        sum(d.bytes for d in deltas),
        sum(d.dropped for d in deltas),
        sum(d.rst for d in deltas),
    )


def _publish_endpoint(
    scope: Scope, endpoint: VpcEndpoint, deltas: list[Deltas], stamp: int
) -> None:
    if not deltas:
        return
    base = [
        ("Endpoint Type", endpoint.endpoint_type),
        ("Service Name", endpoint.service_name),
        ("VPC Endpoint Id", endpoint.id),
        ("VPC Id", endpoint.vpc_id),
    ]
    for d in [*deltas, _total(deltas)]:
        values = _values(d, "RstPacketsReceived") | {"PacketsDropped": (d.dropped, "Count")}
        dims = [*base, ("Subnet Id", d.subnet_id)] if d.subnet_id else base
        _put(scope, ENDPOINTS, dims, values, stamp)


def _publish_service(
    scope: Scope,
    service: EndpointService,
    endpoint: VpcEndpoint,
    deltas: list[Deltas],
    connected: int,
    stamp: int,
) -> None:
    """One report of one endpoint adds one sample to each service series: over a minute, Sum
    adds up the service's endpoints. `connected`: the service's available endpoints."""
    service_id = ("Service Id", service.id)
    _put(scope, SERVICES, [service_id], {"EndpointsCount": (connected, "Count")}, stamp)
    if not deltas:
        return
    total = _values(_total(deltas), "RstPacketsSent")
    _put(scope, SERVICES, [service_id], total, stamp)
    per_endpoint = {k: v for k, v in total.items() if k != "RstPacketsSent"}
    _put(scope, SERVICES, [service_id, ("VPC Endpoint Id", endpoint.id)], per_endpoint, stamp)
    arns = service.network_load_balancer_arns or service.gateway_load_balancer_arns
    if not arns:
        return
    lb = ("Load Balancer Arn", arns[0])
    _put(scope, SERVICES, [lb, service_id], total, stamp)
    for d in deltas:
        _put(scope, SERVICES, [("Az", d.zone), lb, service_id], _values(d, "RstPacketsSent"), stamp)
