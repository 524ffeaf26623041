"""Subscriptions: HTTP/HTTPS endpoints with SNS's confirmation handshake.

Subscribe stores a pending subscription with a token and queues a
SubscriptionConfirmation POST to the endpoint. The endpoint confirms with
ConfirmSubscription(TopicArn, Token) — a signed API call or an unsigned GET
of the message's SubscribeURL. Only confirmed subscriptions receive
notifications. Tokens are valid for two days, as on AWS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.sns import common, outbox
from privlink.services.sns.records import Subscription, Topic
from privlink.services.sns.topics import EFFECTIVE_DELIVERY_POLICY, delete_subscription

DELIVERED_PROTOCOLS = ("http", "https")
# Protocols AWS has but privlink does not deliver to.
OTHER_PROTOCOLS = ("email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
SUBSCRIPTION_ATTRIBUTES = {"RawMessageDelivery": ("true", "false")}
TOKEN_LIFETIME = dt.timedelta(days=2)
PENDING = "pending confirmation"


def _check_endpoint(protocol: str, endpoint: str | None) -> str:
    if protocol not in DELIVERED_PROTOCOLS:
        if protocol in OTHER_PROTOCOLS:
            raise errors.InvalidParameter(
                f"Invalid parameter: Protocol Reason: privlink delivers to http and https "
                f"endpoints only, not {protocol}"
            )
        raise errors.InvalidParameter(
            f"Invalid parameter: Amazon SNS does not support this protocol string: {protocol}"
        )
    parts = urlsplit(endpoint or "")
    if parts.scheme != protocol or not parts.hostname:
        raise errors.InvalidParameter("Invalid parameter: Endpoint")
    return endpoint or ""


def _check_attributes(attributes: dict[str, str]) -> dict[str, str]:
    for name, value in attributes.items():
        allowed = SUBSCRIPTION_ATTRIBUTES.get(name)
        if allowed is None:
            raise errors.InvalidParameter(
                f"Invalid parameter: Attributes Reason: privlink does not support the "
                f"subscription attribute {name}"
            )
        if value not in allowed:
            raise errors.InvalidParameter(f"Invalid parameter: Attributes Reason: {name}")
    return dict(attributes)


@handles("Subscribe")
def subscribe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = common.require_topic(ctx, params["TopicArn"])
    common.authorize(ctx, topic, "Subscribe")
    protocol = params["Protocol"]
    endpoint = _check_endpoint(protocol, params.get("Endpoint"))
    attributes = _check_attributes(params.get("Attributes") or {})
    for existing in common.subscriptions_of(ctx, topic):
        if existing.protocol == protocol and existing.endpoint == endpoint:
            if existing.confirmed:
                return {"SubscriptionArn": existing.id}
            outbox.confirmation(ctx, topic, existing)  # AWS sends the request again
            return {
                "SubscriptionArn": existing.id if params.get("ReturnSubscriptionArn") else PENDING
            }
    subscription = Subscription(
        id=f"{topic.id}:{common.uuid_like(ctx)}",
        account=topic.account,
        region=topic.region,
        topic_arn=topic.id,
        owner=ctx.account,
        protocol=protocol,
        endpoint=endpoint,
        token=ctx.hexid(256),
        token_issued_at=ctx.now().isoformat(),
        attributes=attributes,
    )
    ctx.uow.add(subscription)
    outbox.confirmation(ctx, topic, subscription)
    return {"SubscriptionArn": subscription.id if params.get("ReturnSubscriptionArn") else PENDING}


@handles("ConfirmSubscription")
def confirm(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """The token is the credential: any caller (even an unsigned GET) may present it."""
    arn = params["TopicArn"]
    common.check_topic_arn(arn)
    topic = ctx.uow.get(Topic, arn)
    if topic is None:
        raise errors.NotFound("Topic does not exist")
    token = params["Token"]
    subscription = next((s for s in common.subscriptions_of(ctx, topic) if s.token == token), None)
    if subscription is None:
        raise errors.InvalidParameter("Invalid token")
    if not subscription.confirmed:
        issued = dt.datetime.fromisoformat(subscription.token_issued_at)
        if ctx.now() - issued > TOKEN_LIFETIME:
            raise errors.InvalidParameter("Invalid token")
        subscription.confirmed = True
        subscription.authenticate_on_unsubscribe = (
            str(params.get("AuthenticateOnUnsubscribe", "")).lower() == "true"
        )
        ctx.uow.put(subscription)
    return {"SubscriptionArn": subscription.id}


def _require_subscription(ctx: Scope, arn: str) -> Subscription:
    common.check_subscription_arn(arn)
    subscription = ctx.uow.get(Subscription, arn)
    if subscription is None:
        raise errors.NotFound("Subscription does not exist")
    return subscription


def _owners(ctx: Scope, subscription: Subscription) -> tuple[str, str]:
    topic = ctx.uow.get(Topic, subscription.topic_arn)
    return subscription.owner, topic.account if topic else subscription.account


@handles("Unsubscribe")
def unsubscribe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    """Anyone holding the ARN may unsubscribe unless the confirmation asked for authentication;
    the endpoint then gets a final UnsubscribeConfirmation when the caller is not its owner."""
    subscription = _require_subscription(ctx, params["SubscriptionArn"])
    if subscription.authenticate_on_unsubscribe and ctx.account not in _owners(ctx, subscription):
        raise errors.AuthorizationError(
            f"User: arn:aws:iam::{ctx.account}:root is not authorized to perform: "
            f"SNS:Unsubscribe on resource: {subscription.id}"
        )
    delete_subscription(ctx, subscription)
    topic = ctx.uow.get(Topic, subscription.topic_arn)
    if topic is not None and subscription.confirmed and ctx.account != subscription.owner:
        outbox.unsubscribe_confirmation(ctx, topic, subscription)
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
def list_subscriptions(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    mine = [s for s in ctx.uow.list(Subscription, region=ctx.region) if s.owner == ctx.account]
    chunk, token = common.page(mine, params, lambda s: s.id)
    return {"Subscriptions": [_wire(s) for s in chunk], "NextToken": token}


@handles("ListSubscriptionsByTopic")
def list_by_topic(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    topic = common.require_topic(ctx, params["TopicArn"])
    common.authorize(ctx, topic, "ListSubscriptionsByTopic")
    chunk, token = common.page(common.subscriptions_of(ctx, topic), params, lambda s: s.id)
    return {"Subscriptions": [_wire(s) for s in chunk], "NextToken": token}


def _require_readable(ctx: Scope, arn: str) -> Subscription:
    subscription = _require_subscription(ctx, arn)
    if ctx.account not in _owners(ctx, subscription):
        raise errors.AuthorizationError(
            f"User: arn:aws:iam::{ctx.account}:root is not authorized to access subscription "
            f"{subscription.id}"
        )
    return subscription


@handles("GetSubscriptionAttributes")
def get_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    s = _require_readable(ctx, params["SubscriptionArn"])
    return {
        "Attributes": {
            "SubscriptionArn": s.id,
            "TopicArn": s.topic_arn,
            "Owner": s.owner,
            "Protocol": s.protocol,
            "Endpoint": s.endpoint,
            "PendingConfirmation": "false" if s.confirmed else "true",
            "ConfirmationWasAuthenticated": "true" if s.authenticate_on_unsubscribe else "false",
            "RawMessageDelivery": s.attributes.get("RawMessageDelivery", "false"),
            "EffectiveDeliveryPolicy": EFFECTIVE_DELIVERY_POLICY,
            "SubscriptionPrincipal": f"arn:aws:iam::{s.owner}:root",
        }
    }


@handles("SetSubscriptionAttributes")
def set_attributes(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    s = _require_readable(ctx, params["SubscriptionArn"])
    name = params["AttributeName"]
    s.attributes.update(_check_attributes({name: params.get("AttributeValue") or ""}))
    ctx.uow.put(s)
    return {}
