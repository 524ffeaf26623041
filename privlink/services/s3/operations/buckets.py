"""Buckets: create (names global across accounts), delete, versioning, public access, policy."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.s3 import queries
from privlink.services.s3.records import Bucket, ObjectKey, Upload
from privlink.services.s3.storage import Storage

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
US_EAST_1 = "us-east-1"
PUBLIC_ACCESS_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


def check_name(name: str) -> None:
    """S3's general purpose bucket naming rules."""
    valid = (
        bool(_NAME.match(name))
        and ".." not in name
        and not name.startswith(_BAD_PREFIXES)
        and not name.endswith(_BAD_SUFFIXES)
        and not _is_ip(name)
    )
    if not valid:
        raise errors.InvalidBucketName(name)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def _check_location(scope: Scope, location: str | None) -> None:
    if location is None:
        if scope.region != US_EAST_1:
            raise errors.IllegalLocationConstraintException()
        return
    if location == US_EAST_1 or (location and location != scope.region):
        if scope.region == US_EAST_1 and location == US_EAST_1:
            raise errors.InvalidLocationConstraint()
        raise errors.IllegalLocationConstraintException.because(
            f"The {location} location constraint is incompatible for the region specific "
            "endpoint this request was sent to."
        )


def create_bucket(scope: Scope, name: str, location: str | None = None) -> Bucket:
    check_name(name)
    _check_location(scope, location)
    existing = scope.foreign(Bucket, name)
    if existing is not None:
        if existing.account == scope.account:
            raise errors.BucketAlreadyOwnedByYou(name)
        raise errors.BucketAlreadyExists(name)
    bucket = Bucket(id=name, account=scope.account, region=scope.region, created=scope.now())
    scope.add(bucket)
    return bucket


def delete_bucket(scope: Scope, storage: Storage, name: str) -> None:
    """Only an empty bucket goes (no object versions, no delete markers); open uploads go too."""
    bucket = queries.bucket(scope, name)
    if scope.uow.count(ObjectKey, name):
        raise errors.BucketNotEmpty(name)
    for upload in scope.uow.list(Upload, parent=name):
        scope.delete(upload)
        blobs = [part.blob for part in upload.parts.values()]
        storage.remove_later(scope.after_commit, blobs)
    scope.delete(bucket)


def set_versioning(scope: Scope, name: str, status: str, mfa_delete: str | None = None) -> None:
    if status not in ("Enabled", "Suspended") or mfa_delete not in (None, "Enabled", "Disabled"):
        raise errors.MalformedXML()
    bucket = queries.bucket(scope, name)
    bucket.versioning = status
    bucket.mfa_delete = mfa_delete or bucket.mfa_delete
    scope.put(bucket)


def set_public_access_block(scope: Scope, name: str, config: dict[str, bool]) -> None:
    flags = {k: bool(config[k]) for k in PUBLIC_ACCESS_FLAGS if config.get(k) is not None}
    if not flags:
        raise errors.InvalidRequest.because("Must specify at least one configuration.")
    bucket = queries.bucket(scope, name)
    bucket.public_access_block = {k: flags.get(k, False) for k in PUBLIC_ACCESS_FLAGS}
    scope.put(bucket)


def public_access_block(scope: Scope, name: str) -> dict[str, bool]:
    bucket = queries.bucket(scope, name)
    if bucket.public_access_block is None:
        raise errors.NoSuchPublicAccessBlockConfiguration(name)
    return bucket.public_access_block


def delete_public_access_block(scope: Scope, name: str) -> None:
    bucket = queries.bucket(scope, name)
    bucket.public_access_block = None
    scope.put(bucket)


def set_policy(scope: Scope, name: str, policy: str) -> None:
    """Stored as given once it parses as a bucket policy (not evaluated on requests)."""
    bucket = queries.bucket(scope, name)
    _check_policy(policy, name)
    bucket.policy = policy
    scope.put(bucket)


def policy(scope: Scope, name: str) -> str:
    bucket = queries.bucket(scope, name)
    if bucket.policy is None:
        raise errors.NoSuchBucketPolicy(name)
    return bucket.policy


def delete_policy(scope: Scope, name: str) -> None:
    bucket = queries.bucket(scope, name)
    bucket.policy = None
    scope.put(bucket)


def _check_policy(text: str, bucket: str) -> None:
    try:
        document = json.loads(text) if text.lstrip().startswith("{") else None
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise errors.MalformedPolicy()
    statements = document.get("Statement")
    if not statements:
        raise errors.MalformedPolicy.because("Missing required field Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        _check_statement(statement, bucket)


def _check_statement(statement: Any, bucket: str) -> None:
    if not isinstance(statement, dict):
        raise errors.MalformedPolicy.because("Statement is not a JSON object")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise errors.MalformedPolicy.because(f"Invalid effect: {statement.get('Effect')}")
    for required, either in (("Principal", "NotPrincipal"), ("Action", "NotAction")):
        if required not in statement and either not in statement:
            raise errors.MalformedPolicy.because(f"Missing required field {required}")
    resources = statement.get("Resource", statement.get("NotResource"))
    if resources is None:
        raise errors.MalformedPolicy.because("Missing required field Resource")
    for resource in resources if isinstance(resources, list) else [resources]:
        arn = str(resource)
        if arn != "*" and not (
            arn == f"arn:aws:s3:::{bucket}" or arn.startswith(f"arn:aws:s3:::{bucket}/")
        ):
            raise errors.MalformedPolicy.because("Policy has invalid resource")
