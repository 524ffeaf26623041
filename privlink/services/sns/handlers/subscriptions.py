"""Subscribe, ConfirmSubscription, Unsubscribe, listings and subscription attributes."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.sns import operations, policy, queries
from privlink.services.sns.handlers import wire
from privlink.services.sns.records import Subscription

PENDING = "pending confirmation"


@handles("Subscribe")
def subscribe(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.NewSubscription(
        topic_arn=params["TopicArn"],
        protocol=params["Protocol"],
        endpoint=params.get("Endpoint"),
        attributes=params.get("Attributes") or {},
    )
    subscription = operations.subscribe(ctx, spec)
    shown = subscription.confirmed or params.get("ReturnSubscriptionArn")
    return {"SubscriptionArn": subscription.id if shown else PENDING}


@handles("ConfirmSubscription")
def confirm(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    authenticate = str(params.get("AuthenticateOnUnsubscribe", "")).lower() == "true"
    subscription = operations.confirm(ctx, params["TopicArn"], params["Token"], authenticate)
    return {"SubscriptionArn": subscription.id}


@handles("Unsubscribe")
def unsubscribe(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.unsubscribe(ctx, params["SubscriptionArn"])
    return {}


def _wire(subscription: Subscription) -> dict[str, Any]:
    return {
        "SubscriptionArn": subscription.id if subscription.confirmed else "PendingConfirmation",
        "Owner": subscription.owner,
        "Protocol": subscription.protocol,
        "Endpoint": subscription.endpoint,
        "TopicArn": subscription.topic_arn,
    }


@handles("ListSubscriptions")
def list_subscriptions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = wire.page(queries.subscriptions_owned(ctx), params, lambda s: s.id)
    return {"Subscriptions": [_wire(s) for s in chunk], "NextToken": token}


@handles("ListSubscriptionsByTopic")
def list_by_topic(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    topic = queries.require_topic(ctx, params["TopicArn"])
    policy.authorize(ctx, topic, "ListSubscriptionsByTopic")
    subscriptions = queries.subscriptions_of(ctx.uow, topic)
    chunk, token = wire.page(subscriptions, params, lambda s: s.id)
    return {"Subscriptions": [_wire(s) for s in chunk], "NextToken": token}


@handles("GetSubscriptionAttributes")
def get_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": operations.subscription_attributes(ctx, params["SubscriptionArn"])}


@handles("SetSubscriptionAttributes")
def set_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.set_subscription_attribute(
        ctx, params["SubscriptionArn"], params["AttributeName"], params.get("AttributeValue") or ""
    )
    return {}
