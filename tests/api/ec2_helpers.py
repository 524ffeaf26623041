"""Helpers for the EC2 API tests: error assertions and small resource builders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from tests.harness import Server


@contextmanager
def aws_error(code: str, status: int = 400) -> Iterator[pytest.ExceptionInfo[ClientError]]:
    """Expect a ClientError with this code and HTTP status."""
    with pytest.raises(ClientError) as info:
        yield info
    response = info.value.response
    assert response["Error"]["Code"] == code, response["Error"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status


def unvalidated(server: Server, account: str, region: str = "us-east-1") -> Any:
    """An EC2 client that sends what it is given, so the server's validation answers."""
    return boto3.client(
        "ec2",
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(
            retries={"max_attempts": 1}, inject_host_prefix=False, parameter_validation=False
        ),
    )


def make_vpc(ec2: Any, cidr: str = "10.0.0.0/16", **kwargs: Any) -> str:
    return str(ec2.create_vpc(CidrBlock=cidr, **kwargs)["Vpc"]["VpcId"])


def make_subnet(ec2: Any, vpc_id: str, cidr: str = "10.0.1.0/24", **kwargs: Any) -> str:
    return str(ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, **kwargs)["Subnet"]["SubnetId"])


def make_group(ec2: Any, vpc_id: str, name: str = "web", **kwargs: Any) -> str:
    return str(
        ec2.create_security_group(
            GroupName=name, Description=f"{name} group", VpcId=vpc_id, **kwargs
        )["GroupId"]
    )


def network(
    ec2: Any, vpc_cidr: str = "10.0.0.0/16", subnet_cidr: str = "10.0.1.0/24"
) -> tuple[str, str]:
    """A fresh VPC and one subnet in it."""
    vpc_id = make_vpc(ec2, vpc_cidr)
    return vpc_id, make_subnet(ec2, vpc_id, subnet_cidr)


def default_vpc(ec2: Any) -> dict[str, Any]:
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    return dict(vpcs[0])


def default_group_id(ec2: Any, vpc_id: str) -> str:
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    return str(groups[0]["GroupId"])


def available_ips(ec2: Any, subnet_id: str) -> int:
    return int(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"])


AMI = "ami-0abcdef1234567890"
