"""Topic access policies: AWS's default policy and the evaluation SNS applies.

privlink has no IAM: a caller acting on a topic of its own account is always
allowed. Other callers (another account, or a service principal such as
vpce.amazonaws.com) need the topic policy: an explicit Deny that matches
wins, otherwise some matching Allow statement is required.

A statement matches when its principal, action and resource match and its
conditions hold. Conditions are evaluated for the keys the caller supplies
in `context` (lower-cased: aws:sourceowner, aws:sourceaccount,
aws:sourcearn ...); a condition on a key the caller did not supply is not
evaluated. That leniency is deliberate: internal callers that cannot know a
key (a source ARN) still get AWS's decision on principal, action and
resource.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.sns.records import Topic

SERVICE = "Service"
ACCOUNT = "AWS"

DEFAULT_ACTIONS = [
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
]


def default_policy(topic_arn: str, owner: str) -> str:
    """The policy AWS gives every new topic: the owner account may do everything."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": DEFAULT_ACTIONS,
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": owner}},
                }
            ],
        },
        separators=(",", ":"),
    )


def parse(text: str) -> dict[str, Any]:
    """A policy document; ValueError when it is not one."""
    document = json.loads(text)
    if not isinstance(document, dict) or "Statement" not in document:
        raise ValueError("a policy is a JSON object with a Statement")
    statements = document["Statement"]
    if not isinstance(statements, list | dict):
        raise ValueError("Statement must be an object or a list of objects")
    return document


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principal_matches(principal: Any, kind: str, name: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for value in _values(principal.get(kind)):
        if kind == SERVICE and value.lower() == name.lower():
            return True
        if kind == ACCOUNT and value in ("*", name, f"arn:aws:iam::{name}:root"):
            return True
    return False


def _matches_any(patterns: list[str], value: str, ignore_case: bool) -> bool:
    if ignore_case:
        value = value.lower()
    for pattern in patterns:
        if fnmatch.fnmatchcase(value, pattern.lower() if ignore_case else pattern):
            return True
    return False


def _listed(statement: dict[str, Any], field: str, value: str, ignore_case: bool) -> bool:
    """Action/Resource match (or NotAction/NotResource mismatch)."""
    if field in statement:
        return _matches_any(_values(statement[field]), value, ignore_case)
    negated = "Not" + field
    if negated in statement:
        return not _matches_any(_values(statement[negated]), value, ignore_case)
    return False


def _condition_holds(operator: str, wanted: list[str], actual: str | None) -> bool:
    if actual is None:
        return True  # the caller did not supply the key: not evaluated (see module docstring)
    base = operator.removesuffix("IfExists")
    negated = "Not" in base
    kind = base.replace("Not", "")
    if kind == "StringEquals":
        hit = actual in wanted
    elif kind == "StringEqualsIgnoreCase":
        hit = actual.lower() in (w.lower() for w in wanted)
    elif kind in ("StringLike", "ArnLike", "ArnEquals"):  # ARN operators take wildcards too
        hit = _matches_any(wanted, actual, ignore_case=False)
    else:
        return False  # an operator privlink does not know never grants (nor denies) anything
    return hit != negated


def _conditions_hold(conditions: Any, context: dict[str, str]) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, checks in conditions.items():
        if not isinstance(checks, dict):
            return False
        for key, wanted in checks.items():
            if not _condition_holds(operator, _values(wanted), context.get(key.lower())):
                return False
    return True


def allows(
    policy_text: str,
    principal_kind: str,
    principal: str,
    action: str,
    resource: str,
    context: dict[str, str] | None = None,
) -> bool:
    """Whether the policy lets `principal` (an account id, or a service) do `action`."""
    try:
        document = parse(policy_text)
    except ValueError:
        return False
    statements = document["Statement"]
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        if not (
            _principal_matches(statement.get("Principal"), principal_kind, principal)
            and _listed(statement, "Action", action, ignore_case=True)
            and _listed(statement, "Resource", resource, ignore_case=False)
            and _conditions_hold(statement.get("Condition"), context or {})
        ):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def authorize(scope: Scope, topic: Topic, action: str) -> None:
    """Another account's caller needs the topic policy's permission for `action`."""
    if scope.account == topic.account:
        return
    context = {
        "aws:sourceowner": scope.account,
        "aws:sourceaccount": scope.account,
        "aws:principalaccount": scope.account,
    }
    if not allows(topic.policy, ACCOUNT, scope.account, f"sns:{action}", topic.id, context):
        raise errors.NotAuthorizedByTopicPolicy(scope.account, action, topic.id)
