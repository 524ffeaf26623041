"""The rest-json protocol: operations routed by HTTP method and URI template.

Input members come from the URI labels, the query string, headers and the
JSON body, as each member's `location` says; output members marked as
headers go to headers, the rest to the body.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote

from botocore.model import ListShape, OperationModel, ServiceModel, Shape

from privlink import errors
from privlink.errors import AwsError
from privlink.server.protocols.base import Request, Response
from privlink.server.protocols.jsonshapes import from_json, to_json
from privlink.server.protocols.scalars import parse_scalar, text_of
from privlink.server.protocols.xmltext import header_text

Route = tuple[str, re.Pattern[str], dict[str, str], OperationModel]


@lru_cache(maxsize=64)
def _routes(service: ServiceModel) -> list[Route]:
    routes: list[Route] = []
    for name in service.operation_names:
        operation = service.operation_model(name)
        uri = operation.http.get("requestUri", "/")
        path, _, fixed_query = uri.partition("?")
        pattern = "^"
        parts = re.split(r"(\{[^}]+\})", path)
        for index, part in enumerate(parts):
            if part.startswith("{"):
                label = part[1:-1]
                # A label that ends the path takes the rest of it: the gateway sees the path
                # decoded, and an ARN (/tags/{ResourceArn}) arrives with its %2F as "/".
                last = index == len(parts) - 1 or (index == len(parts) - 2 and not parts[-1])
                if label.endswith("+") or last:
                    label = label.rstrip("+")
                    pattern += f"(?P<{label}>.+)"
                else:
                    pattern += f"(?P<{label}>[^/]+)"
            else:
                pattern += re.escape(part)
        pattern += "/?$"
        fixed = {k: v[0] if v else "" for k, v in parse_qs(fixed_query, True).items()}
        routes.append((operation.http.get("method", "POST"), re.compile(pattern), fixed, operation))
    # Literal-rich paths first, so /a/b beats /a/{x}.
    routes.sort(key=lambda r: -len(r[1].pattern.replace("[^/]+", "")))
    return routes


class RestJsonProtocol:
    name = "rest-json"

    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None:
        query = parse_qs(request.query_string, True)
        for method, pattern, fixed, operation in _routes(service):
            if method != request.method or not pattern.match(request.path):
                continue
            if all(key in query for key in fixed):
                return operation
        raise errors.UnknownOperationException(
            f"No operation matches {request.method} {request.path}"
        )

    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        match = next(
            p.match(request.path)
            for m, p, _, op in _routes(operation.service_model)
            if op is operation
        )
        labels = {k: unquote(v) for k, v in (match.groupdict() if match else {}).items()}
        query = parse_qs(request.query_string, True)
        out: dict[str, Any] = {}
        body_members = []
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            key = member.serialization.get("name", name)
            if location == "uri" and key in labels:
                out[name] = parse_scalar(labels[key], member, key)
            elif location == "querystring" and key in query:
                out[name] = self._query_value(query[key], member, key)
            elif location == "header" and key.lower() in request.headers:
                out[name] = parse_scalar(request.headers[key.lower()], member, key)
            elif location is None:
                body_members.append(name)
        payload = shape.serialization.get("payload")
        if request.body:
            try:
                document = json.loads(request.body)
            except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested
                raise errors.SerializationException("Request body is not valid JSON") from exc
            if payload:
                out[payload] = from_json(document, shape.members[payload], payload)
            else:
                parsed = from_json(document, shape, "") or {}
                out.update({k: v for k, v in parsed.items() if k in body_members})
        return out

    def _query_value(self, values: list[str], shape: Shape, key: str) -> Any:
        if isinstance(shape, ListShape):
            return [parse_scalar(v, shape.member, key) for v in values]
        return parse_scalar(values[0], shape, key)

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        status = int(operation.http.get("responseCode", 200))
        headers = {"content-type": "application/json", "x-amzn-requestid": request_id}
        shape = operation.output_shape
        if shape is None:
            return Response(status, b"{}", headers)
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header" and output.get(name) is not None:
                text = text_of(output[name], member, "rfc822")
                headers[member.serialization.get("name", name).lower()] = header_text(text)
        payload = shape.serialization.get("payload")
        if payload:
            value = output.get(payload)
            body = to_json(value, shape.members[payload]) if value is not None else {}
        else:
            body = to_json(output, shape)
        return Response(status, json.dumps(body).encode(), headers)

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        headers = {
            "content-type": "application/json",
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": error.code,
        }
        body = {"message": error.message, "Message": error.message}
        body.update(getattr(error, "details", {}))  # members of the error's shape
        return Response(error.status, json.dumps(body).encode(), headers)


REST_JSON_PROTOCOL = RestJsonProtocol()
