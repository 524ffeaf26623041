"""Wire protocols (ec2, query, json, rest-json), driven by botocore service models.

Parsers turn an HTTP request into the operation's input dict (member names as
in the model); serializers turn an output dict into the response body. No
response templates: the model's shapes decide every element name.
"""

from privlink.server.protocols.base import Request, Response, protocol_for

__all__ = ["Request", "Response", "protocol_for"]
