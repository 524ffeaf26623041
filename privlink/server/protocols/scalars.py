"""Scalar conversions shared by the protocols."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from botocore.model import Shape

from privlink import errors


def parse_scalar(raw: Any, shape: Shape, where: str, timestamp_format: str = "iso8601") -> Any:
    """Convert a textual (or JSON) wire value into Python by its shape type."""
    t = shape.type_name
    try:
        if t == "string":
            if not isinstance(raw, str):
                raise ValueError
            return raw
        if t in ("integer", "long"):
            return _integer(raw, t)
        if t in ("float", "double"):
            return float(raw)
        if t == "boolean":
            if isinstance(raw, bool):
                return raw
            lowered = str(raw).lower()
            if lowered not in ("true", "false"):
                raise ValueError
            return lowered == "true"
        if t == "timestamp":
            return parse_timestamp(raw)
        if t == "blob":
            return base64.b64decode(raw, validate=True) if isinstance(raw, str) else bytes(raw)
    except (ValueError, TypeError, binascii.Error, OverflowError, OSError) as exc:
        raise errors.InvalidParameterValue(
            f"Value ({raw}) for parameter {where} is invalid. Expected a {t}."
        ) from exc
    return raw


# What AWS's integer and long members hold; a larger number would overflow the store.
_LIMITS = {"integer": 2**31, "long": 2**63}
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def _integer(raw: Any, type_name: str) -> int:
    """An integer member: ASCII digits only ("²" and "١" pass str.isdigit()), within its
    type's range."""
    if isinstance(raw, bool) or (isinstance(raw, str) and not _ASCII_INTEGER.fullmatch(raw)):
        raise ValueError(raw)
    value = int(raw)
    if not -_LIMITS[type_name] <= value < _LIMITS[type_name]:
        raise ValueError(raw)
    return value


def parse_timestamp(raw: Any) -> dt.datetime:
    if isinstance(raw, int | float) or (isinstance(raw, str) and _is_number(raw)):
        return dt.datetime.fromtimestamp(float(raw), tz=dt.UTC)
    text = str(raw)
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = parsedate_to_datetime(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_timestamp(value: Any, fmt: str) -> Any:
    if isinstance(value, str):
        value = parse_timestamp(value)
    if fmt == "unixTimestamp":
        return round(value.timestamp(), 3)
    if fmt == "rfc822":
        return format_datetime(value.astimezone(dt.UTC), usegmt=True)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{value.microsecond // 1000:03d}Z"
    )


def text_of(value: Any, shape: Shape, timestamp_format: str = "iso8601") -> str:
    """Render a scalar as XML / header text."""
    t = shape.type_name
    if t == "boolean":
        return "true" if value else "false"
    if t == "timestamp":
        return str(
            format_timestamp(value, shape.serialization.get("timestampFormat", timestamp_format))
        )
    if t == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return str(value)
