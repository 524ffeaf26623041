"""Publishing: the Publish API and publish_as_service for AWS service principals.

Both record the message in the topic's inbox and queue one Notification
delivery per confirmed subscriber, in the caller's transaction; the delivery
worker POSTs them after commit. publish_as_service is how other parts of
privlink (VPC endpoint connection notifications) publish as
vpce.amazonaws.com: as on AWS, the topic policy must allow that service
principal sns:Publish on the topic, or nothing is delivered.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.sns import common, outbox, policy
from privlink.services.sns.records import INBOX_LIMIT, DeliveryStatus, InboxMessage, Topic

log = logging.getLogger("privlink.sns")

MAX_MESSAGE_BYTES = 256 * 1024
MAX_ATTRIBUTES = 10
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")


def _check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if not 1 <= len(subject) <= 100 or any(not 32 <= ord(c) < 127 for c in subject):
        raise errors.InvalidParameter("Invalid parameter: Subject")


def _structured(message: str, structure: str | None) -> dict[str, str] | None:
    """The per-protocol bodies of a MessageStructure=json message (None for plain messages)."""
    if structure is None:
        return None
    if structure != "json":
        raise errors.InvalidParameter("Invalid parameter: MessageStructure")
    try:
        bodies = json.loads(message)
    except ValueError as exc:
        raise errors.InvalidParameter(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        ) from exc
    if not isinstance(bodies, dict) or not isinstance(bodies.get("default"), str):
        raise errors.InvalidParameter(
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
    return {k: v for k, v in bodies.items() if isinstance(v, str)}


def _attribute(name: str, raw: dict[str, Any]) -> dict[str, str]:
    """One MessageAttributes entry as the Notification JSON carries it: {Type, Value}."""
    if (
        not _ATTRIBUTE_NAME.match(name)
        or name.startswith((".", "AWS.", "Amazon."))
        or name.endswith(".")
        or ".." in name
    ):
        raise errors.ParameterValueInvalid(f"The message attribute name '{name}' is invalid")
    data_type = raw.get("DataType") or ""
    base = data_type.split(".", 1)[0]
    if base not in ("String", "Number", "Binary"):
        raise errors.ParameterValueInvalid(
            f"The message attribute '{name}' has an invalid message attribute type, the set of "
            "supported type prefixes is Binary, Number, and String."
        )
    if base == "Binary":
        value = raw.get("BinaryValue")
        if not value:
            raise errors.ParameterValueInvalid(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                "for message attribute type 'Binary'."
            )
        text = base64.b64encode(value if isinstance(value, bytes) else str(value).encode())
        return {"Type": data_type, "Value": text.decode()}
    value = raw.get("StringValue")
    if not value:
        raise errors.ParameterValueInvalid(
            f"The message attribute '{name}' must contain non-empty message attribute value for "
            f"message attribute type '{base}'."
        )
    if base == "Number":
        try:
            float(value)
        except ValueError as exc:
            raise errors.ParameterValueInvalid(
                f"Could not cast message attribute '{name}' value to number."
            ) from exc
    if data_type == "String.Array":
        try:
            json.loads(value)
        except ValueError as exc:
            raise errors.ParameterValueInvalid(
                f"The message attribute '{name}' with type 'String.Array' has an invalid value"
            ) from exc
    return {"Type": data_type, "Value": value}


def _attributes(raw: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    if not raw:
        return {}
    if len(raw) > MAX_ATTRIBUTES:
        raise errors.InvalidParameter(
            f"Number of message attributes [{len(raw)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    return {name: _attribute(name, value) for name, value in raw.items()}


def _size(message: str, attributes: dict[str, dict[str, str]]) -> int:
    extra = sum(len(k) + len(v["Type"]) + len(v["Value"]) for k, v in attributes.items())
    return len(message.encode()) + extra


def deliver(
    ctx: Scope,
    topic: Topic,
    message: str,
    subject: str | None,
    publisher: str,
    attributes: dict[str, dict[str, str]] | None = None,
    structure: str | None = None,
) -> InboxMessage:
    """Record a validated message in the topic's inbox and queue it for confirmed subscribers."""
    bodies = _structured(message, structure)
    message_id = common.uuid_like(ctx)
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
        timestamp=outbox.timestamp(ctx),
        publisher=publisher,
    )
    for subscription in common.subscriptions_of(ctx, topic):
        if not subscription.confirmed:
            continue
        body = bodies.get(subscription.protocol, bodies["default"]) if bodies else message
        outbox.notification(ctx, topic, subscription, inbox, body)
        inbox.deliveries[subscription.id] = DeliveryStatus(endpoint=subscription.endpoint)
    ctx.uow.add(inbox)
    _trim_inbox(ctx, topic)
    return inbox


def _trim_inbox(ctx: Scope, topic: Topic) -> None:
    messages = ctx.uow.list(InboxMessage, parent=topic.id)
    for old in messages[: max(0, len(messages) - INBOX_LIMIT)]:
        ctx.uow.delete(old)


def publish_as_service(
    ctx: Scope,
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
    topic = ctx.uow.get(Topic, topic_arn)
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
    deliver(ctx, topic, message, subject, principal)
    return True
