"""Queueing HTTP deliveries inside the caller's transaction.

A Delivery record is written in the same unit of work as the change that
causes it (Subscribe, Publish, Unsubscribe), so it exists exactly when that
change commits. The delivery worker hears about it through the store's
change feed, which fires after commit, and does the network I/O on the event
loop; nothing here touches the network.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.sns import arns, messages
from privlink.services.sns.records import Delivery, InboxMessage, Subscription, Topic


def timestamp(ctx: Scope) -> str:
    """SNS timestamps: ISO 8601 in UTC with milliseconds and a Z."""
    now = ctx.now()
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _queue(
    ctx: Scope,
    topic: Topic,
    subscription: Subscription,
    message_type: str,
    message_id: str,
    message: str,
    sent_at: str,
    token: str | None = None,
    inbox: InboxMessage | None = None,
) -> None:
    ctx.uow.add(
        Delivery(
            id=arns.uuid_like(ctx),
            account=topic.account,
            region=topic.region,
            message_type=message_type,
            topic_arn=topic.id,
            subscription_arn=subscription.id,
            endpoint=subscription.endpoint,
            message_id=message_id,
            message=message,
            subject=inbox.subject if inbox else None,
            message_attributes=inbox.message_attributes if inbox else {},
            timestamp=sent_at,
            token=token,
            raw=subscription.raw,
            signature_version=topic.attributes.get("SignatureVersion", "1"),
            next_attempt_at=ctx.now().isoformat(),
        )
    )


def confirmation(ctx: Scope, topic: Topic, subscription: Subscription) -> None:
    """Ask the endpoint to confirm: SubscriptionConfirmation with the token."""
    text = messages.CONFIRM_TEXT.format(topic=topic.id)
    _queue(
        ctx,
        topic,
        subscription,
        "SubscriptionConfirmation",
        arns.uuid_like(ctx),
        text,
        timestamp(ctx),
        token=subscription.token,
    )


def unsubscribe_confirmation(ctx: Scope, topic: Topic, subscription: Subscription) -> None:
    """Tell the endpoint it was unsubscribed by someone else (it may resubscribe)."""
    text = messages.UNSUBSCRIBE_TEXT.format(subscription=subscription.id)
    _queue(
        ctx,
        topic,
        subscription,
        "UnsubscribeConfirmation",
        arns.uuid_like(ctx),
        text,
        timestamp(ctx),
        token=subscription.token,
    )


def notification(
    ctx: Scope, topic: Topic, subscription: Subscription, inbox: InboxMessage, message: str
) -> None:
    """One published message for one confirmed subscriber."""
    _queue(
        ctx,
        topic,
        subscription,
        "Notification",
        inbox.message_id,
        message,
        inbox.timestamp,
        inbox=inbox,
    )
