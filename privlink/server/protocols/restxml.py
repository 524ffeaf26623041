"""The rest-xml protocol (Amazon S3): operations by method, URI template, query and headers.

Input members come from URI labels, the query string, headers (and header
maps such as `x-amz-meta-*`) and the payload member: an XML document whose
elements are named by the model, a raw string, or a streaming blob, which
the gateway has already spooled to a file (`SpooledBody`, see spool.py).
Output goes the same way back; a streaming blob payload is any object with
`open_range()` (the service's stored body), sent in chunks by the gateway.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any, Protocol
from urllib.parse import parse_qs, unquote

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from privlink import errors
from privlink.errors import AwsError
from privlink.server.protocols.base import Request, Response
from privlink.server.protocols.scalars import parse_scalar, text_of
from privlink.server.protocols.xmltext import header_text, xml_text

# Query keys that name no operation (SDK hints such as ?x-id=GetObject).
_IGNORED_QUERY = {"x-id"}


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    fixed: frozenset[str]  # query keys the URI template requires (?versioning, ?uploads)
    required: tuple[tuple[str, str], ...]  # (location, wire name) of required query/header members
    operation: OperationModel


class BodySource(Protocol):
    """What a handler returns as a streaming payload: it opens the bytes to send."""

    def open_range(self) -> tuple[IO[bytes], int]: ...


@dataclass
class FileResponse(Response):
    """A response whose body streams from an open file: `length` bytes from its position."""

    file: IO[bytes] | None = None
    length: int = 0


@dataclass
class SpooledRequest(Request):
    """A request whose streaming payload the gateway has already written to a file."""

    spooled: Any = None  # a spool.SpooledBody


def _pattern(path: str) -> re.Pattern[str]:
    pattern = "^"
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            label = part[1:-1]
            pattern += f"(?P<{label[:-1]}>.+)" if label.endswith("+") else f"(?P<{label}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(pattern + ("$" if path.endswith("+}") else "/?$"))


@lru_cache(maxsize=8)
def routes(service: ServiceModel) -> list[Route]:
    """Every operation's route, the most specific first (fixed query keys, then required)."""
    found: list[Route] = []
    for name in service.operation_names:
        operation = service.operation_model(name)
        path, _, query = operation.http.get("requestUri", "/").partition("?")
        fixed = frozenset(parse_qs(query, True)) - _IGNORED_QUERY
        required: list[tuple[str, str]] = []
        shape = operation.input_shape
        for member in shape.required_members if shape is not None else []:
            ser = shape.members[member].serialization if shape is not None else {}
            location, wire = ser.get("location"), ser.get("name", member)
            if location in ("querystring", "header"):
                required.append((location, wire.lower() if location == "header" else wire))
        method = operation.http.get("method", "GET")
        found.append(Route(method, _pattern(path), fixed, tuple(required), operation))
    found.sort(key=lambda r: (-len(r.fixed), -len(r.required)))
    return found


def _query(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.query_string, keep_blank_values=True)


