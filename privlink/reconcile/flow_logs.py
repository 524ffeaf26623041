"""Flow log records from observed traffic: aggregation windows, then delivery.

The data plane reports flow deltas at every collection (reconcile/observe.py). Each flow
log aggregates the flows of the interfaces it covers over its own window, as AWS does:
`MaxAggregationInterval` (60 or 600 s), or the collection period when that is shorter
(`PRIVLINK_OBSERVE_SECONDS`, the tests' knob). A window closes when its time is up and its
records are delivered (services/ec2/flowlogs/delivery.py: one log stream per interface,
or one S3 object).
Windows live in memory: the packets of a window still open when privlink stops are not
published, as a record in flight is lost when an AWS host fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from privlink.api import Scope
from privlink.dataplane.flows import FlowCount, Observation
from privlink.services.ec2.flowlogs.delivery import deliver
from privlink.services.ec2.flowlogs.queries import logged_interfaces
from privlink.services.ec2.flowlogs.records import FlowLog
from privlink.services.s3.storage import Storage
from privlink.store.unit import UnitOfWork

FlowId = tuple[str, str, str, int, int, int, str]  # eni, src, dst, sport, dport, proto, action


@dataclass
class Window:
    opened: float
    counts: dict[FlowId, FlowCount] = field(default_factory=dict)

    def add(self, count: FlowCount) -> None:
        key = (
            count.eni_id,
            count.src,
            count.dst,
            count.sport,
            count.dport,
            count.protocol,
            count.action,
        )
        before = self.counts.get(key)
        self.counts[key] = (
            count
            if before is None
            else replace(
                before,
                packets=before.packets + count.packets,
                bytes=before.bytes + count.bytes,
                start=min(before.start, count.start),
                end=max(before.end, count.end),
            )
        )


class FlowLogWindows:
    """The open aggregation window of every flow log that has seen traffic."""

    def __init__(self, cap: float, storage: Storage) -> None:
        self.cap = cap  # no window lasts longer than this (the collection period)
        self.storage = storage  # S3's object bodies, for flow logs to a bucket
        self._open: dict[str, Window] = {}

    def add(self, uow: UnitOfWork, observation: Observation) -> None:
        if not observation.flows:
            return
        logged = logged_interfaces(uow)
        for count in observation.flows:
            for flow_log in logged.get(count.eni_id, []):
                window = self._open.setdefault(flow_log.id, Window(observation.at))
                window.add(count)

    def flush(self, uow: UnitOfWork, now: float) -> None:
        """Deliver every window whose interval is over (forget those of deleted logs)."""
        for flow_log_id, window in list(self._open.items()):
            flow_log = uow.get(FlowLog, flow_log_id)
            if flow_log is None:
                del self._open[flow_log_id]
                continue
            interval = min(float(flow_log.max_aggregation_interval), self.cap)
            if now - window.opened >= interval:
                del self._open[flow_log_id]
                counts = list(window.counts.values())
                deliver(Scope.of(flow_log, uow), self.storage, flow_log, counts)
