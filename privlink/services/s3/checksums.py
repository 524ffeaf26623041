"""Integrity of incoming bodies: Content-MD5 and the x-amz-checksum-* values, as S3 checks them.

The gateway computed MD5 and the checksums it can (CRC32, SHA1, SHA256) while
the body streamed in; here the client's claims are compared with them. A
claim in an algorithm privlink does not compute (CRC32C, CRC64NVME: they need
the CRT) is stored and returned as given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib

from privlink import errors
from privlink.services.s3.records import Checksum
from privlink.services.s3.storage import Incoming

MEMBERS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def verify(body: Incoming) -> Checksum | None:
    """Raise BadDigest/InvalidDigest on a mismatch; the checksum to keep, if one was sent."""
    if body.content_md5 is not None:
        try:
            digest = base64.b64decode(body.content_md5, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise errors.InvalidDigest() from exc
        if len(digest) != 16:
            raise errors.InvalidDigest()
        if digest.hex() != body.md5_hex:
            raise errors.BadDigest()
    for algorithm, claimed in body.claimed.items():
        computed = body.computed.get(algorithm)
        if computed is not None and computed != claimed:
            raise errors.BadDigest.because(
                f"The {algorithm} you specified did not match the calculated checksum."
            )
    for algorithm in MEMBERS:
        if algorithm in body.claimed:
            return Checksum(algorithm=algorithm, value=body.claimed[algorithm])
    return None


def wire(checksum: Checksum | None) -> dict[str, str]:
    """Output members (ChecksumCRC32=..., ChecksumType=...) of a stored checksum."""
    if checksum is None:
        return {}
    return {f"Checksum{checksum.algorithm}": checksum.value, "ChecksumType": checksum.type}


def composite(algorithm: str, parts: list[Checksum | None]) -> Checksum | None:
    """S3's checksum of checksums for a multipart object: hash(part digests)-N."""
    if not parts or any(p is None or p.algorithm != algorithm for p in parts):
        return None
    joined = b"".join(base64.b64decode(p.value) for p in parts if p is not None)
    if algorithm == "CRC32":
        digest = zlib.crc32(joined).to_bytes(4, "big")
    elif algorithm == "CRC32C":
        digest = _crc32c(joined).to_bytes(4, "big")
    elif algorithm in ("SHA1", "SHA256"):
        digest = hashlib.new(algorithm.lower(), joined).digest()
    else:
        return None
    value = f"{base64.b64encode(digest).decode()}-{len(parts)}"
    return Checksum(algorithm=algorithm, value=value, type="COMPOSITE")


def _crc32c(data: bytes) -> int:
    """CRC32C (Castagnoli) of a few bytes: the part digests of a composite checksum."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def multipart_etag(part_md5s: list[str]) -> str:
    """The ETag of a multipart object: MD5 of the parts' binary MD5s, dash, part count."""
    joined = b"".join(bytes.fromhex(m.strip('"')) for m in part_md5s)
    return f'"{hashlib.md5(joined).hexdigest()}-{len(part_md5s)}"'
