"""SNS wire rules shared by the handlers: NextToken paging, tag lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from privlink import errors
from privlink.domain import paging
from privlink.services.shared import tags
from privlink.services.sns.operations.tags import TAG_ERRORS

T = TypeVar("T")
PAGE_SIZE = 100


def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """SNS lists return 100 items per page with an opaque NextToken."""
    try:
        return paging.page(items, PAGE_SIZE, params.get("NextToken"), key)
    except errors.InvalidPaginationToken as exc:
        raise errors.SnsInvalidParameter("NextToken") from exc


def tag_list(raw: list[dict[str, Any]] | None) -> dict[str, str]:
    """A request's Tags list, checked in SNS's vocabulary."""
    return tags.from_list(raw, TAG_ERRORS)
