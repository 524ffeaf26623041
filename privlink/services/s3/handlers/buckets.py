"""Bucket handlers: create/delete/head/list, location, versioning, public access, policy."""

from __future__ import annotations

from typing import Any

from privlink.api import Context
from privlink.services.s3 import queries
from privlink.services.s3.handlers.wire import handles, owner
from privlink.services.s3.operations import buckets
from privlink.services.s3.records import Bucket
from privlink.services.s3.storage import Storage

Params = dict[str, Any]


@handles("CreateBucket")
def create_bucket(storage: Storage, ctx: Context, params: Params) -> Params:
    config = params.get("CreateBucketConfiguration") or {}
    created = buckets.create_bucket(ctx, params["Bucket"], config.get("LocationConstraint"))
    if created.region == buckets.US_EAST_1:
        return {"Location": f"/{created.id}"}
    return {"Location": f"http://{created.id}.s3.amazonaws.com/"}


@handles("DeleteBucket")
def delete_bucket(storage: Storage, ctx: Context, params: Params) -> Params:
    buckets.delete_bucket(ctx, storage, params["Bucket"])
    return {}


@handles("HeadBucket")
def head_bucket(storage: Storage, ctx: Context, params: Params) -> Params:
    found = queries.bucket(ctx, params["Bucket"])
    return {"BucketRegion": found.region}


@handles("ListBuckets")
def list_buckets(storage: Storage, ctx: Context, params: Params) -> Params:
    prefix = params.get("Prefix") or ""
    mine = sorted(
        (b for b in ctx.uow.list(Bucket, account=ctx.account) if b.id.startswith(prefix)),
        key=lambda b: b.id,
    )
    region = params.get("BucketRegion")
    listed = [
        {"Name": b.id, "CreationDate": b.created, "BucketRegion": b.region}
        for b in mine
        if region is None or b.region == region
    ]
    out: Params = {"Buckets": listed, "Owner": owner(ctx.account)}
    if prefix:
        out["Prefix"] = prefix
    return out


@handles("GetBucketLocation")
def get_bucket_location(storage: Storage, ctx: Context, params: Params) -> Params:
    found = queries.bucket(ctx, params["Bucket"])
    return {"LocationConstraint": None if found.region == buckets.US_EAST_1 else found.region}


@handles("PutBucketVersioning")
def put_bucket_versioning(storage: Storage, ctx: Context, params: Params) -> Params:
    config = params.get("VersioningConfiguration") or {}
    buckets.set_versioning(ctx, params["Bucket"], config.get("Status", ""), config.get("MFADelete"))
    return {}


@handles("GetBucketVersioning")
def get_bucket_versioning(storage: Storage, ctx: Context, params: Params) -> Params:
    found = queries.bucket(ctx, params["Bucket"])
    out: Params = {}
    if found.versioning:
        out["Status"] = found.versioning
    if found.mfa_delete:
        out["MFADelete"] = found.mfa_delete
    return out


@handles("PutPublicAccessBlock")
def put_public_access_block(storage: Storage, ctx: Context, params: Params) -> Params:
    config = params.get("PublicAccessBlockConfiguration") or {}
    buckets.set_public_access_block(ctx, params["Bucket"], config)
    return {}


@handles("GetPublicAccessBlock")
def get_public_access_block(storage: Storage, ctx: Context, params: Params) -> Params:
    config = buckets.public_access_block(ctx, params["Bucket"])
    return {"PublicAccessBlockConfiguration": config}


@handles("DeletePublicAccessBlock")
def delete_public_access_block(storage: Storage, ctx: Context, params: Params) -> Params:
    buckets.delete_public_access_block(ctx, params["Bucket"])
    return {}


@handles("PutBucketPolicy")
def put_bucket_policy(storage: Storage, ctx: Context, params: Params) -> Params:
    buckets.set_policy(ctx, params["Bucket"], params.get("Policy") or "")
    return {}


@handles("GetBucketPolicy")
def get_bucket_policy(storage: Storage, ctx: Context, params: Params) -> Params:
    return {"Policy": buckets.policy(ctx, params["Bucket"])}


@handles("DeleteBucketPolicy")
def delete_bucket_policy(storage: Storage, ctx: Context, params: Params) -> Params:
    buckets.delete_policy(ctx, params["Bucket"])
    return {}
