"""Shared SNS rules: ARNs, topic lookup and access checks, tags, NextToken paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from privlink import errors
from privlink.api import Scope
from privlink.domain import paging
from privlink.services.sns import policy
from privlink.services.sns.records import Subscription, Topic

T = TypeVar("T")
PAGE_SIZE = 100
MAX_TAGS = 50
_TOPIC_ARN = re.compile(r"^arn:aws:sns:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<name>[^:]+)$")
_SUBSCRIPTION_ARN = re.compile(r"^arn:aws:sns:[a-z0-9-]+:\d{12}:[^:]+:[0-9a-f-]{36}$")


def topic_arn(ctx: Scope, name: str) -> str:
    return f"arn:aws:sns:{ctx.region}:{ctx.account}:{name}"


def uuid_like(ctx: Scope) -> str:
    """A fresh id in UUID form (message ids, subscription ARN suffixes), from ctx.hexid."""
    h = ctx.hexid(32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def check_topic_arn(arn: str, member: str = "TopicArn") -> re.Match[str]:
    match = _TOPIC_ARN.match(arn or "")
    if not match:
        raise errors.InvalidParameter(f"Invalid parameter: {member}")
    return match


def check_subscription_arn(arn: str) -> None:
    if not _SUBSCRIPTION_ARN.match(arn or ""):
        parts = len((arn or "").split(":"))
        raise errors.InvalidParameter(
            "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, "
            f"not {parts}"
            if parts < 6
            else "Invalid parameter: SubscriptionArn"
        )


def require_topic(ctx: Scope, arn: str, member: str = "TopicArn") -> Topic:
    """A topic addressed from the caller's region (any account may own it)."""
    if check_topic_arn(arn, member)["region"] != ctx.region:
        raise errors.InvalidParameter(f"Invalid parameter: {member}")
    topic = ctx.uow.get(Topic, arn)
    if topic is None:
        raise errors.NotFound("Topic does not exist")
    return topic


def authorize(ctx: Scope, topic: Topic, action: str) -> None:
    """Another account's caller needs the topic policy's permission for `action`."""
    if ctx.account == topic.account:
        return
    context = {
        "aws:sourceowner": ctx.account,
        "aws:sourceaccount": ctx.account,
        "aws:principalaccount": ctx.account,
    }
    if not policy.allows(
        topic.policy, policy.ACCOUNT, ctx.account, f"sns:{action}", topic.id, context
    ):
        raise errors.AuthorizationError(
            f"User: arn:aws:iam::{ctx.account}:root is not authorized to perform: SNS:{action} "
            f"on resource: {topic.id} because no resource-based policy allows the SNS:{action} "
            "action"
        )


def subscriptions_of(ctx: Scope, topic: Topic) -> list[Subscription]:
    return ctx.uow.list(Subscription, parent=topic.id)


def parse_tags(raw: list[dict[str, Any]] | None) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in raw or []:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key in tags:
            raise errors.InvalidParameter("Invalid parameter: Duplicated keys are not allowed.")
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:") or len(value) > 256:
            raise errors.InvalidParameter(f"Invalid parameter: Tags Reason: Invalid tag '{key}'")
        tags[key] = value
    return tags


def check_tag_count(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise errors.TagLimitExceeded(
            "Could not complete request: tag quota of per resource exceeded"
        )


def wire_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """SNS lists return 100 items per page with an opaque NextToken."""
    try:
        return paging.page(items, PAGE_SIZE, params.get("NextToken"), key)
    except errors.InvalidPaginationToken as exc:
        raise errors.InvalidParameter("Invalid parameter: NextToken") from exc
