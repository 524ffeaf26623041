"""SNS operations: typed calls that decide and write, for handlers and other services.

Other services publish through `publish_as_service` (as an AWS service
principal, subject to the topic policy), inside their own transaction.
"""

from privlink.services.sns.operations.publishing import (
    Message,
    MessageAttribute,
    publish,
    publish_as_service,
)
from privlink.services.sns.operations.subscriptions import (
    NewSubscription,
    confirm,
    set_subscription_attribute,
    subscribe,
    subscription_attributes,
    unsubscribe,
)
from privlink.services.sns.operations.tags import tag_resource, untag_resource
from privlink.services.sns.operations.topics import (
    NewTopic,
    create_topic,
    delete_topic,
    set_topic_attribute,
    topic_attributes,
)

__all__ = [
    "Message",
    "MessageAttribute",
    "NewSubscription",
    "NewTopic",
    "confirm",
    "create_topic",
    "delete_topic",
    "publish",
    "publish_as_service",
    "set_subscription_attribute",
    "set_topic_attribute",
    "subscribe",
    "subscription_attributes",
    "tag_resource",
    "topic_attributes",
    "unsubscribe",
    "untag_resource",
]
