"""Wire pieces the S3 handlers share: object metadata in and out, owners, timestamps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from privlink.api import handles as mark
from privlink.services.s3 import checksums
from privlink.services.s3.operations.objects import ObjectMeta
from privlink.services.s3.records import Bucket, Version

Params = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])


def handles(operation: str) -> Callable[[F], F]:
    """`privlink.api.handles` for S3 handlers, which take the Storage first (service.py binds
    it): `(storage, ctx, params) -> output`."""
    return cast(Callable[[F], F], mark(operation))


# Representation headers S3 stores with an object and returns on reads, by member name.
REPRESENTATION = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage")


def meta_of(params: dict[str, Any]) -> ObjectMeta:
    headers = {k: str(params[k]) for k in REPRESENTATION if params.get(k)}
    encoding = [e for e in headers.get("ContentEncoding", "").split(",") if e.strip()]
    encoding = [e for e in encoding if e.strip() != "aws-chunked"]  # transfer, not content
    if encoding:
        headers["ContentEncoding"] = ",".join(encoding)
    else:
        headers.pop("ContentEncoding", None)
    return ObjectMeta(params.get("ContentType"), headers, dict(params.get("Metadata") or {}))


def owner(account: str) -> dict[str, str]:
    return {"ID": account, "DisplayName": account}


def version_id(bucket: Bucket, version: Version) -> dict[str, str]:
    """x-amz-version-id appears once a bucket has had versioning configured."""
    return {"VersionId": version.version_id} if bucket.versioning is not None else {}


def object_headers(version: Version, with_checksum: bool) -> dict[str, Any]:
    """What GetObject and HeadObject say about a version besides its bytes."""
    out: dict[str, Any] = {
        "ETag": version.etag,
        "LastModified": version.last_modified,
        "ContentType": version.content_type,
        "AcceptRanges": "bytes",
        **version.headers,
    }
    if version.metadata:
        out["Metadata"] = version.metadata
    if with_checksum:
        out.update(checksums.wire(version.checksum))
    return out
