"""S3 over HTTP: which requests are S3's, virtual-host addressing, bodies streamed to disk.

S3 is the one service whose bodies are larger than memory should hold, so
the gateway treats it apart: the request body of an operation with a
streaming payload (PutObject, UploadPart) is written to a spool file as it
arrives, decoded from aws-chunked when the SDK sent that, with its MD5 and
the checksums the client named computed on the way; the handler gets the
file. Responses with a file body are sent in chunks.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from privlink import errors
from privlink.server.protocols.base import Request

CHUNK = 1024 * 1024
SPOOL_PREFIX = "spool-"
# bucket.s3.amazonaws.com, bucket.s3.us-west-2.amazonaws.com, bucket.s3-us-west-2..., and
# bucket.localhost[:port] (what SDKs build from AWS_ENDPOINT_URL=http://localhost:PORT).
_VIRTUAL = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.(?:s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?|localhost)$"
)
_S3_HOST = re.compile(r"^s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")
# An S3 interface endpoint's own names (its DnsEntries are *.vpce-ID-TOKEN[-AZ].s3.REGION.
# vpce.amazonaws.com): SDKs are given https://bucket.vpce-... as endpoint URL (AWS's docs),
# so "bucket." is the endpoint kind, and a virtual-hosted bucket comes in front of it.
_VPCE_S3 = re.compile(
    r"^(?:(?P<front>[a-z0-9][a-z0-9.-]*)\.)?vpce-[a-z0-9]+-[a-z0-9-]+\.s3\.[a-z0-9-]+\.vpce\.amazonaws\.com$"
)
_ENDPOINT_KIND = "bucket"
_SIGNED_FOR = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/s3/aws4_request")


def virtual_bucket(host: str) -> str | None:
    """The bucket a virtual-hosted-style Host header names, if it names one."""
    name = host.rsplit(":", 1)[0].lower()
    endpoint = _VPCE_S3.match(name)
    if endpoint is not None:  # BUCKET.bucket.vpce-..., path style at (bucket.)vpce-...
        front = endpoint.group("front") or ""
        if front in ("", _ENDPOINT_KIND):
            return None
        return front.removesuffix(f".{_ENDPOINT_KIND}")
    match = _VIRTUAL.match(name)
    return match.group("bucket") if match else None


def is_s3(headers: dict[str, str], query_string: str) -> bool:
    """Signed for the service "s3" (header or presigned query), or sent to an S3 host."""
    signature = headers.get("authorization", "")
    if not signature:
        signature = "Credential=" + dict(parse_qsl(query_string)).get("X-Amz-Credential", "")
    if _SIGNED_FOR.search(signature):
        return True
    host = headers.get("host", "").rsplit(":", 1)[0].lower()
    return bool(_S3_HOST.match(host) or _VPCE_S3.match(host)) or virtual_bucket(host) is not None


def request_of(scope: dict[str, Any], headers: dict[str, str]) -> Request:
    """The request in path style (/bucket/key), still percent-encoded as it came."""
    raw = scope.get("raw_path") or scope["path"].encode()
    path = raw.decode("latin-1")
    bucket = virtual_bucket(headers.get("host", ""))
    if bucket is not None:
        path = f"/{bucket}{path}"
    return Request(
        method=scope["method"],
        path=path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=b"",
    )


# --- spooling ---------------------------------------------------------------------
_COMPUTABLE = {
    "CRC32": None,  # zlib
    "SHA1": hashlib.sha1,
    "SHA256": hashlib.sha256,
}


@dataclass(frozen=True)
class SpooledBody:
    """A request body on disk: what S3 operations take as an object's or a part's bytes."""

    path: Path
    size: int
    md5_hex: str
    # Checksums the client sent (header or aws-chunked trailer) and those computed here,
    # both by algorithm (CRC32, SHA256 ...) as base64, S3's wire form.
    claimed: dict[str, str] = field(default_factory=dict)
    computed: dict[str, str] = field(default_factory=dict)
    content_md5: str | None = None
    payload_sha256: str | None = None  # hex, when the request claimed a payload hash


class _Digests:
    def __init__(self, algorithms: set[str], payload_sha256: bool = False) -> None:
        self.md5 = hashlib.md5()
        # SigV4's payload hash, when the request claims one (x-amz-content-sha256): strict
        # mode checks the claim against the body that actually arrived.
        self.payload = hashlib.sha256() if payload_sha256 else None
        self.crc32 = 0 if "CRC32" in algorithms else None
        self.hashes = {a: f() for a, f in _COMPUTABLE.items() if a in algorithms and f is not None}

    def update(self, data: bytes | memoryview) -> None:
        self.md5.update(data)
        if self.payload is not None:
            self.payload.update(data)
        if self.crc32 is not None:
            self.crc32 = zlib.crc32(data, self.crc32)
        for h in self.hashes.values():
            h.update(data)

    def computed(self) -> dict[str, str]:
        out = {a: base64.b64encode(h.digest()).decode() for a, h in self.hashes.items()}
        if self.crc32 is not None:
            out["CRC32"] = base64.b64encode(self.crc32.to_bytes(4, "big")).decode()
        return out


def _algorithms(headers: dict[str, str]) -> set[str]:
    named = {k.removeprefix("x-amz-checksum-").upper() for k in headers if _is_checksum(k)}
    trailer = headers.get("x-amz-trailer", "")
    named |= {t.strip().removeprefix("x-amz-checksum-").upper() for t in trailer.split(",") if t}
    sdk = headers.get("x-amz-sdk-checksum-algorithm")
    if sdk:
        named.add(sdk.upper())
    return named


def _is_checksum(name: str) -> bool:
    return name.startswith("x-amz-checksum-") and name not in (
        "x-amz-checksum-mode",
        "x-amz-checksum-algorithm",
        "x-amz-checksum-type",
    )


class Spooler:
    """Writes one request body to a temp file as it arrives (aws-chunked decoded)."""

    def __init__(self, directory: Path, headers: dict[str, str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=directory)
        self.path = Path(name)
        self.file: IO[bytes] = os.fdopen(fd, "wb")
        self.headers = headers
        self.size = 0
        claim = headers.get("x-amz-content-sha256", "")
        self.digests = _Digests(_algorithms(headers), bool(re.fullmatch(r"[0-9a-f]{64}", claim)))
        chunked = "aws-chunked" in headers.get("content-encoding", "")
        chunked |= headers.get("x-amz-content-sha256", "").startswith("STREAMING-")
        self.decoder = AwsChunked() if chunked else None

    def feed(self, data: bytes) -> None:
        pieces = self.decoder.feed(data) if self.decoder is not None else [data]
        for piece in pieces:
            self.file.write(piece)
            self.digests.update(piece)
            self.size += len(piece)

    def finish(self) -> SpooledBody:
        self.file.close()
        expected = self.headers.get("x-amz-decoded-content-length")
        if self.decoder is None:
            expected = self.headers.get("content-length", expected)
        if (
            expected is not None
            and expected.isascii()
            and expected.isdigit()
            and int(expected) != self.size
        ):
            raise errors.IncompleteBody()
        claimed = {
            k.removeprefix("x-amz-checksum-").upper(): v
            for k, v in {**self.headers, **(self.decoder.trailers if self.decoder else {})}.items()
            if _is_checksum(k)
        }
        return SpooledBody(
            self.path,
            self.size,
            self.digests.md5.hexdigest(),
            claimed,
            self.digests.computed(),
            self.headers.get("content-md5"),
            self.digests.payload.hexdigest() if self.digests.payload else None,
        )

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class AwsChunked:
    """Decoder of the aws-chunked content encoding (SigV4 streaming, with trailers).

    `size[;chunk-signature=...]\\r\\n<size bytes>\\r\\n` ... `0\\r\\n` then trailer lines
    `name:value\\r\\n` and an empty line. Signatures are not checked (nor are SigV4
    signatures anywhere outside strict mode)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.remaining = 0  # data bytes left in the current chunk
        self.state = "size"  # size | data | crlf | trailers | done
        self.trailers: dict[str, str] = {}

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        out: list[bytes] = []
        while self.buffer and self.state != "done":
            if self.state == "data":
                take = min(self.remaining, len(self.buffer))
                out.append(bytes(self.buffer[:take]))
                del self.buffer[:take]
                self.remaining -= take
                if self.remaining == 0:
                    self.state = "crlf"
                continue
            line = self._line()
            if line is None:
                break
            self._on_line(line)
        return out

    def _line(self) -> bytes | None:
        end = self.buffer.find(b"\r\n")
        if end < 0:
            return None
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 2]
        return line

    def _on_line(self, line: bytes) -> None:
        if self.state == "crlf":
            if line:
                raise errors.IncompleteBody()
            self.state = "size"
        elif self.state == "size":
            try:
                self.remaining = int(line.split(b";", 1)[0], 16)
            except ValueError as exc:
                raise errors.IncompleteBody() from exc
            self.state = "data" if self.remaining else "trailers"
        elif self.state == "trailers":
            if not line:
                self.state = "done"
                return
            name, _, value = line.decode("latin-1").partition(":")
            self.trailers[name.strip().lower()] = value.strip()


def sweep(directory: Path) -> None:
    """Remove spool files a killed process left (nothing refers to them)."""
    if directory.is_dir():
        for leftover in directory.glob(f"{SPOOL_PREFIX}*"):
            leftover.unlink(missing_ok=True)
