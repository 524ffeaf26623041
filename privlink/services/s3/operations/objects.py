"""Objects: put (from a spooled body or a file), copy, delete, with S3's versioning rules.

Unversioned and suspended buckets keep one "null" version per key, replaced
on every write; enabled buckets add a version (or a delete marker) with a
fresh id. A replaced body's file is removed only after the commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from privlink import errors
from privlink.api import Scope
from privlink.services.s3 import checksums, queries
from privlink.services.s3.records import (
    NULL_VERSION,
    Bucket,
    Checksum,
    ObjectKey,
    Version,
    key_id,
)
from privlink.services.s3.storage import Incoming, Storage, StoredBody

MAX_KEY_BYTES = 1024


@dataclass(frozen=True)
class ObjectMeta:
    """What a writer says about an object besides its bytes."""

    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # ContentEncoding, CacheControl, ...
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deleted:
    version_id: str | None
    delete_marker: bool


def new_version_id(scope: Scope, bucket: Bucket) -> str:
    return scope.hexid(32) if bucket.versioning == "Enabled" else NULL_VERSION


def check_key(key: str) -> None:
    if not key:
        raise errors.InvalidArgument.because("Key must not be empty")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise errors.S3Error.because("Your key is too long")


def add_version(scope: Scope, storage: Storage, bucket: Bucket, key: str, version: Version) -> None:
    """Make `version` the key's newest; a null version it replaces (and its file) goes."""
    record = scope.foreign(ObjectKey, key_id(bucket.id, key))
    if record is None:
        record = ObjectKey(
            id=key_id(bucket.id, key),
            account=bucket.account,
            region=bucket.region,
            bucket=bucket.id,
            key=key,
            versions=[version],
        )
        scope.add(record)
        return
    if version.version_id == NULL_VERSION:
        replaced = [v for v in record.versions if v.version_id == NULL_VERSION]
        record.versions = [v for v in record.versions if v.version_id != NULL_VERSION]
        _forget(scope, storage, replaced)
    record.versions.insert(0, version)
    scope.put(record)


def _forget(scope: Scope, storage: Storage, versions: list[Version]) -> None:
    blobs = [v.blob for v in versions if v.blob]
    if blobs:
        storage.remove_later(scope.after_commit, blobs)


def object_version(
    scope: Scope,
    bucket: Bucket,
    blob: str,
    size: int,
    etag: str,
    meta: ObjectMeta,
    checksum: Checksum | None,
    parts: int = 0,
) -> Version:
    return Version(
        version_id=new_version_id(scope, bucket),
        last_modified=scope.now(),
        owner=scope.account,
        etag=etag,
        size=size,
        blob=blob,
        content_type=meta.content_type or "binary/octet-stream",
        headers=meta.headers,
        metadata=meta.metadata,
        checksum=checksum,
        parts=parts,
    )


def put_object(
    scope: Scope, storage: Storage, bucket_name: str, key: str, body: Incoming, meta: ObjectMeta
) -> Version:
    """Store a spooled body as the key's new version (the file is moved, not copied)."""
    bucket = queries.bucket(scope, bucket_name)
    check_key(key)
    checksum = checksums.verify(body)
    blob = storage.adopt(body.path)
    etag = f'"{body.md5_hex}"'
    version = object_version(scope, bucket, blob, body.size, etag, meta, checksum)
    add_version(scope, storage, bucket, key, version)
    return version


def put_object_file(
    scope: Scope, storage: Storage, bucket_name: str, key: str, source: Path, meta: ObjectMeta
) -> Version:
    """Store a copy of a local file as the key's new version (for other services)."""
    bucket = queries.bucket(scope, bucket_name)
    check_key(key)
    digest = hashlib.md5()
    with open(source, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    blob = storage.import_file(source)
    size = storage.path(blob).stat().st_size
    version = object_version(scope, bucket, blob, size, f'"{digest.hexdigest()}"', meta, None)
    add_version(scope, storage, bucket, key, version)
    return version


def open_object(
    scope: Scope, storage: Storage, bucket_name: str, key: str, version_id: str | None = None
) -> IO[bytes]:
    """The bytes of an object, as an open file (for other services: MWAA reads DAGs)."""
    version = queries.version(scope, bucket_name, key, version_id)
    file, _ = StoredBody(storage.path(version.blob), 0, version.size).open_range()
    return file


def delete_object(
    scope: Scope, storage: Storage, bucket_name: str, key: str, version_id: str | None = None
) -> Deleted:
    bucket = queries.bucket(scope, bucket_name)
    if version_id is not None:
        queries.check_version_id(version_id)
        return _delete_version(scope, storage, bucket, key, version_id)
    record = scope.foreign(ObjectKey, key_id(bucket.id, key))
    if bucket.versioning is None:
        if record is not None:
            _forget(scope, storage, record.versions)
            scope.delete(record)
        return Deleted(None, False)
    marker = Version(
        version_id=new_version_id(scope, bucket),
        last_modified=scope.now(),
        owner=scope.account,
        delete_marker=True,
    )
    add_version(scope, storage, bucket, key, marker)
    return Deleted(marker.version_id, True)


def _delete_version(
    scope: Scope, storage: Storage, bucket: Bucket, key: str, version_id: str
) -> Deleted:
    record = scope.foreign(ObjectKey, key_id(bucket.id, key))
    gone = [v for v in record.versions if v.version_id == version_id] if record else []
    if record is None or not gone:
        return Deleted(version_id, False)
    record.versions = [v for v in record.versions if v.version_id != version_id]
    _forget(scope, storage, gone)
    if record.versions:
        scope.put(record)
    else:
        scope.delete(record)
    return Deleted(version_id, gone[0].delete_marker)


def copy_object(
    scope: Scope,
    storage: Storage,
    source: tuple[str, str, str | None],
    target: tuple[str, str],
    meta: ObjectMeta | None,
) -> tuple[Version, Version]:
    """Copy a version (hard link of the body); `meta` None keeps the source's (COPY)."""
    src_bucket, src_key, src_version = source
    original = queries.version(scope, src_bucket, src_key, src_version)
    bucket = queries.bucket(scope, target[0])
    check_key(target[1])
    if meta is None and (src_bucket, src_key) == target:
        raise errors.InvalidRequest.because(
            "This copy request is illegal because it is trying to copy an object to itself "
            "without changing the object's metadata, storage class, website redirect location "
            "or encryption attributes."
        )
    kept = meta or ObjectMeta(original.content_type, original.headers, original.metadata)
    blob = storage.duplicate(original.blob)
    version = object_version(
        scope, bucket, blob, original.size, original.etag, kept, original.checksum, original.parts
    )
    add_version(scope, storage, bucket, target[1], version)
    return original, version
