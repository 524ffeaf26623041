"""What every answer must be: no 5xx (but 501 NotImplemented), well-formed in the
protocol's shape, with a request id, and readable by botocore's own parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.model import OperationModel
from botocore.parsers import create_parser


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_error_code(root: ET.Element, protocol: str) -> str | None:
    """The error code where botocore looks for it, or None if the shape is wrong."""
    if protocol == "ec2":
        if root.tag != "Response" or root.find("./Errors/Error") is None:
            return None
        return root.findtext("./Errors/Error/Code")
    if protocol == "query":
        if _local(root.tag) != "ErrorResponse":
            return None
        error = next((c for c in root if _local(c.tag) == "Error"), None)
        code = next((c for c in error or [] if _local(c.tag) == "Code"), None)
        return None if code is None else code.text
    return root.findtext("Code") if root.tag == "Error" else None


def _body_problems(
    operation: OperationModel, status: int, headers: dict[str, str], body: bytes
) -> tuple[list[str], str | None]:
    """Problems with the body's form, and the error code it carries (errors only)."""
    protocol = operation.service_model.protocol
    if protocol in ("json", "rest-json"):
        try:
            document = json.loads(body) if body else {}
        except ValueError:
            return [f"body is not JSON: {body[:200]!r}"], None
        if status < 300:
            return [], None
        code = headers.get("x-amzn-errortype") or (
            document.get("__type") if isinstance(document, dict) else None
        )
        return ([] if code else ["error without a code"]), code
    if not body:
        fine = status < 300 or operation.http.get("method") == "HEAD"
        return ([] if fine else ["empty error body"]), "(empty)"
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return [f"XML not well-formed ({exc}): {body[:300]!r}"], None
    if status >= 300:
        code = _xml_error_code(root, protocol)
        return ([] if code else [f"error not in {protocol} shape: {body[:300]!r}"]), code
    if protocol in ("ec2", "query") and _local(root.tag) != f"{operation.name}Response":
        return [f"root element {root.tag}, expected {operation.name}Response"], None
    return [], None


def problems(operation: OperationModel, status: int, headers: Any, body: bytes) -> list[str]:
    """Everything wrong with one answer to a request for `operation` (empty: fine)."""
    headers = HeadersDict({k.lower(): v for k, v in headers.items()})
    found, code = _body_problems(operation, status, headers, body)
    if status >= 500 and not (status == 501 and code == "NotImplemented"):
        found.append(f"HTTP {status} {code}: {body[:300]!r}")
    rid = (
        "x-amz-request-id"
        if operation.service_model.protocol == "rest-xml"
        else ("x-amzn-requestid")
    )
    if not headers.get(rid):
        found.append(f"no {rid} header")
    if found:
        return found
    parser = create_parser(operation.service_model.protocol)
    response = {"status_code": status, "headers": headers, "body": body}
    try:
        parsed = parser.parse(response, operation.output_shape)
    except Exception as exc:  # botocore could not read it: exactly what must never happen
        return [f"botocore cannot parse it: {exc!r}"]
    if status >= 300 and not parsed.get("Error", {}).get("Code"):
        return [f"botocore reads no error code: {body[:300]!r}"]
    return []
