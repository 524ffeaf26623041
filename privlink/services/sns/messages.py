"""The HTTP requests SNS makes to subscribers: JSON envelopes, headers, URLs.

Rendering happens at delivery time, not at publish time, because the URLs
in a message (SubscribeURL, UnsubscribeURL, SigningCertURL) point at this
privlink's own HTTP endpoint, which only the running process knows.

SubscribeURL and UnsubscribeURL carry Version=2010-03-31 in addition to
AWS's parameters: an unsigned GET has no SigV4 scope naming the service, and
the API version is what routes it to SNS (see gateway._pick_service).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from privlink.services.sns.records import Delivery
from privlink.services.sns.signing import SIGNING_CERT_PATH, Signer

API_VERSION = "2010-03-31"
USER_AGENT = "Amazon Simple Notification Service Agent"

CONFIRM_TEXT = (
    "You have chosen to subscribe to the topic {topic}.\n"
    "To confirm the subscription, visit the SubscribeURL included in this message."
)
UNSUBSCRIBE_TEXT = (
    "You have chosen to deactivate subscription {subscription}.\n"
    "To cancel this operation and restore the subscription, visit the SubscribeURL included "
    "in this message."
)


def subscribe_url(base_url: str, topic_arn: str, token: str) -> str:
    return (
        f"{base_url}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=':')}"
        f"&Token={token}&Version={API_VERSION}"
    )


def unsubscribe_url(base_url: str, subscription_arn: str) -> str:
    return (
        f"{base_url}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=':')}"
        f"&Version={API_VERSION}"
    )


def envelope(delivery: Delivery, base_url: str, signer: Signer) -> dict[str, object]:
    """The signed JSON document SNS posts, field order as AWS sends it."""
    body: dict[str, str] = {"Type": delivery.message_type, "MessageId": delivery.message_id}
    if delivery.message_type == "Notification":
        body["TopicArn"] = delivery.topic_arn
        if delivery.subject is not None:
            body["Subject"] = delivery.subject
        body["Message"] = delivery.message
        body["Timestamp"] = delivery.timestamp
    else:
        body["Token"] = delivery.token or ""
        body["TopicArn"] = delivery.topic_arn
        body["Message"] = delivery.message
        body["SubscribeURL"] = subscribe_url(base_url, delivery.topic_arn, delivery.token or "")
        body["Timestamp"] = delivery.timestamp
    body["SignatureVersion"] = delivery.signature_version
    body["Signature"] = signer.sign(body)
    body["SigningCertURL"] = base_url + SIGNING_CERT_PATH
    result: dict[str, object] = dict(body)
    if delivery.message_type == "Notification":
        result["UnsubscribeURL"] = unsubscribe_url(base_url, delivery.subscription_arn)
        if delivery.message_attributes:
            result["MessageAttributes"] = delivery.message_attributes
    return result


def render(delivery: Delivery, base_url: str, signer: Signer) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of the POST for one delivery."""
    headers = {
        "x-amz-sns-message-type": delivery.message_type,
        "x-amz-sns-message-id": delivery.message_id,
        "x-amz-sns-topic-arn": delivery.topic_arn,
        "content-type": "text/plain; charset=UTF-8",
        "user-agent": USER_AGENT,
    }
    if delivery.message_type != "SubscriptionConfirmation":
        headers["x-amz-sns-subscription-arn"] = delivery.subscription_arn
    if delivery.raw and delivery.message_type == "Notification":
        headers["x-amz-sns-rawdelivery"] = "true"
        return delivery.message.encode(), headers
    return json.dumps(envelope(delivery, base_url, signer)).encode(), headers
