"""IAM's input rules for names, paths, descriptions, tags and MaxItems, in its words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from privlink import errors
from privlink.services.shared import tags as tag_rules

_NAME = re.compile(r"^[\w+=,.@-]+$")
_PATH = re.compile(r"^/([\x21-\x7e]*/)?$")
_DESCRIPTION = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*$")
_TAG = re.compile(r"^[\w\s.:/=+\-@]*$")
_TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"


def _too_long(member: str, limit: int) -> errors.AwsError:
    return errors.ValidationError(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def name(value: str, member: str, limit: int) -> str:
    """Role and policy names: 1-`limit` characters of [\\w+=,.@-]."""
    if len(value) > limit:
        raise _too_long(member, limit)
    if not _NAME.match(value):
        raise errors.ValidationError(
            f"The specified value for {member} is invalid. It must contain only alphanumeric "
            "characters and/or the following: +=,.@_-"
        )
    return value


def path(value: str | None, member: str = "path") -> str:
    if value is None:
        return "/"
    if len(value) > 512:
        raise _too_long(member, 512)
    if not _PATH.match(value):
        raise errors.ValidationError(
            f"The specified value for {member} is invalid. It must begin and end with / and "
            "contain only alphanumeric characters and/or / characters."
        )
    return value


def path_prefix(value: str | None) -> str:
    if value is None:
        return "/"
    if not value.startswith("/") or len(value) > 512:
        raise errors.ValidationError(
            "The specified value for pathPrefix is invalid. It must begin with / and contain "
            "only alphanumeric characters and/or / characters."
        )
    return value


def description(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > 1000:
        raise _too_long("description", 1000)
    if not _DESCRIPTION.match(value):
        raise errors.ValidationError(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*"
        )
    return value


def max_session_duration(value: int | None) -> int:
    if value is None:
        return 3600
    for bound, holds, word in ((3600, value >= 3600, "greater"), (43200, value <= 43200, "less")):
        if not holds:
            raise errors.ValidationError(
                "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy "
                f"constraint: Member must have value {word} than or equal to {bound}"
            )
    return value


def max_items(value: int | None) -> int:
    if value is None:
        return 100
    if not 1 <= value <= 1000:
        word, bound = ("greater", 1) if value < 1 else ("less", 1000)
        raise errors.ValidationError(
            "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: "
            f"Member must have value {word} than or equal to {bound}"
        )
    return value


def _bad_tag(key: str) -> errors.AwsError:
    return errors.ValidationError(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must "
        f"satisfy regular expression pattern: {_TAG_PATTERN}"
    )


TAG_ERRORS = tag_rules.TagErrors(
    bad_key=_bad_tag,
    bad_value=_bad_tag,
    too_many=lambda n: errors.LimitExceeded("The number of tags has reached the maximum limit."),
)


def tags(
    raw: Iterable[Mapping[str, Any]] | None, current: Mapping[str, str] = {}
) -> dict[str, str]:
    """The tag set after adding `raw` to `current` (IAM keys are case-insensitive)."""
    merged = dict(current)
    seen: set[str] = set()
    for tag in raw or []:
        key, value = tag.get("Key") or "", tag.get("Value") or ""
        if key.lower() in seen:
            raise errors.InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())
        if not _TAG.match(key) or not _TAG.match(value):
            raise _bad_tag(key)
        for existing in [k for k in merged if k.lower() == key.lower()]:
            del merged[existing]
        merged[key] = value
    tag_rules.check(merged, TAG_ERRORS)
    return merged
