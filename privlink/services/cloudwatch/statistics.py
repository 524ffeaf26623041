"""Statistics over periods, computed from minute aggregates (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privlink.services.cloudwatch.series import Minute

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@dataclass(frozen=True)
class Bucket:
    """One period's aggregate: what every statistic is computed from."""

    start: int
    unit: str
    count: float
    total: float
    minimum: float
    maximum: float

    def value(self, statistic: str) -> float:
        if statistic == "SampleCount":
            return self.count
        if statistic == "Sum":
            return self.total
        if statistic == "Minimum":
            return self.minimum
        if statistic == "Maximum":
            return self.maximum
        return self.total / self.count if self.count else 0.0

    def join(self, other: Bucket) -> Bucket:
        return Bucket(
            self.start,
            self.unit,
            self.count + other.count,
            self.total + other.total,
            min(self.minimum, other.minimum),
            max(self.maximum, other.maximum),
        )


def buckets(minutes: Iterable[Minute], start: int, period: int) -> list[Bucket]:
    """Fold minute aggregates into periods starting at `start`, oldest first.

    Different units stay apart within a period, as GetMetricStatistics answers one
    datapoint per unit; `merged` joins them where one value per period is wanted."""
    folded: dict[tuple[int, str], Bucket] = {}
    for m in minutes:
        at = start + (m.start - start) // period * period
        bucket = Bucket(at, m.unit, m.count, m.total, m.minimum, m.maximum)
        old = folded.get((at, m.unit))
        folded[(at, m.unit)] = bucket if old is None else old.join(bucket)
    return sorted(folded.values(), key=lambda b: (b.start, b.unit))


def merged(found: Iterable[Bucket]) -> list[Bucket]:
    """One bucket per period across units (GetMetricData without a Unit evaluates all the
    units published for the metric together)."""
    out: dict[int, Bucket] = {}
    for b in found:
        old = out.get(b.start)
        out[b.start] = b if old is None else old.join(b)
    return [out[k] for k in sorted(out)]
