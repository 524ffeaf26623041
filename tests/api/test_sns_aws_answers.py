"""SNS answers as AWS gives them: the default delivery policy, CreateTopic again, Unsubscribe."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from tests.api.ec2_helpers import aws_error

AWS_DEFAULT_POLICY = (
    '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,'
    '"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,'
    '"backoffFunction":"linear"},"disableSubscriptionOverrides":false,'
    '"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}'
)


def test_default_effective_delivery_policy(server, account):
    sns = server.client("sns", account)
    arn = sns.create_topic(Name="policy")["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["EffectiveDeliveryPolicy"] == AWS_DEFAULT_POLICY
    assert json.loads(AWS_DEFAULT_POLICY)["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3


def test_create_topic_again_with_a_subset_of_its_tags(server, account):
    sns = server.client("sns", account)
    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    arn = sns.create_topic(Name="tagged", Tags=tags)["TopicArn"]
    assert sns.create_topic(Name="tagged", Tags=tags[:1])["TopicArn"] == arn
    assert sns.create_topic(Name="tagged", Tags=tags[::-1])["TopicArn"] == arn
    assert sns.create_topic(Name="tagged")["TopicArn"] == arn
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == tags
    for different in ([{"Key": "a", "Value": "9"}], [*tags, {"Key": "c", "Value": "3"}]):
        with aws_error("InvalidParameter") as info:
            sns.create_topic(Name="tagged", Tags=different)
        assert info.value.response["Error"]["Message"] == (
            "Invalid parameter: Tags Reason: Topic already exists with different tags"
        )


def test_unsubscribe_bad_arns(server, account):
    sns = boto3.client(
        "sns",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )
    topic = sns.create_topic(Name="unsub")["TopicArn"]
    for arn, elements in (("", 1), ("randomstring", 1), ("arn:aws:sns:us-east-1:random", 5)):
        with aws_error("InvalidParameter") as info:
            sns.unsubscribe(SubscriptionArn=arn)
        assert info.value.response["Error"]["Message"] == (
            "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, "
            f"not {elements}"
        )
    with aws_error("InvalidParameter") as info:
        sns.unsubscribe(SubscriptionArn=topic)
    assert info.value.response["Error"]["Message"] == "Invalid parameter: SubscriptionId"
    # A well-formed subscription ARN nobody has: nothing to do, and no error.
    sns.unsubscribe(SubscriptionArn=f"{topic}:0b6941f7-8a14-4b5e-9a0d-9f8c5d1e2a3b")
