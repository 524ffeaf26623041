"""Simple Notification Service as privlink serves it."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.sns import records
from privlink.services.sns.handlers import publishing, subscriptions, tags, topics


def service() -> Service:
    return Service.from_modules(
        "sns",
        [topics, subscriptions, publishing, tags],
        records=[records.Topic, records.Subscription, records.InboxMessage, records.Delivery],
    )
