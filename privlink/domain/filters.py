"""EC2-style Describe filters: Name/Values with * and ? wildcards, tag:KEY and tag-key."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from privlink import errors

T = TypeVar("T")
# A filter name maps to a function returning the record's value(s) for it.
Getter = Callable[[Any], Any]


@lru_cache(maxsize=1024)
def _pattern(value: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(value), re.DOTALL)


def _matches(actual: Any, wanted: Sequence[str]) -> bool:
    values = actual if isinstance(actual, list | tuple | set) else [actual]
    for value in values:
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        for want in wanted:
            if ("*" in want or "?" in want) and _pattern(want).match(text):
                return True
            if text == want:
                return True
    return False


def apply(
    items: Iterable[T],
    filters: list[dict[str, Any]] | None,
    getters: dict[str, Getter],
    tags: Callable[[Any], dict[str, str]] = lambda item: getattr(item, "tags", {}),
) -> list[T]:
    checks = [
        (_getter(spec.get("Name", ""), getters, tags), list(spec.get("Values") or []))
        for spec in filters or []
    ]
    return [item for item in items if all(_matches(get(item), want) for get, want in checks)]


def _getter(name: str, getters: dict[str, Getter], tags: Callable[[Any], dict[str, str]]) -> Getter:
    if name.startswith("tag:"):
        key = name[4:]
        return lambda item: tags(item).get(key)
    if name == "tag-key":
        return lambda item: list(tags(item))
    if name == "tag-value":
        return lambda item: list(tags(item).values())
    if name in getters:
        return getters[name]
    raise errors.InvalidParameterValue(f"The filter '{name}' is invalid")
