"""TagResource, UntagResource, ListTagsForResource on topics (owner only)."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.shared import tags
from privlink.services.sns import operations
from privlink.services.sns.handlers import wire
from privlink.services.sns.operations.tags import owned_topic


@handles("TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.tag_resource(ctx, params["ResourceArn"], wire.tag_list(params["Tags"]))
    return {}


@handles("UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.untag_resource(ctx, params["ResourceArn"], params["TagKeys"])
    return {}


@handles("ListTagsForResource")
def list_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": tags.to_list(owned_topic(ctx, params["ResourceArn"]).tags)}
