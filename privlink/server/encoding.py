"""Request bodies sent compressed (Content-Encoding: gzip).

botocore gzips the body of operations that carry the `requestcompression` trait once it
passes 10 KiB (CloudWatch's PutMetricData); the signature covers the compressed bytes, so
the gateway decodes after verifying it and before the protocol parses the body.
"""

from __future__ import annotations

import dataclasses
import zlib

from privlink import errors
from privlink.server.protocols import Request


def decoded(request: Request, limit: int) -> Request:
    """The request with its body decompressed (at most `limit` bytes once decompressed)."""
    encodings = [e.strip().lower() for e in request.headers.get("content-encoding", "").split(",")]
    if "gzip" not in encodings or not request.body:
        return request
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(request.body, limit + 1)
    except zlib.error as exc:
        raise errors.SerializationException("The request body is not valid gzip") from exc
    if len(body) > limit:
        raise errors.RequestEntityTooLarge(
            f"Request body exceeds the maximum of {limit} bytes once decompressed"
        )
    return dataclasses.replace(request, body=body)
