"""The fuzz account: a few real resources whose ids the generated requests may use."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Server, fresh_account


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: property-based requests over every implemented operation"
    )


@pytest.fixture(scope="session")
def fuzz_account() -> str:
    return fresh_account()


@pytest.fixture(scope="session")
def pool(server: Server, fuzz_account: str) -> list[str]:
    """Ids and names of resources that exist, so valid-ish requests reach past lookups."""
    ec2: Any = server.client("ec2", fuzz_account)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fuzz", Description="fuzz", VpcId=vpc)["GroupId"]
    topic = server.client("sns", fuzz_account).create_topic(Name="fuzz")["TopicArn"]
    bucket = f"fuzz-{fuzz_account}"
    server.client("s3", fuzz_account).create_bucket(Bucket=bucket)
    server.client("logs", fuzz_account).create_log_group(logGroupName="fuzz")
    return [vpc, subnet, group, topic, bucket, "fuzz", fuzz_account]
