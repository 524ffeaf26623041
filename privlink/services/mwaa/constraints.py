"""Input constraints of the MWAA model (lengths, ranges, patterns, enums), in AWS's words.

The gateway checks only required members; MWAA's front end checks the rest of
the model before anything else and lists every violation at once:
"2 validation errors detected: Value 'x' at 'name' failed to satisfy constraint:
...; Value ...". Driven by botocore's shapes, so the rules are the model's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

from privlink import errors


@lru_cache(maxsize=1)
def model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("mwaa")


def _wire_path(path: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{path}.{member}" if path else member


def _shown(value: Any, shape: Shape) -> str:
    if shape.serialization.get("sensitive") or shape.metadata.get("sensitive"):
        return "***"
    return str(value)


@lru_cache(maxsize=256)
def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    """The model's pattern (Java syntax, matched whole); None when Python cannot read it
    (\\p{...} classes): such members are left to the operations' own checks."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _say(found: list[str], shown: str, path: str, rule: str) -> None:
    found.append(f"Value '{shown}' at '{path}' failed to satisfy constraint: Member must {rule}")


def _scalar(value: Any, shape: Shape, path: str, found: list[str]) -> None:
    meta = shape.metadata
    shown = _shown(value, shape)
    if isinstance(value, str):
        if "min" in meta and len(value) < meta["min"]:
            _say(found, shown, path, f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            _say(found, shown, path, f"have length less than or equal to {meta['max']}")
        pattern = _compiled(meta.get("pattern"))
        if pattern is not None and not pattern.fullmatch(value):
            _say(found, shown, path, f"satisfy regular expression pattern: {meta['pattern']}")
        if shape.enum and value not in shape.enum:
            _say(found, shown, path, f"satisfy enum value set: [{', '.join(shape.enum)}]")
    elif isinstance(value, int) and not isinstance(value, bool):
        if "min" in meta and value < meta["min"]:
            _say(found, shown, path, f"have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            _say(found, shown, path, f"have value less than or equal to {meta['max']}")


def _walk(value: Any, shape: Shape, path: str, found: list[str]) -> None:
    if value is None:
        return
    meta = shape.metadata
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, member in shape.members.items():
            _walk(value.get(name), member, _wire_path(path, name), found)
    elif isinstance(shape, ListShape | MapShape) and isinstance(value, list | dict):
        if "min" in meta and len(value) < meta["min"]:
            _say(found, _listed(value), path, f"have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            _say(found, _listed(value), path, f"have length less than or equal to {meta['max']}")
        if isinstance(shape, ListShape) and isinstance(value, list):
            for item in value:
                _walk(item, shape.member, f"{path}.member", found)
        elif isinstance(shape, MapShape) and isinstance(value, dict):
            for key, item in value.items():
                _walk(key, shape.key, f"{path}.key", found)
                _walk(item, shape.value, f"{path}.value", found)
    else:
        _scalar(value, shape, path, found)


def _listed(value: list[Any] | dict[Any, Any]) -> str:
    return "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else str(value)


def check(operation: str, params: dict[str, Any]) -> None:
    """ValidationException listing every violation of the operation's input shape."""
    shape = model().operation_model(operation).input_shape
    if shape is None:
        return
    found: list[str] = []
    _walk(params, shape, "", found)
    if found:
        noun = "error" if len(found) == 1 else "errors"
        raise errors.ValidationException(
            f"{len(found)} validation {noun} detected: " + "; ".join(found)
        )
