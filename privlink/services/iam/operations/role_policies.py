"""A role's permissions: inline policies (put/delete) and attached managed policies."""

from __future__ import annotations

from privlink import errors
from privlink.api import Scope
from privlink.services.iam import documents, validation
from privlink.services.iam.operations.roles import check_attachable, modifiable_role
from privlink.services.iam.queries import global_scope, require_role

MAX_ATTACHED = 10  # PoliciesPerRole, IAM's default quota


def put_inline_policy(scope: Scope, role_name: str, policy_name: str, document: str) -> None:
    """Create or replace an inline policy (the role is looked up before the document)."""
    validation.name(policy_name, "policyName", 128)
    role = modifiable_role(scope, role_name)
    documents.check_identity(document)
    others = sum(documents.size(d) for n, d in role.inline_policies.items() if n != policy_name)
    if others + documents.size(document) > documents.INLINE_SIZE:
        raise errors.LimitExceeded(
            f"Maximum policy size of {documents.INLINE_SIZE} bytes exceeded for role {role.name}"
        )
    role.inline_policies[policy_name] = document
    global_scope(scope).put(role)


def delete_inline_policy(scope: Scope, role_name: str, policy_name: str) -> None:
    role = modifiable_role(scope, role_name)
    if role.inline_policies.pop(policy_name, None) is None:
        raise errors.NoSuchRolePolicy(policy_name)
    global_scope(scope).put(role)


def inline_policy(scope: Scope, role_name: str, policy_name: str) -> str:
    document = require_role(scope, role_name).inline_policies.get(policy_name)
    if document is None:
        raise errors.NoSuchRolePolicy(policy_name)
    return document


def attach_policy(scope: Scope, role_name: str, arn: str) -> None:
    """Attach a managed policy; attaching one already attached changes nothing."""
    check_attachable(scope, arn)
    role = modifiable_role(scope, role_name)
    if arn in role.attached:
        return
    if len(role.attached) >= MAX_ATTACHED:
        raise errors.LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {MAX_ATTACHED}")
    role.attached.append(arn)
    global_scope(scope).put(role)


def detach_policy(scope: Scope, role_name: str, arn: str) -> None:
    role = modifiable_role(scope, role_name)
    if arn not in role.attached:
        raise errors.NoSuchAttachedPolicy(arn)
    role.attached.remove(arn)
    global_scope(scope).put(role)
