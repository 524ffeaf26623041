"""PrivateLink metrics from observed traffic: each endpoint's ENI counters, as one report
to CloudWatch (services/cloudwatch/privatelink.py publishes AWS/PrivateLinkEndpoints and
AWS/PrivateLinkServices from it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from privlink.api import Scope
from privlink.dataplane.flows import Observation
from privlink.services.cloudwatch.privatelink import InterfaceCounters, record_counters
from privlink.services.privatelink.records import AWS_OWNER
from privlink.store.unit import UnitOfWork


def publish(uow: UnitOfWork, observation: Observation) -> None:
    """One report for every observed endpoint, in one batch (the services' endpoint counts
    are read once, not once per endpoint)."""
    by_endpoint: dict[str, dict[str, InterfaceCounters]] = defaultdict(dict)
    for c in observation.endpoints:
        by_endpoint[c.endpoint_id][c.subnet_id] = InterfaceCounters(
            active_connections=c.active,
            new_connections=c.new,
            bytes_processed=c.bytes,
            packets_dropped=c.dropped,
            rst_packets_received=c.rst,
        )
    if by_endpoint:
        at = dt.datetime.fromtimestamp(observation.at, dt.UTC)
        anyone = Scope(AWS_OWNER, "", uow)  # record_counters acts as each record's owner
        record_counters(anyone, by_endpoint, at)
