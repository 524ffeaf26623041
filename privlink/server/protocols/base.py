"""Request/response carriers and the protocol interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl

from botocore.model import OperationModel, ServiceModel

from privlink import errors
from privlink.errors import AwsError


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def form(self, strict: bool = True) -> dict[str, str]:
        """Query-string and form-body parameters merged (the query/ec2 protocols' input).

        `strict=False` reads a body that is not UTF-8 anyway (bad bytes replaced): enough
        to tell which service a request is for (its Version), so that the error about the
        body comes in that service's protocol."""
        params = dict(parse_qsl(self.query_string, keep_blank_values=True))
        ctype = self.headers.get("content-type", "")
        if self.body and (not ctype or "x-www-form-urlencoded" in ctype):
            try:
                text = self.body.decode("utf-8", "strict" if strict else "replace")
            except UnicodeDecodeError as exc:  # a client error, not a crash
                raise errors.InvalidParameterValue(
                    "The request body is not valid UTF-8 form data."
                ) from exc
            params.update(parse_qsl(text, keep_blank_values=True))
        return params


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class WireProtocol(Protocol):
    name: str

    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None: ...

    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]: ...

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response: ...

    def serialize_error(
        self, service: ServiceModel, error: AwsError, request_id: str
    ) -> Response: ...
