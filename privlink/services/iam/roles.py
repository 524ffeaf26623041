"""Role handlers: wire <-> operations for roles, their tags and service-linked roles."""

from __future__ import annotations

from typing import Any

from privlink.api import Scope, handles
from privlink.services.iam import operations, queries, validation, wire
from privlink.services.shared import tags as tag_rules


@handles("CreateRole")
def create_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.RoleSpec(
        name=params["RoleName"],
        trust_policy=params["AssumeRolePolicyDocument"],
        path=params.get("Path") or "/",
        description=params.get("Description"),
        max_session_duration=params.get("MaxSessionDuration") or 3600,
        permissions_boundary=params.get("PermissionsBoundary"),
        tags=validation.tags(params.get("Tags")),
    )
    role = operations.create_role(ctx, spec)
    out = wire.role(role)
    out.pop("RoleLastUsed")
    return {"Role": out}


@handles("GetRole")
def get_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {"Role": wire.role(queries.require_role(ctx, params["RoleName"]))}


@handles("ListRoles")
def list_roles(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    prefix = validation.path_prefix(params.get("PathPrefix"))
    roles = [r for r in queries.roles(ctx) if r.path.startswith(prefix)]
    chunk, more = wire.page(roles, params, lambda r: r.name)
    return {"Roles": [wire.role(r, detail=False) for r in chunk], **more}


@handles("DeleteRole")
def delete_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_role(ctx, params["RoleName"])
    return {}


@handles("UpdateAssumeRolePolicy")
def update_assume_role_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.update_trust_policy(ctx, params["RoleName"], params["PolicyDocument"])
    return {}


@handles("UpdateRole")
def update_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.update_role(
        ctx, params["RoleName"], params.get("Description"), params.get("MaxSessionDuration")
    )
    return {}


@handles("UpdateRoleDescription")
def update_role_description(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    role = operations.update_role(ctx, params["RoleName"], params["Description"], None)
    return {"Role": wire.role(role)}


@handles("TagRole")
def tag_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.tag_role(ctx, params["RoleName"], validation.tags(params["Tags"]))
    return {}


@handles("UntagRole")
def untag_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.untag_role(ctx, params["RoleName"], params["TagKeys"])
    return {}


@handles("ListRoleTags")
def list_role_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    role = queries.require_role(ctx, params["RoleName"])
    chunk, more = wire.page(tag_rules.to_list(role.tags), params, lambda t: t["Key"])
    return {"Tags": chunk, **more}


@handles("CreateServiceLinkedRole")
def create_service_linked_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    role = operations.create_service_linked_role(
        ctx, params["AWSServiceName"], params.get("Description"), params.get("CustomSuffix")
    )
    out = wire.role(role)
    out.pop("RoleLastUsed")
    return {"Role": out}


@handles("DeleteServiceLinkedRole")
def delete_service_linked_role(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {"DeletionTaskId": operations.delete_service_linked_role(ctx, params["RoleName"])}


@handles("GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {"Status": operations.deletion_status(ctx, params["DeletionTaskId"])}
