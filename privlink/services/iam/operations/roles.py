"""Role operations: create, change and delete roles, their trust policy and tags.

Every change goes through `global_scope` (IAM is not regional). Service-linked
roles are created and deleted only through their own calls; every other change
to them is UnmodifiableEntity, as on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.iam import documents, managed, validation
from privlink.services.iam.queries import global_scope, policy_by_arn, require_role
from privlink.services.iam.records import Role, record_id
from privlink.services.shared import tags as tag_rules


@dataclass(frozen=True)
class RoleSpec:
    name: str
    trust_policy: str
    path: str = "/"
    description: str | None = None
    max_session_duration: int = 3600
    permissions_boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def iam_id(scope: Scope, prefix: str) -> str:
    """IAM unique ids: a four-letter kind prefix and 17 upper-case characters."""
    return prefix + scope.hexid(17).upper()


def timestamp(scope: Scope) -> str:
    return scope.now().strftime("%Y-%m-%dT%H:%M:%SZ")


def create_role(scope: Scope, spec: RoleSpec, service_linked: bool = False) -> Role:
    name = validation.name(spec.name, "roleName", 64)
    path = validation.path(spec.path)
    description = validation.description(spec.description)
    duration = validation.max_session_duration(spec.max_session_duration)
    documents.check_trust(spec.trust_policy)
    tag_rules.check(spec.tags, validation.TAG_ERRORS)
    if spec.permissions_boundary is not None:
        check_attachable(scope, spec.permissions_boundary)
    iam = global_scope(scope)
    if iam.get(Role, record_id(scope.account, name)) is not None:
        raise errors.RoleAlreadyExists(name)
    role = Role(
        id=record_id(scope.account, name),
        account=scope.account,
        region=iam.region,
        name=name,
        path=path,
        role_id=iam_id(scope, "AROA"),
        arn=f"arn:aws:iam::{scope.account}:role{path}{name}",
        created=timestamp(scope),
        trust_policy=spec.trust_policy,
        description=description,
        max_session_duration=duration,
        permissions_boundary=spec.permissions_boundary,
        tags=dict(spec.tags),
        service_linked=service_linked,
    )
    iam.add(role)
    return role


def modifiable_role(scope: Scope, name: str) -> Role:
    """The caller's role, unless AWS owns it (a service-linked role)."""
    role = require_role(scope, name)
    if role.service_linked:
        raise errors.UnmodifiableEntity(role.name)
    return role


def delete_role(scope: Scope, name: str) -> None:
    role = modifiable_role(scope, name)
    if role.attached:
        raise errors.DeleteConflict("Cannot delete entity, must detach all policies first.")
    if role.inline_policies:
        raise errors.DeleteConflict("Cannot delete entity, must delete policies first.")
    global_scope(scope).delete(role)


def update_trust_policy(scope: Scope, name: str, document: str) -> Role:
    role = modifiable_role(scope, name)
    documents.check_trust(document)
    role.trust_policy = document
    global_scope(scope).put(role)
    return role


def update_role(
    scope: Scope, name: str, description: str | None, max_session_duration: int | None
) -> Role:
    role = require_role(scope, name)
    if description is not None:
        role.description = validation.description(description)
    if max_session_duration is not None:
        role.max_session_duration = validation.max_session_duration(max_session_duration)
    global_scope(scope).put(role)
    return role


def tag_role(scope: Scope, name: str, tags: Mapping[str, str]) -> Role:
    role = require_role(scope, name)
    merged = {k: v for k, v in role.tags.items() if k.lower() not in {t.lower() for t in tags}}
    merged.update(tags)
    tag_rules.check(merged, validation.TAG_ERRORS)
    role.tags = merged
    global_scope(scope).put(role)
    return role


def untag_role(scope: Scope, name: str, keys: Iterable[str]) -> Role:
    role = require_role(scope, name)
    gone = {k.lower() for k in keys}
    role.tags = {k: v for k, v in role.tags.items() if k.lower() not in gone}
    global_scope(scope).put(role)
    return role


def check_attachable(scope: Scope, arn: str) -> None:
    """A managed policy ARN a role may use: AWS managed (well formed) or the caller's own."""
    if managed.is_aws_managed(arn):
        return
    if not arn.startswith("arn:aws:iam::") or ":policy/" not in arn:
        raise errors.InvalidInput(f"ARN {arn} is not valid.")
    if policy_by_arn(scope, arn) is None:
        raise errors.NoSuchPolicy(arn)


def trust_policy_for(service: str) -> str:
    """The trust policy AWS gives a service role of `service`."""
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
