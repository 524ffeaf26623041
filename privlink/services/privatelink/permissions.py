"""Who may discover and connect to an endpoint service.

Nobody but the owner, until the provider allows principals. Because privlink
identifies callers by account, any allowed principal of an account (root,
role or user) admits that whole account; ``*`` admits everyone.
"""

from __future__ import annotations

import re
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink.records import EndpointService, ServicePermission
from privlink.store.unit import UnitOfWork

_IAM = re.compile(
    r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}):"
    r"(?P<what>root|role/[\w+=,.@-]+|user/[\w+=,.@-]+)$"
)
_OU = re.compile(r"^arn:aws[a-z-]*:organizations::\d{12}:ou/o-[a-z0-9]+/ou-[a-z0-9-]+$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com$")


def principal_type(principal: str) -> str:
    """PrincipalType of an allowed principal string, or InvalidPrincipal."""
    if principal == "*":
        return "All"
    match = _IAM.match(principal)
    if match:
        what = match["what"]
        return "Account" if what == "root" else ("Role" if what.startswith("role/") else "User")
    if _OU.match(principal):
        return "OrganizationUnit"
    if _SERVICE.match(principal):
        return "Service"
    raise errors.InvalidPrincipal(f"Invalid principal: {principal}")


def principal_account(principal: str) -> str | None:
    match = _IAM.match(principal)
    return match["account"] if match else None


def may_use(uow: UnitOfWork, service: EndpointService, account: str) -> bool:
    """Whether `account` may see the service and connect to it (the owner always may)."""
    if service.account == account:
        return True
    for permission in uow.list(ServicePermission, parent=service.id):
        if permission.principal == "*" or principal_account(permission.principal) == account:
            return True
    return False


def _wire(p: ServicePermission, with_tags: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PrincipalType": p.principal_type,
        "Principal": p.principal,
        "ServicePermissionId": p.id,
        "ServiceId": p.service_id,
    }
    if with_tags:
        out["Tags"] = [{"Key": k, "Value": v} for k, v in p.tags.items()] or None
    return out


@handles("ModifyVpcEndpointServicePermissions")
def modify(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    service = common.own_service(ctx, params["ServiceId"])
    add = list(dict.fromkeys(params.get("AddAllowedPrincipals") or []))
    remove = set(params.get("RemoveAllowedPrincipals") or [])
    types = {principal: principal_type(principal) for principal in add}
    current = ctx.uow.list(ServicePermission, parent=service.id)
    for permission in current:
        if permission.principal in remove:
            ctx.uow.delete(permission)
    held = {p.principal for p in current if p.principal not in remove}
    added: list[ServicePermission] = []
    for principal in add:
        if principal in held:
            continue
        permission = ServicePermission(
            id=ctx.new_id("vpce-svc-perm"),
            account=ctx.account,
            region=ctx.region,
            service_id=service.id,
            principal=principal,
            principal_type=types[principal],
        )
        ctx.uow.add(permission)
        added.append(permission)
        held.add(principal)
    return {
        "AddedPrincipals": [_wire(p, with_tags=False) for p in added] or None,
        "ReturnValue": True,
    }


FILTERS: dict[str, filters.Getter] = {
    "principal": lambda p: p.principal,
    "principal-type": lambda p: p.principal_type,
}


@handles("DescribeVpcEndpointServicePermissions")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    service = common.own_service(ctx, params["ServiceId"])
    items = ctx.uow.list(ServicePermission, parent=service.id)
    items = filters.apply(items, params.get("Filters"), FILTERS)
    chunk, token = paging.page(
        items, params.get("MaxResults"), params.get("NextToken"), lambda p: p.id
    )
    return {"AllowedPrincipals": [_wire(p) for p in chunk], "NextToken": token}


def forget_service(ctx: Scope, service_id: str) -> None:
    for permission in ctx.uow.list(ServicePermission, parent=service_id):
        ctx.uow.delete(permission)
