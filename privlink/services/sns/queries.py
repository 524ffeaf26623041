"""Read models over SNS records: topics as callers address them, subscriptions, the inbox.

Topics are addressed by ARN from any account (the topic policy decides what a
caller may do), so these reads are explicitly cross-account (`scope.foreign`).
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.sns import arns
from privlink.services.sns.records import InboxMessage, Subscription, Topic
from privlink.store.unit import UnitOfWork


def require_topic(scope: Scope, arn: str, member: str = "TopicArn") -> Topic:
    """A topic addressed from the caller's region (any account may own it)."""
    if arns.check_topic(arn, member)["region"] != scope.region:
        raise errors.SnsInvalidParameter(member)
    topic = scope.foreign(Topic, arn)
    if topic is None:
        raise errors.TopicNotFound()
    return topic


def subscriptions_of(uow: UnitOfWork, topic: Topic) -> list[Subscription]:
    return uow.list(Subscription, parent=topic.id)


def require_subscription(scope: Scope, arn: str) -> Subscription:
    """A subscription by ARN, whoever owns it (Unsubscribe only needs the ARN)."""
    arns.check_subscription(arn)
    subscription = scope.foreign(Subscription, arn)
    if subscription is None:
        raise errors.SubscriptionNotFound()
    return subscription


def owners(scope: Scope, subscription: Subscription) -> tuple[str, str]:
    """(the subscriber's account, the topic owner's account)."""
    topic = scope.foreign(Topic, subscription.topic_arn)
    return subscription.owner, topic.account if topic else subscription.account


def subscriptions_owned(scope: Scope) -> list[Subscription]:
    """The caller's subscriptions in this region, to its own topics or other accounts'."""
    return [
        s for s in scope.uow.list(Subscription, region=scope.region) if s.owner == scope.account
    ]


def inbox(uow: UnitOfWork, topic_arn: str) -> list[dict[str, Any]] | None:
    """The messages published to a topic, oldest first (None: no such topic)."""
    if uow.get(Topic, topic_arn) is None:
        return None
    return [m.wire() for m in uow.list(InboxMessage, parent=topic_arn)]
