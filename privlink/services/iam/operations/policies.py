"""Customer managed policies and their versions (at most five, one of them the default)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.iam import documents, managed, validation
from privlink.services.iam.operations.roles import iam_id, timestamp
from privlink.services.iam.queries import (
    attached_to,
    global_scope,
    is_policy_arn,
    policy_by_arn,
    policy_by_name,
)
from privlink.services.iam.records import ManagedPolicy, PolicyVersion, record_id
from privlink.services.shared import tags as tag_rules

MAX_VERSIONS = 5


@dataclass(frozen=True)
class PolicySpec:
    name: str
    document: str
    path: str = "/"
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def _check_document(document: str) -> None:
    documents.check_identity(document)
    if documents.size(document) > documents.MANAGED_SIZE:
        raise errors.LimitExceeded(f"Cannot exceed quota for PolicySize: {documents.MANAGED_SIZE}")


def create_policy(scope: Scope, spec: PolicySpec) -> ManagedPolicy:
    name = validation.name(spec.name, "policyName", 128)
    path = validation.path(spec.path)
    description = validation.description(spec.description)
    _check_document(spec.document)
    tag_rules.check(spec.tags, validation.TAG_ERRORS)
    if policy_by_name(scope, name) is not None:
        raise errors.PolicyAlreadyExists(name)
    now = timestamp(scope)
    iam = global_scope(scope)
    policy = ManagedPolicy(
        id=record_id(scope.account, name),
        account=scope.account,
        region=iam.region,
        name=name,
        path=path,
        policy_id=iam_id(scope, "ANPA"),
        arn=f"arn:aws:iam::{scope.account}:policy{path}{name}",
        created=now,
        updated=now,
        description=description,
        versions=[PolicyVersion(version_id="v1", document=spec.document, created=now)],
        tags=dict(spec.tags),
    )
    iam.add(policy)
    return policy


def require_policy(scope: Scope, arn: str) -> ManagedPolicy:
    """The caller's customer managed policy (an AWS managed one cannot be changed)."""
    if managed.is_aws_managed(arn):
        raise errors.IamAccessDenied(
            f"User: arn:aws:iam::{scope.account}:root is not authorized to modify the AWS "
            f"managed policy {arn}"
        )
    if not is_policy_arn(arn):
        raise errors.InvalidInput(f"ARN {arn} is not valid.")
    policy = policy_by_arn(scope, arn)
    if policy is None:
        raise errors.NoSuchPolicy(arn)
    return policy


def delete_policy(scope: Scope, arn: str) -> None:
    policy = require_policy(scope, arn)
    if attached_to(scope, arn):
        raise errors.DeleteConflict("Cannot delete a policy attached to entities.")
    if len(policy.versions) > 1:
        raise errors.DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete "
            "the policy's versions. The default version is deleted with the policy."
        )
    global_scope(scope).delete(policy)


def create_policy_version(
    scope: Scope, arn: str, document: str, set_as_default: bool
) -> PolicyVersion:
    policy = require_policy(scope, arn)
    _check_document(document)
    if len(policy.versions) >= MAX_VERSIONS:
        raise errors.LimitExceeded(
            f"A managed policy can have up to {MAX_VERSIONS} versions. Before you create a new "
            "version, you must delete an existing version."
        )
    version = PolicyVersion(
        version_id=f"v{policy.next_version}", document=document, created=timestamp(scope)
    )
    policy.versions.append(version)
    policy.next_version += 1
    policy.updated = version.created
    if set_as_default:
        policy.default_version = version.version_id
    global_scope(scope).put(policy)
    return version


def _require_version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    version = policy.version(version_id)
    if version is None:
        raise errors.NoSuchPolicyVersion(policy.arn, version_id)
    return version


def delete_policy_version(scope: Scope, arn: str, version_id: str) -> None:
    policy = require_policy(scope, arn)
    version = _require_version(policy, version_id)
    if version_id == policy.default_version:
        raise errors.DeleteConflict("Cannot delete the default version of a policy.")
    policy.versions.remove(version)
    global_scope(scope).put(policy)


def set_default_version(scope: Scope, arn: str, version_id: str) -> None:
    policy = require_policy(scope, arn)
    _require_version(policy, version_id)
    policy.default_version = version_id
    policy.updated = timestamp(scope)
    global_scope(scope).put(policy)


def tag_policy(scope: Scope, arn: str, tags: Mapping[str, str]) -> None:
    policy = require_policy(scope, arn)
    merged = {k: v for k, v in policy.tags.items() if k.lower() not in {t.lower() for t in tags}}
    merged.update(tags)
    tag_rules.check(merged, validation.TAG_ERRORS)
    policy.tags = merged
    global_scope(scope).put(policy)


def untag_policy(scope: Scope, arn: str, keys: Iterable[str]) -> None:
    policy = require_policy(scope, arn)
    gone = {k.lower() for k in keys}
    policy.tags = {k: v for k, v in policy.tags.items() if k.lower() not in gone}
    global_scope(scope).put(policy)
