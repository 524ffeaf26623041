"""What the data plane observed of real traffic: pure data, no I/O.

The Linux driver counts packets in the kernel (nftables sets and counters, conntrack) and
hands one `Observation` per collection to the controller that publishes VPC Flow Logs and
PrivateLink metrics (reconcile/observe.py). Flow counts are *deltas* since the previous
collection (the driver keeps the kernel's cumulative counters); endpoint interface
counters are *cumulative* (CloudWatch's `record_endpoint_counters` takes totals and
notices a restart by a total going down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Action = Literal["ACCEPT", "REJECT"]
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


@dataclass(frozen=True)
class FlowCount:
    """Packets of one direction of one 5-tuple seen on one interface since the previous
    collection, and whether its security groups let them through (AWS's `action`).
    `start`/`end`: seconds since the epoch of the window's first and last packet."""

    eni_id: str
    src: str
    dst: str
    sport: int
    dport: int
    protocol: int  # IANA number, as flow logs print it
    action: Action
    packets: int
    bytes: int
    start: int
    end: int


@dataclass(frozen=True)
class EniCounters:
    """One endpoint interface's kernel counters: `active` now, the rest cumulative."""

    endpoint_id: str
    eni_id: str
    subnet_id: str
    active: int = 0
    new: int = 0
    bytes: int = 0
    dropped: int = 0
    rst: int = 0


@dataclass(frozen=True)
class Observation:
    """One collection: when it was taken (seconds since the epoch), the flows of the
    interfaces that have a flow log, and the counters of every active endpoint's ENIs."""

    at: float = 0.0
    flows: tuple[FlowCount, ...] = ()
    endpoints: tuple[EniCounters, ...] = field(default_factory=tuple)
