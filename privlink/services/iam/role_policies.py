"""Handlers for a role's inline policies and attached managed policies."""

from __future__ import annotations

from typing import Any

from privlink.api import Scope, handles
from privlink.services.iam import documents, managed, operations, queries, validation, wire


@handles("PutRolePolicy")
def put_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.put_inline_policy(
        ctx, params["RoleName"], params["PolicyName"], params["PolicyDocument"]
    )
    return {}


@handles("GetRolePolicy")
def get_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    role, name = params["RoleName"], params["PolicyName"]
    document = operations.inline_policy(ctx, role, name)
    return {
        "RoleName": queries.require_role(ctx, role).name,
        "PolicyName": name,
        "PolicyDocument": documents.wire(document),
    }


@handles("ListRolePolicies")
def list_role_policies(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    names = sorted(queries.require_role(ctx, params["RoleName"]).inline_policies)
    chunk, more = wire.page(names, params, lambda n: n)
    return {"PolicyNames": chunk, **more}


@handles("DeleteRolePolicy")
def delete_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_inline_policy(ctx, params["RoleName"], params["PolicyName"])
    return {}


@handles("AttachRolePolicy")
def attach_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.attach_policy(ctx, params["RoleName"], params["PolicyArn"])
    return {}


@handles("DetachRolePolicy")
def detach_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.detach_policy(ctx, params["RoleName"], params["PolicyArn"])
    return {}


@handles("ListAttachedRolePolicies")
def list_attached_role_policies(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    role = queries.require_role(ctx, params["RoleName"])
    prefix = validation.path_prefix(params.get("PathPrefix"))
    arns = [a for a in role.attached if _path(a).startswith(prefix)]
    chunk, more = wire.page(arns, params, lambda a: a)
    attached = [{"PolicyName": managed.name_of(a), "PolicyArn": a} for a in chunk]
    return {"AttachedPolicies": attached, **more}


def _path(arn: str) -> str:
    """The path part of a managed policy ARN ("/service-role/" ...)."""
    resource = arn.split(":policy", 1)[-1]
    return resource.rsplit("/", 1)[0] + "/"
