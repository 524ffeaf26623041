"""publish_as_service in-process: the topic policy decides whether a service may publish."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from privlink.api import Scope
from privlink.services.sns import subscriptions, topics
from privlink.services.sns.publishing import publish_as_service
from privlink.services.sns.records import Delivery, InboxMessage, Subscription
from privlink.store import Store

OWNER = "111111111111"
CALLER = "222222222222"  # the account whose API call triggers the notification
REGION = "us-east-1"
SERVICE_ARN = f"arn:aws:ec2:{REGION}:{OWNER}:vpc-endpoint-service/vpce-svc-0123456789abcdef0"


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


@contextmanager
def context(store: Store, account: str = OWNER) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(account, REGION, uow)


def statement(**overrides: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "vpce.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": "*",
        **overrides,
    }


@pytest.fixture
def topic(store: Store) -> str:
    """A topic of OWNER with one confirmed and one pending HTTP subscriber."""
    with context(store) as ctx:
        arn = str(topics.create(ctx, {"Name": "notifications"})["TopicArn"])
        for path in ("/confirmed", "/pending"):
            subscriptions.subscribe(
                ctx,
                {"TopicArn": arn, "Protocol": "http", "Endpoint": f"http://127.0.0.1:9{path}"},
            )
    with context(store) as ctx:
        confirmed = next(
            s for s in ctx.uow.list(Subscription, parent=arn) if s.endpoint.endswith("/confirmed")
        )
        subscriptions.confirm(ctx, {"TopicArn": arn, "Token": confirmed.token})
    return arn


def set_policy(store: Store, arn: str, *statements: dict[str, Any]) -> None:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    with context(store) as ctx:
        topics.set_attributes(
            ctx,
            {"TopicArn": arn, "AttributeName": "Policy", "AttributeValue": json.dumps(document)},
        )


def publish(store: Store, arn: str, **kwargs: Any) -> bool:
    with context(store, CALLER) as ctx:
        return publish_as_service(ctx, arn, '{"eventType":"Connect"}', "Endpoint event", **kwargs)


def notifications(store: Store) -> list[Delivery]:
    with store.unit() as uow:
        return [d for d in uow.list(Delivery) if d.message_type == "Notification"]


def inbox(store: Store, arn: str) -> list[InboxMessage]:
    with store.unit() as uow:
        return uow.list(InboxMessage, parent=arn)


def test_default_policy_delivers_nothing(store: Store, topic: str) -> None:
    assert publish(store, topic) is False
    assert inbox(store, topic) == [] and notifications(store) == []


def test_vpce_permission_delivers_to_confirmed_subscribers(store: Store, topic: str) -> None:
    set_policy(store, topic, statement(Resource=topic))
    assert publish(store, topic) is True
    [message] = inbox(store, topic)
    assert (message.publisher, message.subject) == ("vpce.amazonaws.com", "Endpoint event")
    assert message.account == OWNER  # the topic's account, not the caller's
    [delivery] = notifications(store)
    assert delivery.endpoint.endswith("/confirmed")
    assert delivery.message == '{"eventType":"Connect"}' and delivery.message_id == message.id
    assert list(message.deliveries) == [delivery.subscription_arn]


@pytest.mark.parametrize(
    "granted",
    [
        statement(Principal={"Service": ["events.amazonaws.com", "vpce.amazonaws.com"]}),
        statement(Action=["sns:Subscribe", "sns:publish"]),
        statement(Action="sns:*"),
        statement(Principal="*"),
    ],
)
def test_permission_forms(store: Store, topic: str, granted: dict[str, Any]) -> None:
    set_policy(store, topic, granted)
    assert publish(store, topic) is True


@pytest.mark.parametrize(
    "refused",
    [
        statement(Principal={"Service": "events.amazonaws.com"}),
        statement(Principal={"AWS": "*"}),
        statement(Action="SNS:Subscribe"),
        statement(Resource="arn:aws:sns:us-east-1:111111111111:other"),
        statement(Effect="Deny"),
    ],
)
def test_without_the_permission_nothing_is_delivered(
    store: Store, topic: str, refused: dict[str, Any]
) -> None:
    set_policy(store, topic, refused)
    assert publish(store, topic) is False
    assert inbox(store, topic) == []


def test_an_explicit_deny_wins(store: Store, topic: str) -> None:
    set_policy(store, topic, statement(), statement(Effect="Deny"))
    assert publish(store, topic) is False


def test_source_conditions_are_checked_when_known(store: Store, topic: str) -> None:
    set_policy(
        store,
        topic,
        statement(
            Condition={
                "ArnLike": {"aws:SourceArn": SERVICE_ARN},
                "StringEquals": {"aws:SourceAccount": OWNER},
            }
        ),
    )
    assert publish(store, topic, source_arn=SERVICE_ARN, source_account=OWNER) is True
    other = SERVICE_ARN.replace("0123456789abcdef0", "fffffffffffffffff")
    assert publish(store, topic, source_arn=other, source_account=OWNER) is False
    assert publish(store, topic, source_arn=SERVICE_ARN, source_account=CALLER) is False
    assert len(inbox(store, topic)) == 1


def test_missing_topic_is_not_an_error(store: Store) -> None:
    assert publish(store, f"arn:aws:sns:{REGION}:{OWNER}:nothing-here") is False
