"""Who is calling: the account from the access key, the region and service from SigV4's scope.

A 12-digit access key id is that account (so tests can act as several
accounts with nothing to configure); anything else is 123456789012. When
strict mode has keys, requests are verified as AWS verifies them (sigv4.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from privlink.server import sigv4
from privlink.server.protocols.base import Request

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Caller:
    access_key: str
    account: str
    region: str
    service: str | None  # SigV4 signing name, when the request was signed


def account_for(access_key: str) -> str:
    return access_key if re.fullmatch(r"[0-9]{12}", access_key) else DEFAULT_ACCOUNT


def identify(request: Request, default_region: str = DEFAULT_REGION) -> Caller:
    header = request.headers.get("authorization", "")
    match = _CREDENTIAL.search(header)
    if not match:
        query = dict(parse_qsl(request.query_string))
        match = _CREDENTIAL.search("Credential=" + query.get("X-Amz-Credential", ""))
    if not match:
        return Caller("", DEFAULT_ACCOUNT, default_region, None)
    key, _date, region, service = match.groups()
    return Caller(key, account_for(key), region, service)


def verify(
    request: Request, secrets_by_key: dict[str, str], protocol: str, body_sha256: str | None = None
) -> sigv4.Signed:
    """Strict mode: the key must be known and the SigV4 signature must hold (sigv4.py).
    `body_sha256` is the hash of a body the gateway spooled elsewhere (S3 uploads)."""
    return sigv4.verify(
        sigv4.HttpRequest(
            method=request.method,
            path=request.path,
            query_string=request.query_string,
            headers=request.headers,
            body_sha256=body_sha256 or hashlib.sha256(request.body).hexdigest(),
        ),
        secrets_by_key,
        dt.datetime.now(dt.UTC),
        protocol,
    )
