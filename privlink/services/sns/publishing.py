"""The Publish API (see operations.publishing for the rules)."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.sns import common
from privlink.services.sns.operations.publishing import (
    MAX_MESSAGE_BYTES,
    _attributes,
    _check_subject,
    _size,
    deliver,
)


@handles("Publish")
def publish(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("PhoneNumber"):
        raise errors.InvalidParameter(
            "Invalid parameter: PhoneNumber Reason: privlink does not deliver SMS"
        )
    target = params.get("TopicArn") or params.get("TargetArn")
    if not target:
        raise errors.InvalidParameter(
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
        )
    topic = common.require_topic(ctx, target, "TopicArn" if params.get("TopicArn") else "TargetArn")
    common.authorize(ctx, topic, "Publish")
    message = params["Message"]
    if not message:
        raise errors.InvalidParameter("Invalid parameter: Empty message")
    subject = params.get("Subject")
    _check_subject(subject)
    attributes = _attributes(params.get("MessageAttributes"))
    if _size(message, attributes) > MAX_MESSAGE_BYTES:
        raise errors.InvalidParameter("Invalid parameter: Message too long")
    inbox = deliver(
        ctx, topic, message, subject, ctx.account, attributes, params.get("MessageStructure")
    )
    return {"MessageId": inbox.message_id}
