"""Topics: create (idempotent by name), delete, list, attributes.

A topic's Policy starts as AWS's default (owner account only) and governs
what other accounts and service principals may do with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.sns import common, policy
from privlink.services.sns.records import Delivery, InboxMessage, Subscription, Topic

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_NO_FIFO = "Invalid parameter: FifoTopic Reason: privlink implements standard topics only"

DELIVERY_ATTEMPTS = 3  # what the delivery worker does; EffectiveDeliveryPolicy reports it
EFFECTIVE_DELIVERY_POLICY = json.dumps(
    {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 1,
                "maxDelayTarget": 2,
                "numRetries": DELIVERY_ATTEMPTS - 1,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "exponential",
            },
            "disableSubscriptionOverrides": False,
            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
        }
    },
    separators=(",", ":"),
)


def _json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _policy(value: str) -> bool:
    try:
        policy.parse(value)
    except ValueError:
        return False
    return True


# Settable attributes and their value rules.
SETTABLE: dict[str, Callable[[str], bool]] = {
    "DisplayName": lambda v: len(v) <= 100,
    "Policy": _policy,
    "DeliveryPolicy": _json,
    "KmsMasterKeyId": lambda v: True,
    "SignatureVersion": lambda v: v in ("1", "2"),
    "TracingConfig": lambda v: v in ("PassThrough", "Active"),
}


def _check_attribute(name: str, value: str) -> None:
    check = SETTABLE.get(name)
    if check is None:
        raise errors.InvalidParameter("Invalid parameter: AttributeName")
    if not check(value):
        raise errors.InvalidParameter(f"Invalid parameter: {name}")


def _check_create_attributes(attributes: dict[str, str]) -> dict[str, str]:
    if attributes.get("FifoTopic", "false") != "false":
        raise errors.InvalidParameter(_NO_FIFO)
    checked = {k: v for k, v in attributes.items() if k != "FifoTopic"}
    for name, value in checked.items():
        _check_attribute(name, value)
    return checked


@handles("CreateTopic")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    name = params["Name"]
    if not _NAME.match(name):
        raise errors.InvalidParameter(
            _NO_FIFO if name.endswith(".fifo") else "Invalid parameter: Topic Name"
        )
    attributes = _check_create_attributes(params.get("Attributes") or {})
    tags = common.parse_tags(params.get("Tags"))
    common.check_tag_count(tags)
    arn = common.topic_arn(ctx, name)
    existing = ctx.uow.get(Topic, arn)
    if existing is not None:
        if any(existing.attributes.get(k, "") != v for k, v in attributes.items()):
            raise errors.InvalidParameter(
                "Invalid parameter: Attributes Reason: Topic already exists with different "
                "attributes"
            )
        if tags and tags != existing.tags:
            raise errors.InvalidParameter(
                "Invalid parameter: Tags Reason: Topic already exists with different tags"
            )
        return {"TopicArn": arn}
    topic = Topic(
        id=arn,
        account=ctx.account,
        region=ctx.region,
        name=name,
        attributes={
            "DisplayName": "",
            "Policy": policy.default_policy(arn, ctx.account),
            **attributes,
        },
        tags=tags,
    )
    ctx.uow.add(topic)
    return {"TopicArn": arn}


@handles("DeleteTopic")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    arn = params["TopicArn"]
    common.check_topic_arn(arn)
    topic = ctx.uow.get(Topic, arn)
    if topic is None:
        return {}  # DeleteTopic is idempotent
    common.authorize(ctx, topic, "DeleteTopic")
    for subscription in common.subscriptions_of(ctx, topic):
        delete_subscription(ctx, subscription)
    for message in ctx.uow.list(InboxMessage, parent=topic.id):
        ctx.uow.delete(message)
    ctx.uow.delete(topic)
    return {}


def delete_subscription(ctx: Scope, subscription: Subscription) -> None:
    """Remove a subscription and whatever is still queued for it."""
    for delivery in ctx.uow.list(Delivery, parent=subscription.id):
        ctx.uow.delete(delivery)
    ctx.uow.delete(subscription)


@handles("ListTopics")
def list_topics(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topics = ctx.uow.list(Topic, ctx.account, ctx.region)
    chunk, token = common.page(topics, params, lambda t: t.id)
    return {"Topics": [{"TopicArn": t.id} for t in chunk], "NextToken": token}


@handles("GetTopicAttributes")
def get_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = common.require_topic(ctx, params["TopicArn"])
    common.authorize(ctx, topic, "GetTopicAttributes")
    subscriptions = common.subscriptions_of(ctx, topic)
    confirmed = sum(1 for s in subscriptions if s.confirmed)
    return {
        "Attributes": {
            **topic.attributes,
            "Owner": topic.account,
            "TopicArn": topic.id,
            "SubscriptionsConfirmed": str(confirmed),
            "SubscriptionsPending": str(len(subscriptions) - confirmed),
            "SubscriptionsDeleted": "0",
            "EffectiveDeliveryPolicy": EFFECTIVE_DELIVERY_POLICY,
        }
    }


@handles("SetTopicAttributes")
def set_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = common.require_topic(ctx, params["TopicArn"])
    common.authorize(ctx, topic, "SetTopicAttributes")
    name, value = params["AttributeName"], params.get("AttributeValue") or ""
    if name == "Policy" and not value:
        value = policy.default_policy(topic.id, topic.account)  # an empty policy resets it
    _check_attribute(name, value)
    topic.attributes[name] = value
    ctx.uow.put(topic)
    return {}
