"""The form of EC2 resource ids: a kind prefix and 8 or 17 hex digits.

An id of the wrong form is refused before any lookup with the kind's
Malformed error (AWS checks the form first: `vpc-zzz` is malformed, a
well-formed id nobody has is NotFound).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from privlink import errors

_HEX_ID = re.compile(r"^([a-z]+(?:-[a-z]+)?)-([0-9a-f]{8}|[0-9a-f]{17})$")


def split_id(value: str) -> str | None:
    """The prefix of a well-formed resource id ("vpce-svc" for vpce-svc-0123...), else None."""
    match = _HEX_ID.match(value)
    return match.group(1) if match else None


def malformed(error: type[errors.AwsError], value: str, prefix: str) -> errors.AwsError:
    """The kind's Malformed error for `value` (errors not built from ids get AWS's wording)."""
    if issubclass(error, errors.IdMalformed):
        return error(value)
    return error.because(f'Invalid id: "{value}" (expecting "{prefix}-...")')


def check_id(value: str, prefix: str, error: type[errors.AwsError]) -> None:
    """Refuse an id that is not of the form `prefix-<hex>` with the kind's Malformed error."""
    if split_id(value) != prefix:
        raise malformed(error, value, prefix)


def checker(prefix: str, error: type[errors.AwsError]) -> Callable[[str], None]:
    """`check_id` for one kind, as the Describe pipeline takes it."""
    return lambda value: check_id(value, prefix, error)
