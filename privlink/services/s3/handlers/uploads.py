"""Multipart upload handlers: create, upload part, list parts and uploads, complete, abort."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context
from privlink.services.s3 import checksums, queries
from privlink.services.s3.handlers.wire import handles, meta_of, owner, version_id
from privlink.services.s3.operations import uploads
from privlink.services.s3.records import Part, Upload
from privlink.services.s3.storage import Storage

Params = dict[str, Any]


def _target(params: Params) -> tuple[str, str, str]:
    return params["Bucket"], params["Key"], params["UploadId"]


@handles("CreateMultipartUpload")
def create_multipart_upload(storage: Storage, ctx: Context, params: Params) -> Params:
    created = uploads.create_upload(
        ctx,
        params["Bucket"],
        params["Key"],
        meta_of(params),
        params.get("ChecksumAlgorithm"),
        params.get("ChecksumType"),
    )
    out: Params = {"Bucket": created.bucket, "Key": created.key, "UploadId": created.id}
    if created.checksum_algorithm:
        out["ChecksumAlgorithm"] = created.checksum_algorithm
        out["ChecksumType"] = created.checksum_type
    return out


@handles("UploadPart")
def upload_part(storage: Storage, ctx: Context, params: Params) -> Params:
    body = params.get("Body")
    if body is None:
        raise errors.IncompleteBody()
    part = uploads.upload_part(ctx, storage, _target(params), params["PartNumber"], body)
    wire = checksums.wire(part.checksum)
    wire.pop("ChecksumType", None)
    return {"ETag": part.etag, **wire}


@handles("CompleteMultipartUpload")
def complete_multipart_upload(storage: Storage, ctx: Context, params: Params) -> Params:
    given = (params.get("MultipartUpload") or {}).get("Parts") or []
    chosen = [
        uploads.ChosenPart(
            p.get("PartNumber", 0),
            p.get("ETag", ""),
            {a: p[f"Checksum{a}"] for a in checksums.MEMBERS if p.get(f"Checksum{a}")},
        )
        for p in given
    ]
    version = uploads.complete_upload(ctx, storage, _target(params), chosen)
    bucket = queries.bucket(ctx, params["Bucket"])
    return {
        "Location": f"http://{bucket.id}.s3.amazonaws.com/{params['Key']}",
        "Bucket": bucket.id,
        "Key": params["Key"],
        "ETag": version.etag,
        **checksums.wire(version.checksum),
        **version_id(bucket, version),
    }


@handles("AbortMultipartUpload")
def abort_multipart_upload(storage: Storage, ctx: Context, params: Params) -> Params:
    uploads.abort_upload(ctx, storage, _target(params))
    return {}


def _part(part: Part) -> Params:
    wire = checksums.wire(part.checksum)
    wire.pop("ChecksumType", None)
    return {
        "PartNumber": part.number,
        "LastModified": part.last_modified,
        "ETag": part.etag,
        "Size": part.size,
        **wire,
    }


@handles("ListParts")
def list_parts(storage: Storage, ctx: Context, params: Params) -> Params:
    found = uploads.upload(ctx, *_target(params))
    marker = params.get("PartNumberMarker") or 0
    limit = min(params.get("MaxParts", 1000), 1000)
    numbers = sorted(n for n in found.parts if n > marker)
    shown = numbers[:limit]
    out: Params = {
        "Bucket": found.bucket,
        "Key": found.key,
        "UploadId": found.id,
        "PartNumberMarker": marker,
        "MaxParts": limit,
        "IsTruncated": len(numbers) > limit,
        "Parts": [_part(found.parts[n]) for n in shown],
        "Initiator": owner(found.owner),
        "Owner": owner(found.owner),
        "StorageClass": "STANDARD",
    }
    if shown:
        out["NextPartNumberMarker"] = shown[-1]
    if found.checksum_algorithm:
        out["ChecksumAlgorithm"] = found.checksum_algorithm
        out["ChecksumType"] = found.checksum_type
    return out


@handles("ListMultipartUploads")
def list_multipart_uploads(storage: Storage, ctx: Context, params: Params) -> Params:
    queries.bucket(ctx, params["Bucket"])
    prefix = params.get("Prefix") or ""
    open_uploads = sorted(
        (u for u in ctx.uow.list(Upload, parent=params["Bucket"]) if u.key.startswith(prefix)),
        key=lambda u: (u.key, u.initiated),
    )
    return {
        "Bucket": params["Bucket"],
        "Prefix": prefix,
        "MaxUploads": params.get("MaxUploads", 1000),
        "IsTruncated": False,
        "Uploads": [
            {
                "UploadId": u.id,
                "Key": u.key,
                "Initiated": u.initiated,
                "StorageClass": "STANDARD",
                "Owner": owner(u.owner),
                "Initiator": owner(u.owner),
            }
            for u in open_uploads
        ],
    }
