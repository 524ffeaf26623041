"""Managed policy handlers: customer managed policies, versions, tags, and the AWS
managed catalogue (read-only)."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.iam import managed, operations, queries, validation, wire


@handles("CreatePolicy")
def create_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.PolicySpec(
        name=params["PolicyName"],
        document=params["PolicyDocument"],
        path=params.get("Path") or "/",
        description=params.get("Description"),
        tags=validation.tags(params.get("Tags")),
    )
    return {"Policy": wire.policy(operations.create_policy(ctx, spec), 0)}


def _count(ctx: Scope, arn: str) -> int:
    return len(queries.attached_to(ctx, arn))


@handles("GetPolicy")
def get_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["PolicyArn"]
    known = managed.known(arn)
    if known is not None:
        return {"Policy": wire.aws_policy(known, _count(ctx, arn))}
    if managed.is_aws_managed(arn):
        raise errors.NoSuchPolicy(arn)
    return {"Policy": wire.policy(operations.require_policy(ctx, arn), _count(ctx, arn))}


@handles("ListPolicies")
def list_policies(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    scope = params.get("Scope") or "All"
    prefix = validation.path_prefix(params.get("PathPrefix"))
    rows: list[dict[str, Any]] = []
    if scope in ("All", "AWS"):
        rows += [wire.aws_policy(p, _count(ctx, p.arn)) for p in managed.CATALOGUE.values()]
    if scope in ("All", "Local"):
        rows += [wire.policy(p, _count(ctx, p.arn)) for p in queries.policies(ctx)]
    rows = [r for r in rows if r["Path"].startswith(prefix)]
    if params.get("OnlyAttached"):
        rows = [r for r in rows if r["AttachmentCount"]]
    for row in rows:
        row.pop("Tags", None)
    chunk, more = wire.page(rows, params, lambda r: r["Arn"])
    return {"Policies": chunk, **more}


@handles("DeletePolicy")
def delete_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_policy(ctx, params["PolicyArn"])
    return {}


@handles("CreatePolicyVersion")
def create_policy_version(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    version = operations.create_policy_version(
        ctx, params["PolicyArn"], params["PolicyDocument"], bool(params.get("SetAsDefault"))
    )
    default = operations.require_policy(ctx, params["PolicyArn"]).default_version
    return {"PolicyVersion": wire.version(version, default, with_document=False)}


@handles("GetPolicyVersion")
def get_policy_version(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn, version_id = params["PolicyArn"], params["VersionId"]
    known = managed.known(arn)
    if known is not None:
        if version_id != known.version:
            raise errors.NoSuchPolicyVersion(arn, version_id)
        return {
            "PolicyVersion": {
                "Document": wire.documents.wire(known.document),
                "VersionId": known.version,
                "IsDefaultVersion": True,
                "CreateDate": known.updated,
            }
        }
    if managed.is_aws_managed(arn):
        raise errors.NoSuchPolicy(arn)
    policy = operations.require_policy(ctx, arn)
    version = policy.version(version_id)
    if version is None:
        raise errors.NoSuchPolicyVersion(arn, version_id)
    return {"PolicyVersion": wire.version(version, policy.default_version)}


@handles("ListPolicyVersions")
def list_policy_versions(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    policy = operations.require_policy(ctx, params["PolicyArn"])
    newest_first = list(reversed(policy.versions))
    chunk, more = wire.page(newest_first, params, lambda v: v.version_id)
    versions = [wire.version(v, policy.default_version, with_document=False) for v in chunk]
    return {"Versions": versions, **more}


@handles("DeletePolicyVersion")
def delete_policy_version(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_policy_version(ctx, params["PolicyArn"], params["VersionId"])
    return {}


@handles("SetDefaultPolicyVersion")
def set_default_policy_version(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.set_default_version(ctx, params["PolicyArn"], params["VersionId"])
    return {}


@handles("TagPolicy")
def tag_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.tag_policy(ctx, params["PolicyArn"], validation.tags(params["Tags"]))
    return {}


@handles("UntagPolicy")
def untag_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.untag_policy(ctx, params["PolicyArn"], params["TagKeys"])
    return {}


@handles("ListPolicyTags")
def list_policy_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    policy = operations.require_policy(ctx, params["PolicyArn"])
    tags = [{"Key": k, "Value": v} for k, v in policy.tags.items()]
    chunk, more = wire.page(tags, params, lambda t: t["Key"])
    return {"Tags": chunk, **more}
