"""SNS records as the store keeps them.

Topics and subscriptions are keyed by their ARNs. Every message published to
a topic is kept in the topic's inbox (InboxMessage, newest INBOX_LIMIT per
topic) so tests and users can read what was published. Each HTTP POST still
to be made is a Delivery record: pending deliveries survive a restart, and
the delivery worker deletes one when it succeeded or ran out of attempts
(at-least-once, as SNS itself).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from privlink.services.ec2.records import Tagged
from privlink.store.records import Record

INBOX_LIMIT = 1000


class Topic(Tagged):
    kind = "sns-topic"
    name: str
    # The settable attributes (DisplayName, Policy, DeliveryPolicy, SignatureVersion, ...);
    # Policy is always present. Computed ones (Owner, counts) are not stored.
    attributes: dict[str, str] = Field(default_factory=dict)

    @property
    def policy(self) -> str:
        return self.attributes.get("Policy", "")


class Subscription(Record):
    kind = "sns-subscription"
    topic_arn: str
    owner: str  # the subscribing account
    protocol: str
    endpoint: str
    confirmed: bool = False
    token: str
    token_issued_at: str
    authenticate_on_unsubscribe: bool = False
    attributes: dict[str, str] = Field(default_factory=dict)  # RawMessageDelivery, ...

    @property
    def parent(self) -> str | None:
        return self.topic_arn

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"


class DeliveryStatus(BaseModel):
    endpoint: str
    status: str = "pending"  # pending | delivered | failed
    attempts: int = 0
    last_error: str | None = None


class InboxMessage(Record):
    kind = "sns-message"
    topic_arn: str
    message_id: str
    message: str
    subject: str | None = None
    message_structure: str | None = None
    message_attributes: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp: str
    publisher: str  # an account id, or a service principal such as vpce.amazonaws.com
    deliveries: dict[str, DeliveryStatus] = Field(default_factory=dict)  # by subscription ARN

    @property
    def parent(self) -> str | None:
        return self.topic_arn

    def wire(self) -> dict[str, Any]:
        """The inbox endpoint's view of a message."""
        return {
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
            "Message": self.message,
            "MessageStructure": self.message_structure,
            "MessageAttributes": self.message_attributes,
            "Timestamp": self.timestamp,
            "Publisher": self.publisher,
            "Deliveries": [
                {"SubscriptionArn": arn, **status.model_dump()}
                for arn, status in self.deliveries.items()
            ],
        }


class Delivery(Record):
    """One HTTP POST to make: a confirmation request or a notification."""

    kind = "sns-delivery"
    message_type: str  # SubscriptionConfirmation | Notification | UnsubscribeConfirmation
    topic_arn: str
    subscription_arn: str
    endpoint: str
    message_id: str
    message: str
    subject: str | None = None
    message_attributes: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp: str
    token: str | None = None  # confirmation messages carry the subscription's token
    raw: bool = False
    signature_version: str = "1"
    attempts: int = 0
    next_attempt_at: str

    @property
    def parent(self) -> str | None:
        return self.subscription_arn
