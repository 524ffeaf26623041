"""ELBv2 wire rules shared by the handlers: Describe* selection (by ARN or name),
Marker/PageSize paging, TagList parsing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from privlink import errors
from privlink.domain import paging
from privlink.services.elbv2.operations.tags import TAG_ERRORS
from privlink.services.shared import tags

T = TypeVar("T")


def select(
    items: list[T],
    wanted: list[str] | None,
    key: Callable[[T], str],
    not_found: Callable[[str], errors.AwsError],
) -> list[T]:
    """Items whose key is in `wanted` (in the caller's order), or all when nothing is asked.

    A missing one fails the whole call, naming every missing one, as ELBv2's Describe* do.
    """
    if not wanted:
        return items
    by_key = {key(item): item for item in items}
    missing = [w for w in wanted if w not in by_key]
    if missing:
        raise not_found(", ".join(missing))
    return [by_key[w] for w in dict.fromkeys(wanted)]


def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """ELBv2's Marker/PageSize (1-400) over an ordered list; errors are ValidationErrors."""
    size = params.get("PageSize")
    if size is not None and not 1 <= size <= 400:
        raise errors.ElbValueOutOfRange(str(size), "pageSize", "1", "400")
    try:
        return paging.page(items, size, params.get("Marker"), key, limits=(1, 400))
    except errors.InvalidPaginationToken as exc:
        raise errors.ElbMarkerInvalid(str(params.get("Marker"))) from exc


def tag_list(raw: list[dict[str, Any]] | None) -> dict[str, str]:
    """A request's TagList, checked in ELBv2's vocabulary."""
    return tags.from_list(raw, TAG_ERRORS)
