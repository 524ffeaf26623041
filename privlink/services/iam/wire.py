"""IAM's wire shapes (Role, Policy, PolicyVersion) and its Marker/MaxItems paging."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from privlink import errors
from privlink.domain import paging
from privlink.services.iam import documents, validation
from privlink.services.iam.managed import AwsManagedPolicy
from privlink.services.iam.records import ManagedPolicy, PolicyVersion, Role
from privlink.services.shared import tags as tag_rules

T = TypeVar("T")


def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], dict[str, Any]]:
    """One page and its IsTruncated/Marker members (100 items unless MaxItems says)."""
    size = validation.max_items(params.get("MaxItems"))
    try:
        chunk, marker = paging.page(items, size, params.get("Marker"), key, (1, 1000))
    except errors.InvalidPaginationToken as exc:
        raise errors.InvalidInput("Invalid Marker.") from exc
    return chunk, {"IsTruncated": marker is not None, "Marker": marker}


def role(r: Role, detail: bool = True) -> dict[str, Any]:
    """GetRole's full shape; ListRoles leaves out tags, boundary and last use."""
    out: dict[str, Any] = {
        "Path": r.path,
        "RoleName": r.name,
        "RoleId": r.role_id,
        "Arn": r.arn,
        "CreateDate": r.created,
        "AssumeRolePolicyDocument": documents.wire(r.trust_policy),
        "Description": r.description,
        "MaxSessionDuration": r.max_session_duration,
    }
    if detail:
        if r.permissions_boundary:
            out["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": r.permissions_boundary,
            }
        out["Tags"] = tag_rules.to_list(r.tags) or None
        out["RoleLastUsed"] = {}
    return out


def policy(p: ManagedPolicy, attachments: int) -> dict[str, Any]:
    return {
        "PolicyName": p.name,
        "PolicyId": p.policy_id,
        "Arn": p.arn,
        "Path": p.path,
        "DefaultVersionId": p.default_version,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "Description": p.description,
        "CreateDate": p.created,
        "UpdateDate": p.updated,
        "Tags": tag_rules.to_list(p.tags) or None,
    }


def aws_policy(p: AwsManagedPolicy, attachments: int) -> dict[str, Any]:
    return {
        "PolicyName": p.name,
        "PolicyId": p.policy_id,
        "Arn": p.arn,
        "Path": p.path,
        "DefaultVersionId": p.version,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "Description": p.description,
        "CreateDate": p.updated,
        "UpdateDate": p.updated,
    }


def version(v: PolicyVersion, default: str, with_document: bool = True) -> dict[str, Any]:
    return {
        "Document": documents.wire(v.document) if with_document else None,
        "VersionId": v.version_id,
        "IsDefaultVersion": v.version_id == default,
        "CreateDate": v.created,
    }
