"""Reads other code builds on: a caller's bucket, a key's version.

Buckets are global: a name resolves in any region, and another account's
bucket answers AccessDenied (bucket policies are stored, not evaluated).
"""

from __future__ import annotations

import re

from privlink import errors
from privlink.api import Scope
from privlink.services.s3.records import NULL_VERSION, Bucket, ObjectKey, Upload, Version, key_id

_VERSION_ID = re.compile(r"^[A-Za-z0-9._-]{32}$")


def bucket(scope: Scope, name: str) -> Bucket:
    found = scope.foreign(Bucket, name)
    if found is None:
        raise errors.NoSuchBucket(name)
    if found.account != scope.account:
        raise errors.AccessDenied()
    return found


def object_key(scope: Scope, bucket_name: str, key: str) -> ObjectKey | None:
    bucket(scope, bucket_name)
    return scope.foreign(ObjectKey, key_id(bucket_name, key))


def check_version_id(version_id: str) -> None:
    if version_id != NULL_VERSION and not _VERSION_ID.match(version_id):
        raise errors.InvalidArgument.because("Invalid version id specified")


def version(scope: Scope, bucket_name: str, key: str, version_id: str | None = None) -> Version:
    """The version a read asks for: the latest, or a given one (delete markers refuse reads)."""
    if version_id is not None:
        check_version_id(version_id)
    found = object_key(scope, bucket_name, key)
    if version_id is None:
        latest = found.latest if found else None
        if latest is None or latest.delete_marker:
            raise errors.NoSuchKey(key)
        return latest
    match = next((v for v in found.versions if v.version_id == version_id), None) if found else None
    if match is None:
        raise errors.NoSuchVersion(version_id)
    if match.delete_marker:
        raise errors.MethodNotAllowed()
    return match


def referenced_blobs(scope: Scope) -> set[str]:
    """Every body file a record of any account names: object versions and upload parts.
    Read once per process, by the start-up sweep of bodies no commit kept."""
    uow = scope.uow
    return {v.blob for k in uow.list(ObjectKey) for v in k.versions if v.blob} | {
        p.blob for u in uow.list(Upload) for p in u.parts.values()
    }
