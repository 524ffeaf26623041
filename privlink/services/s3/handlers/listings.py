"""Listing handlers: ListObjectsV2, ListObjects, ListObjectVersions (EncodingType=url too)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

from privlink import errors
from privlink.api import Context
from privlink.services.s3 import listing
from privlink.services.s3.handlers.wire import handles, owner
from privlink.services.s3.records import Version
from privlink.services.s3.storage import Storage

Params = dict[str, Any]


def _encoder(params: Params) -> Any:
    if params.get("EncodingType") == "url":
        return lambda text: quote(text, safe="/")
    return lambda text: text


def _max_keys(params: Params) -> int:
    value = params.get("MaxKeys", 1000)
    if value < 0:
        raise errors.InvalidArgument.because("max-keys cannot be negative")
    return min(value, 1000)


def _common(params: Params, page: listing.Page) -> Params:
    encode = _encoder(params)
    out: Params = {
        "Name": params["Bucket"],
        "Prefix": encode(params.get("Prefix") or ""),
        "MaxKeys": params.get("MaxKeys", 1000),
        "IsTruncated": page.truncated,
    }
    if params.get("Delimiter"):
        out["Delimiter"] = encode(params["Delimiter"])
    if params.get("EncodingType"):
        out["EncodingType"] = params["EncodingType"]
    if page.prefixes:
        out["CommonPrefixes"] = [{"Prefix": encode(p)} for p in page.prefixes]
    return out


def _content(key: str, version: Version, encode: Any, with_owner: bool) -> Params:
    entry: Params = {
        "Key": encode(key),
        "LastModified": version.last_modified,
        "ETag": version.etag,
        "Size": version.size,
        "StorageClass": "STANDARD",
    }
    if version.checksum is not None:
        entry["ChecksumAlgorithm"] = [version.checksum.algorithm]
        entry["ChecksumType"] = version.checksum.type
    if with_owner:
        entry["Owner"] = owner(version.owner)
    return entry


def _token(marker: str | None) -> str | None:
    return base64.urlsafe_b64encode(marker.encode()).decode() if marker else None


def _after_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise errors.InvalidArgument.because(
            "The continuation token provided is incorrect"
        ) from exc


@handles("ListObjectsV2")
def list_objects_v2(storage: Storage, ctx: Context, params: Params) -> Params:
    token = params.get("ContinuationToken")
    after = _after_token(token) if token else params.get("StartAfter") or ""
    page = listing.objects(
        ctx,
        params["Bucket"],
        params.get("Prefix") or "",
        params.get("Delimiter") or "",
        _max_keys(params),
        after,
    )
    encode = _encoder(params)
    out = _common(params, page)
    out["KeyCount"] = len(page.entries) + len(page.prefixes)
    if page.entries:
        owned = bool(params.get("FetchOwner"))
        out["Contents"] = [_content(k, v, encode, owned) for k, v, _ in page.entries]
    if token:
        out["ContinuationToken"] = token
    if params.get("StartAfter"):
        out["StartAfter"] = encode(params["StartAfter"])
    if page.truncated:
        out["NextContinuationToken"] = _token(page.next_marker)
    return out


@handles("ListObjects")
def list_objects(storage: Storage, ctx: Context, params: Params) -> Params:
    marker = params.get("Marker") or ""
    page = listing.objects(
        ctx,
        params["Bucket"],
        params.get("Prefix") or "",
        params.get("Delimiter") or "",
        _max_keys(params),
        marker,
    )
    encode = _encoder(params)
    out = _common(params, page)
    out["Marker"] = encode(marker)
    if page.entries:
        out["Contents"] = [_content(k, v, encode, True) for k, v, _ in page.entries]
    if page.truncated and params.get("Delimiter") and page.next_marker:
        out["NextMarker"] = encode(page.next_marker)
    return out


@handles("ListObjectVersions")
def list_object_versions(storage: Storage, ctx: Context, params: Params) -> Params:
    key_marker = params.get("KeyMarker") or ""
    page = listing.versions(
        ctx,
        params["Bucket"],
        params.get("Prefix") or "",
        params.get("Delimiter") or "",
        _max_keys(params),
        key_marker,
        params.get("VersionIdMarker") or "",
    )
    encode = _encoder(params)
    out = _common(params, page)
    out["KeyMarker"] = encode(key_marker)
    out["VersionIdMarker"] = params.get("VersionIdMarker") or ""
    versions, markers = [], []
    for key, version, latest in page.entries:
        entry = {
            "Key": encode(key),
            "VersionId": version.version_id,
            "IsLatest": latest,
            "LastModified": version.last_modified,
            "Owner": owner(version.owner),
        }
        if version.delete_marker:
            markers.append(entry)
        else:
            content = _content(key, version, encode, False)
            versions.append({**entry, **{k: content[k] for k in ("ETag", "Size", "StorageClass")}})
    if versions:
        out["Versions"] = versions
    if markers:
        out["DeleteMarkers"] = markers
    if page.truncated:
        out["NextKeyMarker"] = encode(page.next_marker or "")
        if page.next_version:
            out["NextVersionIdMarker"] = page.next_version
    return out
