"""Publish."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.sns import operations


def _attribute(raw: dict[str, Any]) -> operations.MessageAttribute:
    binary = raw.get("BinaryValue")
    if binary is not None and not isinstance(binary, bytes):
        binary = str(binary).encode()
    return operations.MessageAttribute(raw.get("DataType") or "", raw.get("StringValue"), binary)


@handles("Publish")
def publish(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("PhoneNumber"):
        raise errors.SnsInvalidParameterReason("PhoneNumber", "privlink does not deliver SMS")
    target = params.get("TopicArn") or params.get("TargetArn")
    if not target:
        raise errors.SnsInvalidParameterReason(
            "TopicArn or TargetArn", "no value for required parameter"
        )
    message = operations.Message(
        body=params["Message"],
        subject=params.get("Subject"),
        structure=params.get("MessageStructure"),
        attributes={k: _attribute(v) for k, v in (params.get("MessageAttributes") or {}).items()},
    )
    member = "TopicArn" if params.get("TopicArn") else "TargetArn"
    return {"MessageId": operations.publish(ctx, target, message, member)}
