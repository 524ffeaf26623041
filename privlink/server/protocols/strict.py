"""Strict output: a handler's answer must fit its operation's output shape exactly.

The serializers walk the output shape and take from a handler's dict only the
members the shape names, so a key that is not there (a typo, a member of
another API version) silently vanishes from the response. With
PRIVLINK_STRICT_OUTPUT=1 (the test harness sets it) such a key fails the call
instead: `UnknownOutputKeys` is not an AwsError, so the gateway logs it with
the key paths and answers InternalError (500). The transaction has already
committed by then; this mode exists to make tests fail, not to protect state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from privlink.errors import AwsError
from privlink.server.protocols.base import Request, Response, WireProtocol

STRICT_OUTPUT_ENV = "PRIVLINK_STRICT_OUTPUT"


def strict_output_requested(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get(STRICT_OUTPUT_ENV, "") == "1"


class UnknownOutputKeys(Exception):
    """A handler answered with members its output shape does not have."""

    def __init__(self, operation: OperationModel, paths: list[str]) -> None:
        self.paths = paths
        service = operation.service_model.service_name
        super().__init__(
            f"{service} {operation.name}: output keys not in the output shape: {', '.join(paths)}"
        )


def unknown_keys(value: Any, shape: Shape | None, where: str = "") -> list[str]:
    """Paths (Member.Sub[0].Key) of everything in `value` that `shape` has no place for."""
    if shape is None:
        return [f"{where}{key}" for key in value] if isinstance(value, Mapping) else []
    if shape.metadata.get("document"):
        return []  # a document holds any JSON
    if isinstance(shape, StructureShape):
        if not isinstance(value, Mapping):
            return [f"{where or '(output)'} (a {type(value).__name__}, not a structure)"]
        found: list[str] = []
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                found.append(f"{where}{key}")
            elif item is not None:
                found += unknown_keys(item, member, f"{where}{key}.")
        return found
    where = where.removesuffix(".")
    if isinstance(shape, ListShape):
        if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
            return [f"{where} (a {type(value).__name__}, not a list)"]
        return [
            path
            for index, item in enumerate(value)
            for path in unknown_keys(item, shape.member, f"{where}[{index}].")
        ]
    if isinstance(shape, MapShape):
        if not isinstance(value, Mapping):
            return [f"{where} (a {type(value).__name__}, not a map)"]
        return [
            path
            for key, item in value.items()
            for path in unknown_keys(item, shape.value, f"{where}.{key}.")
        ]
    return []


class StrictOutput:
    """A wire protocol that refuses to serialize output its shape cannot carry."""

    def __init__(self, inner: WireProtocol) -> None:
        self.inner = inner
        self.name = inner.name

    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None:
        return self.inner.find_operation(service, request)

    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]:
        return self.inner.parse(operation, request)

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        paths = unknown_keys(output, operation.output_shape)
        if paths:
            raise UnknownOutputKeys(operation, paths)
        return self.inner.serialize(operation, output, request_id)

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        return self.inner.serialize_error(service, error, request_id)
