"""Publishing: Publish for callers and publish_as_service for AWS service principals.

Both record the message in the topic's inbox and queue one Notification
delivery per confirmed subscriber, in the caller's transaction; the delivery
worker POSTs them after commit. publish_as_service is how other services
(VPC endpoint connection notifications) publish as vpce.amazonaws.com: as on
AWS, the topic policy must allow that service principal sns:Publish on the
topic, or nothing is delivered.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.sns import arns, outbox, policy, queries
from privlink.services.sns.records import INBOX_LIMIT, DeliveryStatus, InboxMessage, Topic

log = logging.getLogger("privlink.sns")

MAX_MESSAGE_BYTES = 256 * 1024
MAX_ATTRIBUTES = 10
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


@dataclass(frozen=True)
class MessageAttribute:
    data_type: str
    string_value: str | None = None
    binary_value: bytes | None = None


@dataclass(frozen=True)
class Message:
    """What Publish sends: a body, optionally a subject, per-protocol bodies and attributes."""

    body: str
    subject: str | None = None
    structure: str | None = None  # "json": body maps protocols to bodies
    attributes: Mapping[str, MessageAttribute] = field(default_factory=dict)


def _check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if not 1 <= len(subject) <= 100 or any(not 32 <= ord(c) < 127 for c in subject):
        raise errors.SnsInvalidParameter("Subject")


def _structured(message: str, structure: str | None) -> dict[str, str] | None:
    """The per-protocol bodies of a MessageStructure=json message (None for plain messages)."""
    if structure is None:
        return None
    if structure != "json":
        raise errors.SnsInvalidParameter("MessageStructure")
    try:
        bodies = json.loads(message)
    except ValueError as exc:
        raise errors.SnsInvalidParameter(
            "Message Structure - JSON message body failed to parse"
        ) from exc
    if not isinstance(bodies, dict) or not isinstance(bodies.get("default"), str):
        raise errors.SnsInvalidParameter(
            "Message Structure - No default entry in JSON message body"
        )
    return {k: v for k, v in bodies.items() if isinstance(v, str)}


def _check_value(name: str, data_type: str, value: str) -> None:
    if data_type.startswith("Number"):
        try:
            float(value)
        except ValueError as exc:
            raise errors.MessageAttributeNotNumber(name) from exc
    if data_type == "String.Array":
        try:
            json.loads(value)
        except ValueError as exc:
            raise errors.MessageAttributeArrayInvalid(name) from exc


def _attribute(name: str, raw: MessageAttribute) -> dict[str, str]:
    """One message attribute as the Notification JSON carries it: {Type, Value}."""
    if (
        not _ATTRIBUTE_NAME.match(name)
        or name.startswith((".", "AWS.", "Amazon."))
        or name.endswith(".")
        or ".." in name
    ):
        raise errors.MessageAttributeNameInvalid(name)
    base = raw.data_type.split(".", 1)[0]
    if base not in ("String", "Number", "Binary"):
        raise errors.MessageAttributeTypeInvalid(name)
    if base == "Binary":
        if not raw.binary_value:
            raise errors.MessageAttributeValueEmpty(name, base)
        return {"Type": raw.data_type, "Value": base64.b64encode(raw.binary_value).decode()}
    if not raw.string_value:
        raise errors.MessageAttributeValueEmpty(name, base)
    _check_value(name, raw.data_type, raw.string_value)
    return {"Type": raw.data_type, "Value": raw.string_value}


def _attributes(raw: Mapping[str, MessageAttribute]) -> dict[str, dict[str, str]]:
    if len(raw) > MAX_ATTRIBUTES:
        raise errors.TooManyMessageAttributes(str(len(raw)), str(MAX_ATTRIBUTES))
    return {name: _attribute(name, value) for name, value in raw.items()}


def _size(message: str, attributes: dict[str, dict[str, str]]) -> int:
    extra = sum(len(k) + len(v["Type"]) + len(v["Value"]) for k, v in attributes.items())
    return len(message.encode()) + extra


def deliver(
    scope: Scope,
    topic: Topic,
    message: str,
    subject: str | None,
    publisher: str,
    attributes: dict[str, dict[str, str]] | None = None,
    structure: str | None = None,
) -> InboxMessage:
    """Record a validated message in the topic's inbox and queue it for confirmed subscribers."""
    bodies = _structured(message, structure)
    message_id = arns.uuid_like(scope)
    inbox = InboxMessage(
        id=message_id,
        account=topic.account,
        region=topic.region,
        topic_arn=topic.id,
        message_id=message_id,
        message=message,
        subject=subject,
        message_structure=structure,
        message_attributes=attributes or {},
        timestamp=outbox.timestamp(scope),
        publisher=publisher,
    )
    for subscription in queries.subscriptions_of(scope.uow, topic):
        if not subscription.confirmed:
            continue
        body = bodies.get(subscription.protocol, bodies["default"]) if bodies else message
        outbox.notification(scope, topic, subscription, inbox, body)
        inbox.deliveries[subscription.id] = DeliveryStatus(endpoint=subscription.endpoint)
    scope.add(inbox)
    _trim_inbox(scope, topic)
    return inbox


def _trim_inbox(scope: Scope, topic: Topic) -> None:
    messages = scope.uow.list(InboxMessage, parent=topic.id)
    for old in messages[: max(0, len(messages) - INBOX_LIMIT)]:
        scope.delete(old)


def publish(scope: Scope, topic_arn: str, message: Message, member: str = "TopicArn") -> str:
    """Publish as the caller (the topic policy decides for other accounts); the message id.

    `member` is the request member that named the topic (TopicArn or TargetArn)."""
    topic = queries.require_topic(scope, topic_arn, member)
    policy.authorize(scope, topic, "Publish")
    if not message.body:
        raise errors.SnsInvalidParameter("Empty message")
    _check_subject(message.subject)
    attributes = _attributes(message.attributes)
    if _size(message.body, attributes) > MAX_MESSAGE_BYTES:
        raise errors.SnsInvalidParameter("Message too long")
    inbox = deliver(
        scope, topic, message.body, message.subject, scope.account, attributes, message.structure
    )
    return inbox.message_id


def publish_as_service(
    scope: Scope,
    topic_arn: str,
    message: str,
    subject: str | None,
    principal: str = "vpce.amazonaws.com",
    *,
    source_arn: str | None = None,
    source_account: str | None = None,
) -> bool:
    """Publish to any account's topic as an AWS service principal; True if it was delivered.

    The topic policy must have an Allow statement for the principal (Principal
    {"Service": principal} or "*"), action sns:Publish (or a wildcard) and a resource
    matching the topic. Conditions on aws:SourceArn / aws:SourceAccount are checked
    when the caller passes source_arn / source_account (for a connection notification:
    the endpoint service's or endpoint's ARN, and its owner). A topic that does not
    exist, or a policy that does not allow it, means no delivery, as on AWS. A subject
    SNS would refuse (over 100 characters, control characters) raises InvalidParameter.
    """
    topic = scope.foreign(Topic, topic_arn)
    if topic is None:
        log.info("%s cannot publish to %s: no such topic", principal, topic_arn)
        return False
    context = {
        key: value
        for key, value in (("aws:sourcearn", source_arn), ("aws:sourceaccount", source_account))
        if value is not None
    }
    if not policy.allows(topic.policy, policy.SERVICE, principal, "sns:Publish", topic.id, context):
        log.info("the policy of %s does not allow %s to publish", topic_arn, principal)
        return False
    _check_subject(subject)
    deliver(scope, topic, message, subject, principal)
    return True
