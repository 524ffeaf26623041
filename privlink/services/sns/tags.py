"""TagResource, UntagResource, ListTagsForResource on topics (owner only)."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.sns import common
from privlink.services.sns.records import Topic


def _owned_topic(ctx: Scope, arn: str) -> Topic:
    match = common.check_topic_arn(arn, "ResourceArn")
    topic = ctx.uow.get(Topic, arn) if match["region"] == ctx.region else None
    if topic is None:
        raise errors.ResourceNotFound("Resource does not exist")
    if topic.account != ctx.account:
        raise errors.AuthorizationError(
            f"User: arn:aws:iam::{ctx.account}:root is not authorized to tag or read the tags "
            f"of {arn}"
        )
    return topic


@handles("TagResource")
def tag_resource(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = _owned_topic(ctx, params["ResourceArn"])
    merged = {**topic.tags, **common.parse_tags(params["Tags"])}
    common.check_tag_count(merged)
    topic.tags = merged
    ctx.uow.put(topic)
    return {}


@handles("UntagResource")
def untag_resource(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = _owned_topic(ctx, params["ResourceArn"])
    keys = set(params["TagKeys"])
    topic.tags = {k: v for k, v in topic.tags.items() if k not in keys}
    ctx.uow.put(topic)
    return {}


@handles("ListTagsForResource")
def list_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = _owned_topic(ctx, params["ResourceArn"])
    return {"Tags": common.wire_tags(topic.tags)}
