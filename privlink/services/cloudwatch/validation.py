"""CloudWatch's input rules and the errors (codes and messages) it answers them with."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from privlink import errors

MAX_DATAPOINTS = 1440
RESERVED_PREFIX = "AWS/"
PAST = dt.timedelta(days=14)
FUTURE = dt.timedelta(hours=2)


def namespace_for_put(namespace: str) -> None:
    """AWS/ namespaces belong to AWS services: customers cannot publish there."""
    if namespace.startswith(RESERVED_PREFIX):
        raise errors.InvalidParameterValue("The value AWS/ for parameter Namespace is invalid.")


def period(value: int, where: str = "Period") -> None:
    """1, 5, 10, 30 (high resolution) or a multiple of 60 seconds."""
    if value <= 0 or (value < 60 and value not in (1, 5, 10, 30)) or (value >= 60 and value % 60):
        raise errors.InvalidParameterValue(f"The parameter {where} must be a multiple of 60.")


def window(start: dt.datetime, end: dt.datetime) -> None:
    if start >= end:
        raise errors.InvalidParameterValue(
            "The parameter StartTime must be less than the parameter EndTime."
        )


def datapoint_budget(start: dt.datetime, end: dt.datetime, period_s: int) -> None:
    """GetMetricStatistics answers at most 1,440 datapoints a call."""
    wanted = math.ceil((end - start).total_seconds() / period_s)
    if wanted > MAX_DATAPOINTS:
        raise errors.InvalidParameterCombination(
            f"You have requested up to {wanted:,} datapoints, which exceeds the limit of 1,440. "
            "You may reduce the datapoints requested by increasing Period, or decreasing the "
            "time range."
        )


def statistics_choice(statistics: Sequence[str], extended: Sequence[str]) -> None:
    if statistics and extended:
        raise errors.InvalidParameterCombination(
            "Must specify either Statistics or ExtendedStatistics, but not both."
        )
    if not statistics and not extended:
        raise errors.MissingParameter("Must specify either Statistics or ExtendedStatistics.")
    if extended:
        raise errors.InvalidParameterValue(
            "privlink keeps per-minute aggregates, not samples: ExtendedStatistics "
            "(percentiles) are not available; use Statistics."
        )


def timestamp(value: dt.datetime, now: dt.datetime, where: str) -> None:
    if value < now - PAST:
        raise errors.InvalidParameterValue(
            f"The parameter {where}.Timestamp must specify a time within the past two weeks."
        )
    if value > now + FUTURE:
        raise errors.InvalidParameterValue(
            f"The parameter {where}.Timestamp must specify a time no more than two hours in "
            "the future."
        )


def finite(value: float, where: str) -> None:
    """CloudWatch rejects NaN and infinities (and values beyond its range)."""
    if not math.isfinite(value) or abs(value) > 2**360 or (value and abs(value) < 2**-260):
        raise errors.InvalidParameterValue(f"The value {value} for parameter {where} is invalid.")


def dimensions(pairs: Sequence[tuple[str, str]], where: str) -> None:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise errors.InvalidParameterValue(
            f"The parameter {where}.Dimensions contains duplicate dimension names."
        )
