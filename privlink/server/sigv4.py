"""AWS Signature Version 4, verified the way AWS verifies it (strict mode).

Pure functions over a request: parse the signature (Authorization header or
presigned query string), check the signed date against AWS's window, recompute
the payload hash from the body (a claimed X-Amz-Content-SHA256 is checked, never
trusted; UNSIGNED-PAYLOAD and streaming markers only for S3, as on AWS), rebuild
the canonical request from exactly the signed headers and compare signatures in
constant time. Each failure is the error AWS gives for it.

Reference: "Create a signed AWS API request" and "Authenticating Requests: Using
Query Parameters" in the IAM and S3 user guides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

from privlink import errors

ALGORITHM = "AWS4-HMAC-SHA256"
WINDOW = dt.timedelta(minutes=5)  # how far a signed date may be from now (AWS: 5 min)
MAX_EXPIRES = 7 * 24 * 3600  # presigned URLs live at most 7 days
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"
STREAMING = ("STREAMING-",)  # STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], -UNSIGNED-...
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CREDENTIAL = re.compile(r"^([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request$")
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class _AuthError(errors.AwsError):
    status = 403


class MissingAuthenticationToken(_AuthError):
    code = "MissingAuthenticationToken"


class IncompleteSignature(_AuthError):
    code = "IncompleteSignature"


class InvalidSignatureException(_AuthError):
    code = "InvalidSignatureException"  # what json-protocol services call a bad signature


class RequestExpired(errors.AwsError):
    code = "RequestExpired"


class AuthorizationQueryParametersError(errors.AwsError):
    code = "AuthorizationQueryParametersError"


class XAmzContentSHA256Mismatch(errors.AwsError):
    code = "XAmzContentSHA256Mismatch"


class InvalidRequest(errors.AwsError):
    code = "InvalidRequest"


class InvalidArgument(errors.AwsError):
    code = "InvalidArgument"


class AccessDenied(_AuthError):
    code = "AccessDenied"


@dataclass(frozen=True)
class Signed:
    """What a request claims about its signature."""

    access_key: str
    date: str  # yyyymmdd of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # yyyymmddThhmmssZ
    presigned: bool
    expires: int | None = None


@dataclass(frozen=True)
class HttpRequest:
    """The parts of an HTTP request SigV4 covers."""

    method: str
    path: str  # as sent, percent-encoded
    query_string: str
    headers: Mapping[str, str]  # lower-case names
    body_sha256: str  # of the body actually received


def parse(request: HttpRequest) -> Signed:
    """The request's signature claims, or the error AWS gives for a missing/partial one."""
    query = dict(parse_qsl(request.query_string, keep_blank_values=True))
    header = request.headers.get("authorization", "")
    if header:
        return _from_header(header, request.headers)
    if "X-Amz-Signature" in query or "X-Amz-Credential" in query:
        return _from_query(query)
    raise MissingAuthenticationToken("Request is missing Authentication Token")


def _from_header(header: str, headers: Mapping[str, str]) -> Signed:
    algorithm, _, rest = header.partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'")
    parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if k not in parts]
    if missing:
        raise IncompleteSignature(
            f"Authorization header requires '{missing[0]}' parameter. "
            f"Authorization={header[:80]}"
        )
    amz_date = headers.get("x-amz-date", "")
    if not amz_date:
        raise IncompleteSignature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header."
        )
    return _signed(parts["Credential"], parts["SignedHeaders"], parts["Signature"], amz_date)


def _from_query(query: Mapping[str, str]) -> Signed:
    if query.get("X-Amz-Algorithm") != ALGORITHM:
        raise AuthorizationQueryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    needed = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature")
    missing = [k for k in needed if not query.get(k)]
    if missing:
        raise AuthorizationQueryParametersError(
            f"Query-string authentication requires the {missing[0]} parameter"
        )
    try:
        expires = int(query.get("X-Amz-Expires", "900"))
    except ValueError:
        raise AuthorizationQueryParametersError("X-Amz-Expires should be a number") from None
    if not 1 <= expires <= MAX_EXPIRES:
        raise AuthorizationQueryParametersError(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800"
        )
    signed = _signed(
        query["X-Amz-Credential"],
        query["X-Amz-SignedHeaders"],
        query["X-Amz-Signature"],
        query["X-Amz-Date"],
    )
    return Signed(**{**signed.__dict__, "presigned": True, "expires": expires})


def _signed(credential: str, signed_headers: str, signature: str, amz_date: str) -> Signed:
    match = _CREDENTIAL.match(credential)
    if not match:
        raise IncompleteSignature(f"Credential should be scoped to a valid Region. {credential}")
    key, date, region, service = match.groups()
    names = tuple(signed_headers.split(";"))
    return Signed(key, date, region, service, names, signature, amz_date, presigned=False)


