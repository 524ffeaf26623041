"""CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.sns import operations
from privlink.services.sns.handlers import wire
from privlink.services.sns.records import Topic


@handles("CreateTopic")
def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.NewTopic(
        name=params["Name"],
        attributes=params.get("Attributes") or {},
        tags=wire.tag_list(params.get("Tags")),
    )
    return {"TopicArn": operations.create_topic(ctx, spec).id}


@handles("DeleteTopic")
def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_topic(ctx, params["TopicArn"])
    return {}


@handles("ListTopics")
def list_topics(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = wire.page(ctx.list(Topic), params, lambda t: t.id)
    return {"Topics": [{"TopicArn": t.id} for t in chunk], "NextToken": token}


@handles("GetTopicAttributes")
def get_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": operations.topic_attributes(ctx, params["TopicArn"])}


@handles("SetTopicAttributes")
def set_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.set_topic_attribute(
        ctx, params["TopicArn"], params["AttributeName"], params.get("AttributeValue") or ""
    )
    return {}
