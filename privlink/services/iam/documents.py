"""Policy documents: validated as IAM validates them, stored as sent, read by other services.

IAM checks two grammars. An identity policy (inline or managed) grants
actions on resources and must not name a principal; a trust policy (a
role's AssumeRolePolicyDocument) names who may assume the role and must
not name resources. Both are JSON with Version and Statement. The messages
are IAM's own, including its two wordings for broken JSON.

Policies are stored, not enforced: nothing here evaluates a request. The
one question other services ask is `trusts`: may this service principal
assume the role (MWAA asks it of an environment's execution role).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from privlink import errors

VERSIONS = ("2012-10-17", "2008-10-17")
TRUST_SIZE = 2048  # ACLSizePerRole, whitespace not counted
MANAGED_SIZE = 6144  # PolicySize of a managed policy version
INLINE_SIZE = 10240  # all inline policies of a role together
ASSUME_ACTIONS = re.compile(r"^sts:(\*|AssumeRole\w*|TagSession|SetSourceIdentity|SetContext)$")
_ACTION = re.compile(r"^(\*|[a-zA-Z0-9-]+:[\w*?-]*)$")
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")
_ASCII = re.compile(r"^[\t\n\r\x20-\xff]*$")


def size(document: str) -> int:
    """The size IAM counts against its quotas: characters other than whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def wire(document: str) -> str:
    """Documents leave IAM URL-encoded (RFC 3986); the SDKs decode them."""
    return quote(document, safe="")


def _load(document: str, invalid_json: str) -> dict[str, Any]:
    if not _ASCII.match(document):
        raise errors.ValidationError(
            "The specified value for policyDocument is invalid. It must contain only printable "
            "ASCII characters."
        )
    try:
        parsed = json.loads(document)
    except ValueError as exc:
        raise errors.MalformedPolicyDocument(invalid_json) from exc
    if not isinstance(parsed, dict):
        raise errors.MalformedPolicyDocument(invalid_json)
    version = parsed.get("Version")
    if version is not None and version not in VERSIONS:
        raise errors.MalformedPolicyDocument("The policy must contain a valid version string")
    return parsed


def _statements(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    raw = parsed.get("Statement")
    if raw is None:
        raise errors.MalformedPolicyDocument("Syntax errors in policy.")
    statements = raw if isinstance(raw, list) else [raw]
    if not statements:
        raise errors.MalformedPolicyDocument("Could not parse the policy: Statement is empty!")
    sids = [s.get("Sid") for s in statements if isinstance(s, dict) and s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise errors.MalformedPolicyDocument(
            "Statement IDs (SID) in a single policy must be unique."
        )
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise errors.MalformedPolicyDocument("Syntax errors in policy.")
    return statements


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise errors.MalformedPolicyDocument("Syntax errors in policy.")
    return values


def _check_actions(statement: dict[str, Any]) -> list[str]:
    if "Action" not in statement and "NotAction" not in statement:
        raise errors.MalformedPolicyDocument("Policy statement must contain actions.")
    actions = _strings(statement.get("Action", statement.get("NotAction")))
    for action in actions:
        if not _ACTION.match(action):
            raise errors.MalformedPolicyDocument(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            )
    return actions


def check_identity(document: str) -> dict[str, Any]:
    """An inline or managed policy: actions on resources, no principal."""
    parsed = _load(document, "Syntax errors in policy.")
    for statement in _statements(parsed):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise errors.MalformedPolicyDocument("Policy document should not specify a principal.")
        _check_actions(statement)
        if "Resource" not in statement and "NotResource" not in statement:
            raise errors.MalformedPolicyDocument("Policy statement must contain resources.")
        for resource in _strings(statement.get("Resource", statement.get("NotResource"))):
            if resource != "*" and not resource.startswith("arn:"):
                raise errors.MalformedPolicyDocument(
                    f'Resource {resource} must be in ARN format or "*".'
                )
    return parsed


def check_trust(document: str) -> dict[str, Any]:
    """A role's trust policy: who may assume it, with STS actions only, no resources."""
    parsed = _load(document, "This policy contains invalid Json")
    for statement in _statements(parsed):
        if "Resource" in statement:
            raise errors.MalformedPolicyDocument("Has prohibited field Resource")
        if "NotResource" in statement:
            raise errors.MalformedPolicyDocument("AssumeRole policy must not contain resources.")
        if "NotPrincipal" in statement and statement["Effect"] == "Allow":
            raise errors.MalformedPolicyDocument("Allow with NotPrincipal is not allowed.")
        _check_principal(statement.get("Principal", statement.get("NotPrincipal")))
        if not all(ASSUME_ACTIONS.match(a) for a in _check_actions(statement)):
            raise errors.MalformedPolicyDocument(
                "AssumeRole policy may only specify STS AssumeRole actions."
            )
    if size(document) > TRUST_SIZE:
        raise errors.LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_SIZE}")
    return parsed


def _check_principal(principal: Any) -> None:
    if principal is None:
        raise errors.MalformedPolicyDocument("Missing required field Principal")
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise errors.MalformedPolicyDocument("Missing required field Principal cannot be empty!")
    for key, value in principal.items():
        if key not in _PRINCIPAL_KEYS:
            raise errors.MalformedPolicyDocument(
                f"Invalid principal in policy: {json.dumps({key: value})[1:-1]}"
            )
        _strings(value)


def trusts(document: str, service_principal: str) -> bool:
    """Whether the trust policy lets a service principal assume the role.

    An Allow naming the service (or "*") with an sts:AssumeRole-like action,
    and no Deny naming it. Conditions are not evaluated (stored, not enforced).
    """
    allowed = False
    for statement in json.loads(document).get("Statement", []):
        statement = statement if isinstance(statement, dict) else {}
        principal = statement.get("Principal")
        named = principal == "*" or (
            isinstance(principal, dict) and service_principal in _as_list(principal.get("Service"))
        )
        actions = _as_list(statement.get("Action"))
        assumes = any(a in ("*", "sts:*", "sts:AssumeRole") for a in actions)
        if named and assumes:
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
