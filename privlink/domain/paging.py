"""MaxResults/NextToken pagination over an ordered list: the token is the next item's id."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import TypeVar

from privlink import errors

T = TypeVar("T")


def page(
    items: Sequence[T],
    max_results: int | None,
    next_token: str | None,
    key: Callable[[T], str],
    limits: tuple[int, int] = (5, 1000),
) -> tuple[list[T], str | None]:
    start = 0
    if next_token:
        try:
            marker = base64.urlsafe_b64decode(next_token.encode()).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.InvalidPaginationToken(f"Invalid pagination token: {next_token}") from exc
        positions = [i for i, item in enumerate(items) if key(item) == marker]
        if not positions:
            raise errors.InvalidPaginationToken(f"Invalid pagination token: {next_token}")
        start = positions[0]
    if max_results is None:
        return list(items[start:]), None
    low, high = limits
    if not low <= max_results <= high:
        raise errors.InvalidParameterValue(
            f"Value ( {max_results} ) for parameter maxResults is invalid. "
            f"Expecting a value greater than {low - 1} and less than or equal to {high}."
        )
    chunk = list(items[start : start + max_results])
    end = start + max_results
    token = (
        base64.urlsafe_b64encode(key(items[end]).encode()).decode() if end < len(items) else None
    )
    return chunk, token
