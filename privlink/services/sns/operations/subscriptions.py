"""Subscriptions: HTTP/HTTPS endpoints with SNS's confirmation handshake.

Subscribe stores a pending subscription with a token and queues a
SubscriptionConfirmation POST to the endpoint. The endpoint confirms with
ConfirmSubscription(TopicArn, Token) — a signed API call or an unsigned GET
of the message's SubscribeURL. Only confirmed subscriptions receive
notifications. Tokens are valid for two days, as on AWS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from privlink import errors
from privlink.api import Scope
from privlink.services.sns import arns, outbox, policy, queries
from privlink.services.sns.operations.topics import EFFECTIVE_DELIVERY_POLICY, remove_subscription
from privlink.services.sns.records import Subscription, Topic

DELIVERED_PROTOCOLS = ("http", "https")
# Protocols AWS has but privlink does not deliver to.
OTHER_PROTOCOLS = ("email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
SUBSCRIPTION_ATTRIBUTES = {"RawMessageDelivery": ("true", "false")}
TOKEN_LIFETIME = dt.timedelta(days=2)


@dataclass(frozen=True)
class NewSubscription:
    topic_arn: str
    protocol: str
    endpoint: str | None
    attributes: Mapping[str, str] = field(default_factory=dict)


def _check_endpoint(protocol: str, endpoint: str | None) -> str:
    if protocol not in DELIVERED_PROTOCOLS:
        if protocol in OTHER_PROTOCOLS:
            raise errors.SnsInvalidParameterReason(
                "Protocol", f"privlink delivers to http and https endpoints only, not {protocol}"
            )
        raise errors.SnsInvalidParameter(
            f"Amazon SNS does not support this protocol string: {protocol}"
        )
    parts = urlsplit(endpoint or "")
    if parts.scheme != protocol or not parts.hostname:
        raise errors.SnsInvalidParameter("Endpoint")
    return endpoint or ""


def _check_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    for name, value in attributes.items():
        allowed = SUBSCRIPTION_ATTRIBUTES.get(name)
        if allowed is None:
            raise errors.SnsInvalidParameterReason(
                "Attributes", f"privlink does not support the subscription attribute {name}"
            )
        if value not in allowed:
            raise errors.SnsInvalidParameterReason("Attributes", name)
    return dict(attributes)


def subscribe(scope: Scope, spec: NewSubscription) -> Subscription:
    """A pending subscription (its confirmation request queued), or the existing one for the
    same protocol and endpoint (a pending one gets its confirmation request again)."""
    topic = queries.require_topic(scope, spec.topic_arn)
    policy.authorize(scope, topic, "Subscribe")
    endpoint = _check_endpoint(spec.protocol, spec.endpoint)
    attributes = _check_attributes(spec.attributes)
    for existing in queries.subscriptions_of(scope.uow, topic):
        if existing.protocol == spec.protocol and existing.endpoint == endpoint:
            if not existing.confirmed:
                outbox.confirmation(scope, topic, existing)  # AWS sends the request again
            return existing
    subscription = Subscription(
        id=f"{topic.id}:{arns.uuid_like(scope)}",
        account=topic.account,
        region=topic.region,
        topic_arn=topic.id,
        owner=scope.account,
        protocol=spec.protocol,
        endpoint=endpoint,
        token=scope.hexid(256),
        token_issued_at=scope.now().isoformat(),
        attributes=attributes,
    )
    scope.add(subscription)
    outbox.confirmation(scope, topic, subscription)
    return subscription


def confirm(
    scope: Scope, topic_arn: str, token: str, authenticate_on_unsubscribe: bool = False
) -> Subscription:
    """The token is the credential: any caller (even an unsigned GET) may present it."""
    arns.check_topic(topic_arn)
    topic = scope.foreign(Topic, topic_arn)
    if topic is None:
        raise errors.TopicNotFound()
    subscriptions = queries.subscriptions_of(scope.uow, topic)
    subscription = next((s for s in subscriptions if s.token == token), None)
    if subscription is None:
        raise errors.SnsInvalidToken()
    if not subscription.confirmed:
        issued = dt.datetime.fromisoformat(subscription.token_issued_at)
        if scope.now() - issued > TOKEN_LIFETIME:
            raise errors.SnsInvalidToken()
        subscription.confirmed = True
        subscription.authenticate_on_unsubscribe = authenticate_on_unsubscribe
        scope.put(subscription)
    return subscription


def unsubscribe(scope: Scope, arn: str) -> None:
    """Anyone holding the ARN may unsubscribe unless the confirmation asked for authentication;
    the endpoint then gets a final UnsubscribeConfirmation when the caller is not its owner.
    A subscription that is already gone is no error (AWS: Unsubscribe is idempotent), but a
    topic ARN (six elements, no subscription id) is."""
    elements = len(arn.split(":"))
    if elements == 6 and arn.startswith("arn:"):
        raise errors.SnsInvalidParameter("SubscriptionId")
    arns.check_subscription(arn)
    subscription = scope.foreign(Subscription, arn)
    if subscription is None:
        return
    owners = queries.owners(scope, subscription)
    if subscription.authenticate_on_unsubscribe and scope.account not in owners:
        raise errors.NotAuthorizedToUnsubscribe(scope.account, subscription.id)
    remove_subscription(scope, subscription)
    topic = scope.foreign(Topic, subscription.topic_arn)
    if topic is not None and subscription.confirmed and scope.account != subscription.owner:
        outbox.unsubscribe_confirmation(scope, topic, subscription)


def readable(scope: Scope, arn: str) -> Subscription:
    """A subscription its subscriber or its topic's owner asks about."""
    subscription = queries.require_subscription(scope, arn)
    if scope.account not in queries.owners(scope, subscription):
        raise errors.NotAuthorizedForSubscription(scope.account, subscription.id)
    return subscription


def subscription_attributes(scope: Scope, arn: str) -> dict[str, str]:
    s = readable(scope, arn)
    return {
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


def set_subscription_attribute(scope: Scope, arn: str, name: str, value: str) -> None:
    s = readable(scope, arn)
    s.attributes.update(_check_attributes({name: value}))
    scope.put(s)
