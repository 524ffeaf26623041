"""Strict mode: SigV4 signatures are verified for the configured keys only."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def client(server, service: str, key: str, secret: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="eu-west-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def strict(fresh_server):  # type: ignore[no-untyped-def]
    return fresh_server(extra_args=["--strict-key", "333333333333:s3cret/with+chars"])


def test_good_signature_is_accepted_for_every_protocol(strict) -> None:  # type: ignore[no-untyped-def]
    ec2 = client(strict, "ec2", "333333333333", "s3cret/with+chars")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == "333333333333"
    assert ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.1.0.0/16"]}])["Vpcs"]
    sts = client(strict, "sts", "333333333333", "s3cret/with+chars")
    assert sts.get_caller_identity()["Account"] == "333333333333"
    sns = client(strict, "sns", "333333333333", "s3cret/with+chars")
    assert sns.create_topic(Name="t")["TopicArn"].startswith("arn:aws:sns:eu-west-1:333333333333")


def test_wrong_secret_is_refused(strict) -> None:  # type: ignore[no-untyped-def]
    ec2 = client(strict, "ec2", "333333333333", "wrong")
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs()
    assert err.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_is_refused(strict) -> None:  # type: ignore[no-untyped-def]
    sns = client(strict, "sns", "444444444444", "s3cret/with+chars")
    with pytest.raises(ClientError) as err:
        sns.list_topics()
    assert err.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
