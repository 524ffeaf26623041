"""Topics: create (idempotent by name), delete, attributes.

A topic's Policy starts as AWS's default (owner account only) and governs
what other accounts and service principals may do with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.shared import tags
from privlink.services.sns import arns, policy, queries
from privlink.services.sns.operations.tags import TAG_ERRORS
from privlink.services.sns.records import Delivery, InboxMessage, Subscription, Topic

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_NO_FIFO = "privlink implements standard topics only"

# AWS's default for HTTP/S endpoints, exactly as GetTopicAttributes answers it (3 retries,
# 20 s apart, linear). Clients compare it and Terraform stores it; privlink's own delivery
# worker retries sooner (privlink.services.sns.delivery), a local shortcut it does not report.
EFFECTIVE_DELIVERY_POLICY = json.dumps(
    {
        "http": {
            "defaultHealthyRetryPolicy": {
                "minDelayTarget": 20,
                "maxDelayTarget": 20,
                "numRetries": 3,
                "numMaxDelayRetries": 0,
                "numNoDelayRetries": 0,
                "numMinDelayRetries": 0,
                "backoffFunction": "linear",
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


@dataclass(frozen=True)
class NewTopic:
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


def _check_attribute(name: str, value: str) -> None:
    check = SETTABLE.get(name)
    if check is None:
        raise errors.SnsInvalidParameter("AttributeName")
    if not check(value):
        raise errors.SnsInvalidParameter(name)


def _check_create_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    if attributes.get("FifoTopic", "false") != "false":
        raise errors.SnsInvalidParameterReason("FifoTopic", _NO_FIFO)
    checked = {k: v for k, v in attributes.items() if k != "FifoTopic"}
    for name, value in checked.items():
        _check_attribute(name, value)
    return checked


def _check_same(
    existing: Topic, attributes: dict[str, str], wanted_tags: Mapping[str, str]
) -> None:
    """CreateTopic of an existing name answers its ARN when every attribute and tag given
    matches the topic's (a subset of its tags, or none, is fine: AWS changes nothing)."""
    if any(existing.attributes.get(k, "") != v for k, v in attributes.items()):
        raise errors.SnsInvalidParameterReason(
            "Attributes", "Topic already exists with different attributes"
        )
    if any(existing.tags.get(k) != v for k, v in wanted_tags.items()):
        raise errors.SnsInvalidParameterReason("Tags", "Topic already exists with different tags")


def create_topic(scope: Scope, spec: NewTopic) -> Topic:
    if not _NAME.match(spec.name):
        if spec.name.endswith(".fifo"):
            raise errors.SnsInvalidParameterReason("FifoTopic", _NO_FIFO)
        raise errors.SnsInvalidParameter("Topic Name")
    attributes = _check_create_attributes(spec.attributes)
    tags.check(spec.tags, TAG_ERRORS)
    arn = arns.topic(scope, spec.name)
    existing = scope.get(Topic, arn)
    if existing is not None:
        _check_same(existing, attributes, spec.tags)
        return existing
    topic = Topic(
        id=arn,
        account=scope.account,
        region=scope.region,
        name=spec.name,
        attributes={
            "DisplayName": "",
            "Policy": policy.default_policy(arn, scope.account),
            **attributes,
        },
        tags=dict(spec.tags),
    )
    scope.add(topic)
    return topic


def delete_topic(scope: Scope, arn: str) -> None:
    """Delete a topic with its subscriptions and inbox (a missing topic is no error)."""
    arns.check_topic(arn)
    topic = scope.foreign(Topic, arn)
    if topic is None:
        return
    policy.authorize(scope, topic, "DeleteTopic")
    for subscription in queries.subscriptions_of(scope.uow, topic):
        remove_subscription(scope, subscription)
    for message in scope.uow.list(InboxMessage, parent=topic.id):
        scope.delete(message)
    scope.delete(topic)


def remove_subscription(scope: Scope, subscription: Subscription) -> None:
    """Remove a subscription and whatever is still queued for it."""
    for delivery in scope.uow.list(Delivery, parent=subscription.id):
        scope.delete(delivery)
    scope.delete(subscription)


def topic_attributes(scope: Scope, arn: str) -> dict[str, str]:
    """The settable attributes with the computed ones (owner, subscription counts)."""
    topic = queries.require_topic(scope, arn)
    policy.authorize(scope, topic, "GetTopicAttributes")
    subscriptions = queries.subscriptions_of(scope.uow, topic)
    confirmed = sum(1 for s in subscriptions if s.confirmed)
    return {
        **topic.attributes,
        "Owner": topic.account,
        "TopicArn": topic.id,
        "SubscriptionsConfirmed": str(confirmed),
        "SubscriptionsPending": str(len(subscriptions) - confirmed),
        "SubscriptionsDeleted": "0",
        "EffectiveDeliveryPolicy": EFFECTIVE_DELIVERY_POLICY,
    }


def set_topic_attribute(scope: Scope, arn: str, name: str, value: str) -> None:
    topic = queries.require_topic(scope, arn)
    policy.authorize(scope, topic, "SetTopicAttributes")
    if name == "Policy" and not value:
        value = policy.default_policy(topic.id, topic.account)  # an empty policy resets it
    _check_attribute(name, value)
    topic.attributes[name] = value
    scope.put(topic)
