"""Who is calling: the account from the access key, the region and service from SigV4's scope.

A 12-digit access key id is that account (so tests can act as several
accounts with nothing to configure); anything else is 123456789012. When
strict mode has keys, signatures are recomputed with botocore's signer and
compared.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from privlink import errors
from privlink.server.protocols.base import Request

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
_SIGNED_HEADERS = re.compile(r"SignedHeaders=([^,\s]+)")
_SIGNATURE = re.compile(r"Signature=([0-9a-f]+)")


@dataclass(frozen=True)
class Caller:
    access_key: str
    account: str
    region: str
    service: str | None  # SigV4 signing name, when the request was signed


def account_for(access_key: str) -> str:
    return access_key if re.fullmatch(r"\d{12}", access_key) else DEFAULT_ACCOUNT


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


def verify(request: Request, caller: Caller, secrets_by_key: dict[str, str], host: str) -> None:
    """Strict mode: the key must be known and the SigV4 signature must match."""
    secret = secrets_by_key.get(caller.access_key)
    if secret is None:
        raise errors.InvalidClientTokenId("The security token included in the request is invalid.")
    header = request.headers.get("authorization", "")
    signed = _SIGNED_HEADERS.search(header)
    signature = _SIGNATURE.search(header)
    if not signed or not signature or caller.service is None:
        raise errors.SignatureDoesNotMatch("The request signature is missing or malformed.")
    names = signed.group(1).split(";")
    url = f"http://{host}{request.path}" + (
        f"?{request.query_string}" if request.query_string else ""
    )
    aws_request = AWSRequest(
        method=request.method,
        url=url,
        data=request.body,
        headers={name: request.headers.get(name, "") for name in names},
    )
    aws_request.context["timestamp"] = request.headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(caller.access_key, secret), caller.service, caller.region)
    aws_request.url = url
    _ = urlsplit(url)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    if not hmac.compare_digest(expected, signature.group(1)):
        raise errors.SignatureDoesNotMatch(
            "The request signature we calculated does not match the signature you provided."
        )
