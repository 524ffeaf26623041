"""Connection notifications reach a topic only when its policy lets vpce.amazonaws.com publish.

One endpoint service notifies many topics, each with another policy; one
endpoint creation (a Connect event) then shows which topics got the message.
On AWS the service principal publishes with the service's ARN and the
provider's account as aws:SourceArn / aws:SourceAccount, and an explicit Deny
wins over any Allow. Delivery to confirmed subscribers only is SNS's own fan-out
(tests/api/test_sns.py); the documented policy with both conditions and the
default topic policy are in test_endpoint_service_flow.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.privatelink import Party, allow, make_net, make_service, party, sns_messages

SUBJECT = "VPC Endpoint Connection Notification: Connect"


@pytest.fixture
def provider(server) -> Party:
    return party(server)


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def statement(**overrides: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "vpce.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": "*",
        **overrides,
    }


def policies(provider: str, service_arn: str) -> dict[str, tuple[bool, list[dict[str, Any]]]]:
    """Topic label -> (delivered?, policy statements)."""
    other_service = service_arn[:-6] + "ffffff"
    return {
        "service-list": (
            True,
            [statement(Principal={"Service": ["events.amazonaws.com", "vpce.amazonaws.com"]})],
        ),
        "action-list": (True, [statement(Action=["sns:Subscribe", "sns:publish"])]),
        "action-wildcard": (True, [statement(Action="sns:*")]),
        "anyone": (True, [statement(Principal="*")]),
        "conditions-hold": (
            True,
            [
                statement(
                    Condition={
                        "ArnLike": {"aws:SourceArn": service_arn},
                        "StringEquals": {"aws:SourceAccount": provider},
                    }
                )
            ],
        ),
        "other-service-principal": (False, [statement(Principal={"Service": "sns.amazonaws.com"})]),
        "aws-principals-only": (False, [statement(Principal={"AWS": "*"})]),
        "other-action": (False, [statement(Action="SNS:Subscribe")]),
        "other-resource": (False, [statement(Resource=f"arn:aws:sns:us-east-1:{provider}:x")]),
        "deny": (False, [statement(Effect="Deny")]),
        "deny-wins": (False, [statement(), statement(Effect="Deny")]),
        "other-source-arn": (
            False,
            [statement(Condition={"ArnLike": {"aws:SourceArn": other_service}})],
        ),
        "other-source-account": (
            False,
            [statement(Condition={"StringEquals": {"aws:SourceAccount": "999999999999"}})],
        ),
    }


def test_the_topic_policy_decides_who_gets_the_notification(server, provider, consumer):
    service = make_service(provider, acceptance=True)
    service_id = service["ServiceId"]
    service_arn = f"arn:aws:ec2:us-east-1:{provider.account}:vpc-endpoint-service/{service_id}"
    allow(provider, service_id, consumer)
    expected: dict[str, bool] = {}
    topics: dict[str, str] = {}
    for label, (delivered, statements) in policies(provider.account, service_arn).items():
        arn = str(provider.sns.create_topic(Name=label)["TopicArn"])
        document = {"Version": "2012-10-17", "Statement": statements}
        provider.sns.set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(document)
        )
        provider.ec2.create_vpc_endpoint_connection_notification(
            ServiceId=service_id, ConnectionNotificationArn=arn, ConnectionEvents=["Connect"]
        )
        topics[label], expected[label] = arn, delivered
    # A topic deleted after its notification was set up: the event still goes to the others.
    gone = str(provider.sns.create_topic(Name="deleted-later")["TopicArn"])
    provider.ec2.create_vpc_endpoint_connection_notification(
        ServiceId=service_id, ConnectionNotificationArn=gone, ConnectionEvents=["Connect"]
    )
    provider.sns.delete_topic(TopicArn=gone)

    net = make_net(consumer.ec2)
    endpoint_id = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=service["ServiceName"]
    )["VpcEndpoint"]["VpcEndpointId"]

    messages = {label: sns_messages(server, arn) for label, arn in topics.items()}
    assert {label: bool(found) for label, found in messages.items()} == expected
    for label, found in messages.items():
        if not expected[label]:
            continue
        [message] = found  # once per topic, in the topic owner's inbox
        assert (message["Publisher"], message["Subject"]) == ("vpce.amazonaws.com", SUBJECT)
        body = json.loads(message["Message"])
        assert (body["eventType"], body["vpcEndpointId"]) == ("Connect", endpoint_id)
        assert body["connectionNotificationArn"] == topics[label]