def check_time(signed: Signed, now: dt.datetime, service_protocol: str) -> None:
    """The signed date is within AWS's window (presigned: not yet expired)."""
    try:
        when = dt.datetime.strptime(signed.amz_date, _AMZ_DATE).replace(tzinfo=dt.UTC)
    except ValueError:
        raise IncompleteSignature(
            f"Date must be in ISO-8601 'basic format'. Got '{signed.amz_date}'."
        ) from None
    if when.strftime("%Y%m%d") != signed.date:
        raise errors.SignatureDoesNotMatch(
            "Credential should be scoped to a valid date: the scope's date "
            f"'{signed.date}' does not match X-Amz-Date '{signed.amz_date}'."
        )
    if signed.presigned:
        assert signed.expires is not None
        if now > when + dt.timedelta(seconds=signed.expires) or when - now > WINDOW:
            raise (
                AccessDenied("Request has expired")
                if service_protocol == "rest-xml"
                else _expired(signed, now, service_protocol)
            )
        return
    if abs(now - when) > WINDOW:
        raise _expired(signed, now, service_protocol)


def _expired(signed: Signed, now: dt.datetime, service_protocol: str) -> errors.AwsError:
    if service_protocol == "ec2":
        return RequestExpired(f"Request has expired. Timestamp date is {signed.amz_date}")
    edge = (now - WINDOW).strftime(_AMZ_DATE)
    late = (now + WINDOW).strftime(_AMZ_DATE)
    stamp = now.strftime(_AMZ_DATE)
    if dt.datetime.strptime(signed.amz_date, _AMZ_DATE).replace(tzinfo=dt.UTC) < now:
        message = (
            f"Signature expired: {signed.amz_date} is now earlier than {edge} ({stamp} - 5 min.)"
        )
    else:
        message = (
            f"Signature not yet current: {signed.amz_date} is still later than {late} "
            f"({stamp} + 5 min.)"
        )
    if service_protocol == "json":
        return InvalidSignatureException(message)
    return errors.SignatureDoesNotMatch(message)


def payload_hash(signed: Signed, request: HttpRequest) -> str:
    """The payload hash the canonical request uses, after checking any claim against
    the body received. Only S3 may leave the payload unsigned or stream it."""
    claimed = request.headers.get("x-amz-content-sha256")
    if signed.presigned:
        return UNSIGNED if signed.service == "s3" else request.body_sha256
    if claimed is None:
        if signed.service == "s3":
            raise InvalidRequest("Missing required header for this request: x-amz-content-sha256")
        return request.body_sha256
    if claimed == UNSIGNED or claimed.startswith(STREAMING):
        if signed.service != "s3":
            raise errors.SignatureDoesNotMatch(
                "The request signature we calculated does not match the signature you "
                "provided: an unsigned payload is only allowed for Amazon S3."
            )
        return claimed
    if not _HEX64.fullmatch(claimed):
        raise InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
            "STREAMING-... or a valid sha256 value."
        )
    if claimed != request.body_sha256:
        raise XAmzContentSHA256Mismatch(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )
    return claimed


def canonical_request(signed: Signed, request: HttpRequest, hashed_payload: str) -> str:
    headers = "".join(
        f"{name}:{' '.join(request.headers.get(name, '').split())}\n"
        for name in signed.signed_headers
    )
    return "\n".join(
        [
            request.method.upper(),
            _canonical_path(request.path, signed.service),
            _canonical_query(request.query_string, signed.presigned),
            headers,
            ";".join(signed.signed_headers),
            hashed_payload,
        ]
    )


def _canonical_path(path: str, service: str) -> str:
    """S3 signs the path as sent; every other service normalizes it and encodes it twice
    (botocore and the other SDKs encode the already-encoded path once more)."""
    if service == "s3":
        return quote(unquote(path), safe="/~") or "/"
    return quote(path or "/", safe="/~")


def _canonical_query(query_string: str, presigned: bool) -> str:
    pairs = parse_qsl(query_string, keep_blank_values=True)
    if presigned:
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature(secret: str, signed: Signed, canonical: str) -> str:
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, signed.amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = ("AWS4" + secret).encode()
    for part in (signed.date, signed.region, signed.service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    request: HttpRequest,
    secrets_by_key: Mapping[str, str],
    now: dt.datetime,
    service_protocol: str,
) -> Signed:
    """Check a request end to end; returns its claims when the signature holds."""
    signed = parse(request)
    secret = secrets_by_key.get(signed.access_key)
    if secret is None:
        raise errors.InvalidClientTokenId("The security token included in the request is invalid.")
    if "host" not in signed.signed_headers:
        raise errors.SignatureDoesNotMatch(
            "'Host' must be a 'SignedHeader' in the AWS Authorization."
        )
    check_time(signed, now, service_protocol)
    hashed = payload_hash(signed, request)
    expected = signature(secret, signed, canonical_request(signed, request, hashed))
    if not hmac.compare_digest(expected, signed.signature):
        raise errors.SignatureDoesNotMatch(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details."
        )
    return signed
