"""Shape-driven conversion between JSON documents and Python values (json, rest-json)."""

from __future__ import annotations

import base64
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from privlink import errors
from privlink.server.protocols.scalars import format_timestamp, parse_scalar


def from_json(value: Any, shape: Shape, where: str) -> Any:
    if shape.metadata.get("document"):
        return value  # a document shape (InvokeRestApi's Body): any JSON, as it came
    if value is None:
        return None
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise errors.SerializationException(f"{where or 'body'} must be an object")
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            key = member.serialization.get("name", name)
            if key in value and value[key] is not None:
                out[name] = from_json(value[key], member, f"{where}.{key}" if where else key)
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise errors.SerializationException(f"{where} must be a list")
        return [from_json(item, shape.member, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise errors.SerializationException(f"{where} must be an object")
        return {k: from_json(v, shape.value, f"{where}.{k}") for k, v in value.items()}
    if shape.type_name in ("integer", "long", "float", "double") and isinstance(value, str):
        raise errors.SerializationException(f"{where} must be a number")
    if shape.type_name == "boolean" and not isinstance(value, bool):
        raise errors.SerializationException(f"{where} must be a boolean")
    return parse_scalar(value, shape, where)


def to_json(value: Any, shape: Shape) -> Any:
    if shape.metadata.get("document"):
        return value
    if isinstance(shape, StructureShape):
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None or member.serialization.get("location"):
                continue
            out[member.serialization.get("name", name)] = to_json(item, member)
        return out
    if isinstance(shape, ListShape):
        return [to_json(item, shape.member) for item in value]
    if isinstance(shape, MapShape):
        return {str(k): to_json(v, shape.value) for k, v in value.items()}
    if shape.type_name == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", "unixTimestamp"))
    if shape.type_name == "blob":
        raw = value.encode() if isinstance(value, str) else value
        return base64.b64encode(raw).decode()
    return value
