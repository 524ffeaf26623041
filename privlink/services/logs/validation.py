"""CloudWatch Logs' input rules, in its words (InvalidParameterException for all of them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from privlink import errors
from privlink.domain import paging
from privlink.services.shared import tags as tag_rules

T = TypeVar("T")

GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
STREAM_PATTERN = r"[^:*]*"
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip
_TAG = re.compile(r"^[\w\s.:/=+\-@]*$")


def invalid(value: Any, member: str, constraint: str) -> errors.AwsError:
    return errors.LogsInvalidParameter(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _named(value: str, member: str, pattern: str) -> str:
    if len(value) > 512:
        raise invalid(value, member, "Member must have length less than or equal to 512")
    if not value or not re.fullmatch(pattern, value):
        raise invalid(value, member, f"Member must satisfy regular expression pattern: {pattern}")
    return value


def group_name(value: str, member: str = "logGroupName") -> str:
    return _named(value, member, GROUP_PATTERN)


def stream_name(value: str, member: str = "logStreamName") -> str:
    return _named(value, member, STREAM_PATTERN)


def retention(days: int) -> int:
    if days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        raise invalid(days, "retentionInDays", f"Member must satisfy enum value set: [{allowed}]")
    return days


def limit(value: int | None, high: int, default: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise invalid(value, "limit", "Member must have value greater than or equal to 1")
    if value > high:
        raise invalid(value, "limit", f"Member must have value less than or equal to {high}")
    return value


def page(
    items: Sequence[T], params: Mapping[str, Any], key: Callable[[T], str], high: int = 50
) -> tuple[list[T], str | None]:
    """Describe* paging: `limit` items (50 at most and by default) and an opaque nextToken."""
    size = limit(params.get("limit"), high, high)
    try:
        return paging.page(items, size, params.get("nextToken"), key, (1, high))
    except errors.InvalidPaginationToken as exc:
        raise errors.LogsInvalidParameter("The specified nextToken is invalid.") from exc


def _bad_tag(key: str) -> errors.AwsError:
    return invalid(
        key,
        "tags",
        r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$",
    )


TAG_ERRORS = tag_rules.TagErrors(
    bad_key=_bad_tag,
    bad_value=_bad_tag,
    too_many=lambda n: errors.LogsInvalidParameter(
        f"Tags can not be more than {tag_rules.MAX_TAGS}"
    ),
)


def tags(raw: Mapping[str, str] | None, current: Mapping[str, str] = {}) -> dict[str, str]:
    """`current` with `raw` added, checked."""
    merged = {**current, **(raw or {})}
    for key, value in (raw or {}).items():
        if not _TAG.match(key) or not _TAG.match(value):
            raise _bad_tag(key)
    tag_rules.check(merged, TAG_ERRORS)
    return merged
