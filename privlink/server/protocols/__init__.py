"""Wire protocols (ec2, query, json, rest-json), driven by botocore service models.

Parsers turn an HTTP request into the operation's input dict (member names as
in the model); serializers turn an output dict into the response body. No
response templates: the model's shapes decide every element name.

PRIVLINK_STRICT_OUTPUT=1 in the environment at startup wraps every protocol in
`StrictOutput` (see strict.py): output keys the shape does not know fail the call.
"""

from __future__ import annotations

from typing import Final

from botocore.model import ServiceModel

from privlink.server.protocols.base import Request, Response, WireProtocol
from privlink.server.protocols.json import JSON_PROTOCOL
from privlink.server.protocols.query import EC2_PROTOCOL, QUERY_PROTOCOL
from privlink.server.protocols.restjson import REST_JSON_PROTOCOL
from privlink.server.protocols.restxml import REST_XML_PROTOCOL
from privlink.server.protocols.strict import StrictOutput, strict_output_requested


def protocols(strict: bool) -> dict[str, WireProtocol]:
    """Protocol name (as botocore models spell it) -> its implementation."""
    table: dict[str, WireProtocol] = {
        "ec2": EC2_PROTOCOL,
        "query": QUERY_PROTOCOL,
        "json": JSON_PROTOCOL,
        "rest-json": REST_JSON_PROTOCOL,
        "rest-xml": REST_XML_PROTOCOL,
    }
    if strict:
        return {name: StrictOutput(protocol) for name, protocol in table.items()}
    return table


PROTOCOLS: Final = protocols(strict=strict_output_requested())


def protocol_for(service: ServiceModel) -> WireProtocol:
    try:
        return PROTOCOLS[service.protocol]
    except KeyError:
        raise ValueError(f"unsupported protocol {service.protocol}") from None


__all__ = ["PROTOCOLS", "Request", "Response", "WireProtocol", "protocol_for", "protocols"]