class RestXmlProtocol:
    name = "rest-xml"

    # --- routing -----------------------------------------------------------
    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None:
        query = _query(request)
        for route in routes(service):
            if route.method != request.method or not route.pattern.match(request.path):
                continue
            if not route.fixed <= query.keys():
                continue
            present = all(
                (name in query) if where == "querystring" else (name in request.headers)
                for where, name in route.required
            )
            if present:
                return route.operation
        raise errors.MethodNotAllowed()

    # --- parsing -----------------------------------------------------------
    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        route = next(r for r in routes(operation.service_model) if r.operation is operation)
        match = route.pattern.match(request.path)
        labels = {k: unquote(v) for k, v in (match.groupdict() if match else {}).items()}
        query = _query(request)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            value = self._member(member, name, labels, query, request.headers)
            if value is not None:
                out[name] = value
        payload = shape.serialization.get("payload")
        if payload:
            value = self._payload(shape.members[payload], request)
            if value is not None:
                out[payload] = value
        return out

    def _member(
        self,
        member: Shape,
        name: str,
        labels: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, str],
    ) -> Any:
        location = member.serialization.get("location")
        key = member.serialization.get("name", name)
        if location == "uri":
            return parse_scalar(labels[key], member, key) if key in labels else None
        if location == "querystring" and key in query:
            if isinstance(member, ListShape):
                return [parse_scalar(v, member.member, key) for v in query[key]]
            return parse_scalar(query[key][0], member, key)
        if location == "header" and key.lower() in headers:
            return parse_scalar(headers[key.lower()], member, key, "rfc822")
        if location == "headers":
            prefix = key.lower()
            found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            return found or None
        return None

    def _payload(self, member: Shape, request: Request) -> Any:
        if member.serialization.get("streaming") or (
            member.type_name == "blob" and isinstance(request, SpooledRequest)
        ):
            return request.spooled if isinstance(request, SpooledRequest) else None
        if not request.body:
            return None
        if member.type_name in ("string", "blob"):
            text = request.body.decode("utf-8", "replace")
            return text if member.type_name == "string" else request.body
        try:
            root = ET.fromstring(request.body)
        except ET.ParseError as exc:
            raise errors.MalformedXML() from exc
        return _from_xml(root, member)

    # --- serializing --------------------------------------------------------
    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        status = int(operation.http.get("responseCode", 200))
        headers = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
        shape = operation.output_shape
        if shape is None:
            return Response(status, b"", headers)
        _headers_out(shape, output, headers)
        if "content-range" in headers:
            status = 206
        payload = shape.serialization.get("payload")
        if payload:
            return _payload_response(status, shape.members[payload], output.get(payload), headers)
        namespace = operation.service_model.metadata.get("xmlNamespace") or _NAMESPACE
        if operation.name == "GetBucketLocation":
            # botocore reads the region from the root element's text (its own customization).
            body = _element("LocationConstraint", output.get("LocationConstraint") or "", namespace)
            return _xml_response(status, body, headers)
        members = [m for m in shape.members.values() if not m.serialization.get("location")]
        if not members:
            return Response(status, b"", headers)
        root = shape.serialization.get("name") or operation.name.removesuffix("V2") + "Result"
        out = [f'<{root} xmlns="{namespace}">']
        _xml_members(out, output, shape)
        out.append(f"</{root}>")
        return _xml_response(status, "".join(out), headers)

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        details = "".join(
            f"<{k}>{xml_text(v)}</{k}>" for k, v in getattr(error, "details", {}).items()
        )
        body = (
            f"<Error><Code>{xml_text(error.code)}</Code><Message>{xml_text(error.message)}</Message>"
            f"{details}<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        )
        headers = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
        return _xml_response(error.status, body, headers)


_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"


def _xml_response(status: int, body: str, headers: dict[str, str]) -> Response:
    headers["content-type"] = "application/xml"
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return Response(status, text.encode(), headers)


def _element(tag: str, text: str, namespace: str) -> str:
    return f'<{tag} xmlns="{namespace}">{xml_text(text)}</{tag}>'


def _headers_out(shape: StructureShape, output: dict[str, Any], headers: dict[str, str]) -> None:
    for name, member in shape.members.items():
        value = output.get(name)
        location = member.serialization.get("location")
        if value is None or location not in ("header", "headers"):
            continue
        key = member.serialization.get("name", name).lower()
        if location == "headers":
            headers.update({f"{key}{k}".lower(): header_text(str(v)) for k, v in value.items()})
        else:
            headers[key] = header_text(text_of(value, member, "rfc822"))


def _payload_response(status: int, member: Shape, value: Any, headers: dict[str, str]) -> Response:
    if value is None:
        return Response(status, b"", headers)
    if member.serialization.get("streaming"):
        if isinstance(value, bytes):
            return Response(status, value, headers)
        file, length = value.open_range()
        return FileResponse(status, b"", headers, file=file, length=length)
    if member.type_name == "string":
        return Response(status, str(value).encode(), headers)
    if member.type_name == "blob":
        return Response(status, bytes(value), headers)
    tag = member.serialization.get("name", member.name)
    out = [f'<{tag} xmlns="{_NAMESPACE}">']
    _xml_members(out, value, member)  # type: ignore[arg-type]
    out.append(f"</{tag}>")
    return _xml_response(status, "".join(out), headers)


def _xml_members(out: list[str], data: dict[str, Any], shape: StructureShape) -> None:
    for name, member in shape.members.items():
        value = data.get(name)
        if value is None or member.serialization.get("location"):
            continue
        _xml(out, member.serialization.get("name", name), value, member)


def _xml(out: list[str], tag: str, value: Any, shape: Shape) -> None:
    if isinstance(shape, StructureShape):
        out.append(f"<{tag}>")
        _xml_members(out, value, shape)
        out.append(f"</{tag}>")
    elif isinstance(shape, ListShape):
        if shape.serialization.get("flattened"):
            for item in value:
                _xml(out, tag, item, shape.member)
            return
        item_tag = shape.member.serialization.get("name", "member")
        out.append(f"<{tag}>")
        for item in value:
            _xml(out, item_tag, item, shape.member)
        out.append(f"</{tag}>")
    elif isinstance(shape, MapShape):
        out.append(f"<{tag}>")
        for key, item in value.items():
            out.append(f"<entry><key>{xml_text(str(key))}</key>")
            _xml(out, "value", item, shape.value)
            out.append("</entry>")
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{xml_text(text_of(value, shape))}</{tag}>")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _from_xml(node: ET.Element, shape: Shape) -> Any:
    """An element's value by the shape (namespaces ignored, as S3 does)."""
    if isinstance(shape, StructureShape):
        out: dict[str, Any] = {}
        children = list(node)
        for name, member in shape.members.items():
            tag = member.serialization.get("name", name)
            if isinstance(member, ListShape) and member.serialization.get("flattened"):
                items = [c for c in children if _local(c.tag) == tag]
                if items:
                    out[name] = [_from_xml(c, member.member) for c in items]
                continue
            child = next((c for c in children if _local(c.tag) == tag), None)
            if child is not None:
                out[name] = _from_xml(child, member)
        return out
    if isinstance(shape, ListShape):
        return [_from_xml(child, shape.member) for child in node]
    if isinstance(shape, MapShape):
        raise errors.MalformedXML()
    return parse_scalar((node.text or "").strip(), shape, _local(node.tag))


REST_XML_PROTOCOL = RestXmlProtocol()
