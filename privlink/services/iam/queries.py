"""What other services (and IAM's own handlers) read: roles by name or ARN, trust.

IAM is global, so every read goes through `global_scope`: the caller's
account in the pseudo-region GLOBAL, whatever region signed the request.
"""

from __future__ import annotations

import re

from privlink import errors
from privlink.api import Scope
from privlink.services.iam import documents
from privlink.services.iam.records import GLOBAL, ManagedPolicy, Role, record_id

_ROLE_ARN = re.compile(r"^arn:aws:iam::(?P<account>\d{12}):role/(?:[\x21-\x7e]*/)?(?P<name>[^/]+)$")
_POLICY_ARN = re.compile(
    r"^arn:aws:iam::(?P<account>\d{12}):policy/(?:[\x21-\x7e]*/)?(?P<name>[^/]+)$"
)


def global_scope(scope: Scope) -> Scope:
    """The caller's account, region-less: IAM roles and policies are not per region."""
    if scope.region == GLOBAL:
        return scope
    return Scope(scope.account, GLOBAL, scope.uow, scope.now, scope.hexid, scope.after_commit)


def role_by_name(scope: Scope, name: str) -> Role | None:
    return global_scope(scope).get(Role, record_id(scope.account, name))


def require_role(scope: Scope, name: str) -> Role:
    role = role_by_name(scope, name)
    if role is None:
        raise errors.NoSuchRole(name)
    return role


def role_by_arn(scope: Scope, arn: str) -> Role | None:
    """The role an ARN names, in whichever account it says (a cross-account read when it
    is not the caller's); None unless the ARN is exactly the role's, path included."""
    match = _ROLE_ARN.match(arn or "")
    if match is None:
        return None
    role = scope.foreign(Role, record_id(match["account"], match["name"]))
    return role if role is not None and role.arn == arn else None


def trusts(role: Role, service_principal: str) -> bool:
    """Whether the role's trust policy lets this service principal assume it."""
    return documents.trusts(role.trust_policy, service_principal)


def roles(scope: Scope) -> list[Role]:
    """The caller's roles, sorted by name as IAM lists them."""
    return sorted(global_scope(scope).list(Role), key=lambda r: r.name.lower())


def policy_by_arn(scope: Scope, arn: str) -> ManagedPolicy | None:
    """A customer managed policy of the caller's account, by its exact ARN."""
    match = _POLICY_ARN.match(arn or "")
    if match is None or match["account"] != scope.account:
        return None
    policy = global_scope(scope).get(ManagedPolicy, record_id(scope.account, match["name"]))
    return policy if policy is not None and policy.arn == arn else None


def policy_by_name(scope: Scope, name: str) -> ManagedPolicy | None:
    return global_scope(scope).get(ManagedPolicy, record_id(scope.account, name))


def policies(scope: Scope) -> list[ManagedPolicy]:
    return sorted(global_scope(scope).list(ManagedPolicy), key=lambda p: p.name.lower())


def attached_to(scope: Scope, arn: str) -> list[Role]:
    """The caller's roles a managed policy (customer or AWS) is attached to."""
    return [r for r in global_scope(scope).list(Role) if arn in r.attached]


def is_policy_arn(arn: str) -> bool:
    return _POLICY_ARN.match(arn or "") is not None
