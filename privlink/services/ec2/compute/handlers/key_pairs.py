"""Key pair handlers and wire shapes: wire input -> operation -> wire output."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.compute import key_pairs
from privlink.services.ec2.records import KeyPair
from privlink.services.shared.describe import narrow


def wire_key(key: KeyPair, with_public_key: bool = False) -> dict[str, Any]:
    return {
        "KeyPairId": key.id,
        "KeyType": key.key_type,
        "Tags": tag_wire.wire(key.tags),
        "PublicKey": key.public_key if with_public_key else None,
        "CreateTime": key.create_time,
        "KeyName": key.name,
        "KeyFingerprint": key.fingerprint,
    }


KEY_FILTERS = {
    "key-pair-id": lambda k: k.id,
    "fingerprint": lambda k: k.fingerprint,
    "key-name": lambda k: k.name,
}


@handles("CreateKeyPair")
def create_key_pair(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    key, material = key_pairs.create_key_pair(
        ctx,
        params["KeyName"],
        params.get("KeyType") or "rsa",
        params.get("KeyFormat") or "pem",
        tag_wire.for_type(params, "key-pair"),
    )
    return {
        "KeyPairId": key.id,
        "Tags": tag_wire.wire(key.tags),
        "KeyName": key.name,
        "KeyFingerprint": key.fingerprint,
        "KeyMaterial": material,
    }


def _material(value: Any) -> bytes:
    """PublicKeyMaterial arrives base64-encoded (botocore encodes the blob)."""
    try:
        return base64.b64decode(value, validate=True) if isinstance(value, str) else bytes(value)
    except (binascii.Error, ValueError) as exc:
        raise errors.InvalidKeyPairFormat() from exc


@handles("ImportKeyPair")
def import_key_pair(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = tag_wire.for_type(params, "key-pair")
    key = key_pairs.import_key_pair(
        ctx, params["KeyName"], _material(params["PublicKeyMaterial"]), tags
    )
    return {
        "KeyFingerprint": key.fingerprint,
        "KeyName": key.name,
        "KeyPairId": key.id,
        "Tags": tag_wire.wire(key.tags),
    }


@handles("DescribeKeyPairs")
def describe_key_pairs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chosen = [key_pairs.by_name(ctx, n) for n in params.get("KeyNames") or []]
    ids = params.get("KeyPairIds") or []
    chosen += ctx.require_all(KeyPair, ids) if ids else []
    if not params.get("KeyNames") and not ids:
        chosen = ctx.list(KeyPair)
    found, _ = narrow(list({k.id: k for k in chosen}.values()), params, KEY_FILTERS, lambda k: k.id)
    with_public = bool(params.get("IncludePublicKey"))
    return {"KeyPairs": [wire_key(k, with_public) for k in found]}


@handles("DeleteKeyPair")
def delete_key_pair(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    deleted = key_pairs.delete_key_pair(ctx, params.get("KeyName"), params.get("KeyPairId"))
    return {"Return": True, "KeyPairId": deleted}
