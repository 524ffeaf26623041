"""Requests on the wire: botocore's own serializers, then (sometimes) broken on purpose.

`build` serializes an input with botocore's serializer for the operation's protocol and
prepares it as botocore would send it; `mutate` then breaks what a serializer never
would: list indices written with other digits, bytes that are not UTF-8, malformed or
absurdly nested bodies, odd paths and query strings, missing or unknown routing.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.model import OperationModel
from botocore.serialize import create_serializer

ODD_INDICES = ["²", "١", "0", "-1", "x", "", "99999999999999999999999", "1 ", "01", "𝟙"]
BROKEN_BODIES = [
    b"\xff\xfe\x00garbage\x80",
    b"%%%%&&&===",
    b"{",
    b"[]",
    b'"text"',
    b"null",
    b'{"a": NaN, "b": [1, {"c": }]}',
    b"[" * 50000 + b"]" * 50000,
    b"<",
    b"<a>&bogus;</a>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b"<x>&b;&b;</x>",
    b"<Tagging><TagSet><Tag><Key>\x01</Key></Tag></TagSet></Tagging>",
    b"<x>" * 3000,
]


# What HTTP/1.1 allows in a header value (RFC 9110 field-value); anything else is refused
# by the HTTP server itself (uvicorn answers 400 "Invalid HTTP request received."), before
# privlink sees the request, as AWS's front door does.
_HEADER_VALUE = re.compile("[\t\x20-\x7e\x80-\xff]*")


@dataclass
class Wire:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] | None = field(default=None)  # query/ec2: the parameters

    @property
    def valid_http(self) -> bool:
        return all(_HEADER_VALUE.fullmatch(value) for value in self.headers.values())


def build(operation: OperationModel, params: dict[str, Any], endpoint: str) -> Wire:
    """The request botocore would send for `params` (before signing)."""
    protocol = operation.service_model.protocol
    # A host prefix ("api.", "{Name}.") is dropped (privlink is one host, as with
    # inject_host_prefix=False), but botocore still needs the members it names.
    labels = re.findall(r"\{(\w+)\}", (operation.endpoint or {}).get("hostPrefix", ""))
    params = {**{label: "fuzz" for label in labels}, **params}
    request = create_serializer(protocol, include_validation=False).serialize_to_request(
        params, operation
    )
    request.pop("host_prefix", None)
    form = dict(request["body"]) if isinstance(request["body"], dict) else None
    prepare_request_dict(request, endpoint_url=endpoint)
    prepared = create_request_object(request).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    # httpx sets Content-Length (and Host) for whatever body is finally sent.
    skip = {"content-length", "host"}
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in skip}
    return Wire(prepared.method, prepared.url, headers, body, form)


def _encode_form(form: dict[str, str], extra: bytes = b"") -> bytes:
    pairs = [f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in form.items()]
    return "&".join(pairs).encode() + extra


def _mutate_form(wire: Wire, rnd: random.Random) -> None:
    form = dict(wire.form or {})
    choice = rnd.randrange(6)
    indexed = [key for key in form if any(part.isdigit() for part in key.split("."))]
    if choice == 0 and indexed:
        key = rnd.choice(indexed)
        parts = key.split(".")
        digits = [i for i, part in enumerate(parts) if part.isdigit()]
        parts[rnd.choice(digits)] = rnd.choice(ODD_INDICES)
        form[".".join(parts)] = form.pop(key)
    elif choice == 1:
        form.pop("Action", None)
    elif choice == 2:
        form["Version"] = rnd.choice(["", "2099-01-01", "\x01"])
    elif choice == 3:
        form[rnd.choice(["Filter", "Tag.1", "Attributes.entry.1", "x.y.z", ""])] = "plain"
    elif choice == 4:
        wire.body = _encode_form(form, rnd.choice([b"&X=\xff\xfe", b"&%E2%82", b"&=&&"]))
        return
    else:
        form["Action"] = rnd.choice(["", "NoSuchAction", "describevpcs", "\u00c9"])
    wire.body = _encode_form(form)


def mutate(wire: Wire, protocol: str, rnd: random.Random) -> str:
    """Break `wire` in one way the protocol must survive; say which."""
    if wire.form is not None and rnd.random() < 0.7:
        _mutate_form(wire, rnd)
        return "form"
    choice = rnd.randrange(4)
    if choice == 0 or protocol in ("ec2", "query", "json"):
        wire.body = rnd.choice(BROKEN_BODIES)
        return "body"
    if choice == 1:
        wire.url += rnd.choice(["%ff", "%00", "/%2e%2e", "?%zz=1", "&versionId=%01"])
        return "url"
    if choice == 2:
        kinds = ["application/json", "text/xml", "multipart/form-data"]
        wire.headers["content-type"] = rnd.choice(kinds)
        wire.body = rnd.choice(BROKEN_BODIES)
        return "content-type"
    wire.method = rnd.choice(["PATCH", "PUT", "DELETE", "GET"])
    return "method"


def mutate_json_target(wire: Wire, rnd: random.Random) -> None:
    """json protocol: the operation comes from X-Amz-Target; send one that names none."""
    target = wire.headers.get("X-Amz-Target", "")
    wire.headers["X-Amz-Target"] = rnd.choice(["", target + "x", "Nope." + target, "%00"])


def json_document(body: bytes) -> Any:
    return json.loads(body) if body else None
