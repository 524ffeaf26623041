"""Tag rules, once: what AWS allows in a tag set, in each service's error vocabulary.

Every AWS service allows 50 tags per resource, keys of 1-128 characters
that do not begin with "aws:", values of up to 256. Services differ only in
how they say no, so each passes its own `TagErrors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from privlink import errors

MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256


@dataclass(frozen=True)
class TagErrors:
    """How a service refuses a tag set: each takes the offending key (or the count)."""

    bad_key: Callable[[str], errors.AwsError]
    bad_value: Callable[[str], errors.AwsError]
    too_many: Callable[[int], errors.AwsError]
    duplicate: Callable[[str], errors.AwsError] | None = None  # None: last one wins


def check(tags: Mapping[str, str], refuse: TagErrors) -> None:
    if len(tags) > MAX_TAGS:
        raise refuse.too_many(len(tags))
    for key, value in tags.items():
        if not key or len(key) > MAX_KEY or key.lower().startswith("aws:"):
            raise refuse.bad_key(key)
        if len(value) > MAX_VALUE:
            raise refuse.bad_value(key)


def from_list(raw: Iterable[Mapping[str, Any]] | None, refuse: TagErrors) -> dict[str, str]:
    """A request's [{Key, Value}] list as a dict, checked."""
    tags: dict[str, str] = {}
    for tag in raw or []:
        key = tag.get("Key") or ""
        if key in tags and refuse.duplicate is not None:
            raise refuse.duplicate(key)
        tags[key] = tag.get("Value") or ""
    check(tags, refuse)
    return tags


def to_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The [{Key, Value}] wire form (an empty list is sent, as AWS sends it)."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]
