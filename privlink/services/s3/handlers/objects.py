"""Object handlers: put, get and head (ranges, versions, checksums), delete, copy."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from privlink import errors
from privlink.api import Context
from privlink.errors import AwsError
from privlink.services.s3 import checksums, queries
from privlink.services.s3.handlers.wire import handles, meta_of, object_headers, version_id
from privlink.services.s3.operations import objects
from privlink.services.s3.records import Version
from privlink.services.s3.storage import Storage, StoredBody

Params = dict[str, Any]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a single byte range; None serves the whole object."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise errors.InvalidRange(header or "")
    return start, end


@handles("PutObject")
def put_object(storage: Storage, ctx: Context, params: Params) -> Params:
    body = params.get("Body")
    if body is None:
        raise errors.IncompleteBody()
    version = objects.put_object(
        ctx, storage, params["Bucket"], params["Key"], body, meta_of(params)
    )
    bucket = queries.bucket(ctx, params["Bucket"])
    return {"ETag": version.etag, **version_id(bucket, version), **checksums.wire(version.checksum)}


def _read(ctx: Context, params: Params) -> tuple[Version, Params, tuple[int, int] | None]:
    bucket = queries.bucket(ctx, params["Bucket"])
    version = queries.version(ctx, params["Bucket"], params["Key"], params.get("VersionId"))
    span = _range(params.get("Range"), version.size)
    wanted = params.get("ChecksumMode") == "ENABLED" and span is None
    out = {**object_headers(version, wanted), **version_id(bucket, version)}
    if version.parts:
        out["PartsCount"] = version.parts
    if span is None:
        out["ContentLength"] = version.size
    else:
        out["ContentLength"] = span[1] - span[0] + 1
        out["ContentRange"] = f"bytes {span[0]}-{span[1]}/{version.size}"
    return version, out, span


@handles("GetObject")
def get_object(storage: Storage, ctx: Context, params: Params) -> Params:
    version, out, span = _read(ctx, params)
    start = span[0] if span else 0
    out["Body"] = StoredBody(storage.path(version.blob), start, out["ContentLength"])
    return out


@handles("HeadObject")
def head_object(storage: Storage, ctx: Context, params: Params) -> Params:
    return _read(ctx, params)[1]


def _deleted(result: objects.Deleted) -> Params:
    out: Params = {}
    if result.delete_marker:
        out["DeleteMarker"] = True
    if result.version_id is not None:
        out["VersionId"] = result.version_id
    return out


@handles("DeleteObject")
def delete_object(storage: Storage, ctx: Context, params: Params) -> Params:
    result = objects.delete_object(
        ctx, storage, params["Bucket"], params["Key"], params.get("VersionId")
    )
    return _deleted(result)


@handles("DeleteObjects")
def delete_objects(storage: Storage, ctx: Context, params: Params) -> Params:
    """Each key on its own: one that fails is reported in Errors, the others still go."""
    request = params.get("Delete") or {}
    queries.bucket(ctx, params["Bucket"])
    deleted: list[Params] = []
    failed: list[Params] = []
    for item in request.get("Objects") or []:
        key, wanted = item.get("Key", ""), item.get("VersionId")
        try:
            result = objects.delete_object(ctx, storage, params["Bucket"], key, wanted)
        except AwsError as error:
            failed.append({"Key": key, "Code": error.code, "Message": error.message})
            continue
        entry: Params = {"Key": key}
        if wanted is not None:
            entry["VersionId"] = wanted
            if result.delete_marker:
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = wanted
        elif result.delete_marker:
            entry.update(DeleteMarker=True, DeleteMarkerVersionId=result.version_id)
        deleted.append(entry)
    out: Params = {"Errors": failed} if failed else {}
    if not request.get("Quiet") and deleted:
        out["Deleted"] = deleted
    return out


def _copy_source(raw: str) -> tuple[str, str, str | None]:
    path, _, query = raw.partition("?")
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    version = query.removeprefix("versionId=") if query.startswith("versionId=") else None
    if not bucket or not key:
        raise errors.InvalidArgument.because("Invalid copy source object key")
    return bucket, key, version


@handles("CopyObject")
def copy_object(storage: Storage, ctx: Context, params: Params) -> Params:
    source = _copy_source(params["CopySource"])
    replace = params.get("MetadataDirective") == "REPLACE"
    original, version = objects.copy_object(
        ctx,
        storage,
        source,
        (params["Bucket"], params["Key"]),
        meta_of(params) if replace else None,
    )
    result = {
        "ETag": version.etag,
        "LastModified": version.last_modified,
        **{k: v for k, v in checksums.wire(version.checksum).items() if k != "ChecksumType"},
    }
    out: Params = {"CopyObjectResult": result}
    out.update(version_id(queries.bucket(ctx, params["Bucket"]), version))
    if queries.bucket(ctx, source[0]).versioning is not None:
        out["CopySourceVersionId"] = original.version_id
    return out
