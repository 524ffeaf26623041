"""Multipart uploads: create, upload parts (spooled bodies), list, complete, abort.

Parts are stored bodies of their own until CompleteMultipartUpload joins the
chosen ones into the object's body; the parts' files go after that commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.s3 import checksums, queries
from privlink.services.s3.operations.objects import (
    ObjectMeta,
    add_version,
    check_key,
    object_version,
)
from privlink.services.s3.records import Checksum, Part, Upload, Version
from privlink.services.s3.storage import Incoming, Storage

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000


@dataclass(frozen=True)
class ChosenPart:
    """A part as CompleteMultipartUpload names it."""

    number: int
    etag: str
    checksums: dict[str, str]


def upload(scope: Scope, bucket: str, key: str, upload_id: str) -> Upload:
    queries.bucket(scope, bucket)
    found = scope.foreign(Upload, upload_id)
    if found is None or found.bucket != bucket or found.key != key:
        raise errors.NoSuchUpload(upload_id)
    return found


def create_upload(
    scope: Scope,
    bucket_name: str,
    key: str,
    meta: ObjectMeta,
    checksum_algorithm: str | None = None,
    checksum_type: str | None = None,
) -> Upload:
    bucket = queries.bucket(scope, bucket_name)
    check_key(key)
    if checksum_algorithm and not checksum_type:
        checksum_type = "FULL_OBJECT" if checksum_algorithm == "CRC64NVME" else "COMPOSITE"
    created = Upload(
        id=scope.hexid(64),
        account=bucket.account,
        region=bucket.region,
        bucket=bucket.id,
        key=key,
        initiated=scope.now(),
        owner=scope.account,
        content_type=meta.content_type or "binary/octet-stream",
        headers=meta.headers,
        metadata=meta.metadata,
        checksum_algorithm=checksum_algorithm,
        checksum_type=checksum_type,
    )
    scope.add(created)
    return created


def upload_part(
    scope: Scope,
    storage: Storage,
    target: tuple[str, str, str],
    number: int,
    body: Incoming,
) -> Part:
    found = upload(scope, *target)
    if not 1 <= number <= MAX_PART_NUMBER:
        raise errors.InvalidArgument.because(
            "Part number must be an integer between 1 and 10000, inclusive"
        )
    checksum = checksums.verify(body)
    part = Part(
        number=number,
        etag=f'"{body.md5_hex}"',
        size=body.size,
        blob=storage.adopt(body.path),
        last_modified=scope.now(),
        checksum=checksum,
    )
    replaced = found.parts.get(number)
    if replaced is not None:
        storage.remove_later(scope.after_commit, [replaced.blob])
    found.parts[number] = part
    scope.put(found)
    return part


def _chosen(found: Upload, chosen: list[ChosenPart]) -> list[Part]:
    if not chosen:
        raise errors.MalformedXML()
    numbers = [c.number for c in chosen]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise errors.InvalidPartOrder()
    parts: list[Part] = []
    for c in chosen:
        part = found.parts.get(c.number)
        if part is None or part.etag.strip('"') != c.etag.strip('"'):
            raise errors.InvalidPart(str(c.number))
        parts.append(part)
    if any(p.size < MIN_PART_SIZE for p in parts[:-1]):
        raise errors.EntityTooSmall()
    return parts


def complete_upload(
    scope: Scope,
    storage: Storage,
    target: tuple[str, str, str],
    chosen: list[ChosenPart],
) -> Version:
    """Join the chosen parts (ascending, all but the last >= 5 MiB) into the object."""
    found = upload(scope, *target)
    bucket = queries.bucket(scope, found.bucket)
    parts = _chosen(found, chosen)
    blob = storage.concatenate([p.blob for p in parts])
    checksum: Checksum | None = None
    if found.checksum_algorithm and found.checksum_type == "COMPOSITE":
        checksum = checksums.composite(found.checksum_algorithm, [p.checksum for p in parts])
    meta = ObjectMeta(found.content_type, found.headers, found.metadata)
    etag = checksums.multipart_etag([p.etag for p in parts])
    size = sum(p.size for p in parts)
    version = object_version(scope, bucket, blob, size, etag, meta, checksum, len(parts))
    add_version(scope, storage, bucket, found.key, version)
    _drop(scope, storage, found)
    return version


def abort_upload(scope: Scope, storage: Storage, target: tuple[str, str, str]) -> None:
    _drop(scope, storage, upload(scope, *target))


def _drop(scope: Scope, storage: Storage, found: Upload) -> None:
    scope.delete(found)
    blobs = [p.blob for p in found.parts.values()]
    storage.remove_later(scope.after_commit, blobs)
