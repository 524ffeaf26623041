"""Amazon MWAA's control plane, black-box through boto3 and the AWS CLI (no data plane).

Synchronous validation (spec section 2.2) with ValidationException, the Environment shape
GetEnvironment fills, the endpoints MWAA makes in the customer's account, list/tags, the
token operations' errors. Without the Linux data plane Airflow cannot run, so a created
environment ends CREATE_FAILED and says why; the real environments are the data-plane
test's (tests/dataplane/test_mwaa.py).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import Server, wait_until
from tests.harness import VENV_BIN

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


@dataclass
class Prerequisites:
    """What the MWAA guide asks for before create-environment."""

    vpc: str
    subnets: list[str]
    group: str
    bucket: str
    role_arn: str

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    def create_args(self, name: str, **extra: Any) -> dict[str, Any]:
        args: dict[str, Any] = {
            "Name": name,
            "ExecutionRoleArn": self.role_arn,
            "SourceBucketArn": self.bucket_arn,
            "DagS3Path": "dags",
            "NetworkConfiguration": {"SubnetIds": self.subnets, "SecurityGroupIds": [self.group]},
            "WebserverAccessMode": "PRIVATE_ONLY",
            "AirflowVersion": "3.0.6",
        }
        args.update(extra)
        return args


def prerequisites(server: Server, account: str, cidr: str = "10.20.0.0/16") -> Prerequisites:
    """A VPC with two private subnets in different AZs, a security group with the
    self-referencing rule, a versioned bucket blocking public access with dags/, and an
    execution role trusted by airflow-env.amazonaws.com."""
    ec2 = server.client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    base = ".".join(cidr.split(".")[:2])
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"{base}.{i}.0/24", AvailabilityZone=f"us-east-1{z}"
        )["Subnet"]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName="mwaa", Description="mwaa", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}],
    )
    s3 = server.client("s3", account)
    bucket = f"airflow-{secrets.token_hex(6)}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_object(Bucket=bucket, Key="dags/", Body=b"")
    iam = server.client("iam", account)
    role = iam.create_role(
        RoleName=f"mwaa-{secrets.token_hex(4)}", AssumeRolePolicyDocument=json.dumps(TRUST)
    )["Role"]["Arn"]
    return Prerequisites(vpc, subnets, group, bucket, role)


def error(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        str(response["Error"]["Code"]),
        int(response["ResponseMetadata"]["HTTPStatusCode"]),
        str(response["Error"]["Message"]),
    )


@pytest.fixture
def world(server: Server, account: str) -> Prerequisites:
    return prerequisites(server, account)


@pytest.fixture
def mwaa(server: Server, account: str) -> Any:
    return server.client("mwaa", account)


def test_create_answers_the_arn_and_environment_fails_without_the_data_plane(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    arn = mwaa.create_environment(**world.create_args("Quiet"))["Arn"]
    assert arn == f"arn:aws:airflow:us-east-1:{account}:environment/Quiet"

    def failed() -> dict[str, Any] | None:
        env = mwaa.get_environment(Name="Quiet")["Environment"]
        return env if env["Status"] == "CREATE_FAILED" else None

    env = wait_until(failed, 20, 0.2, "CREATE_FAILED")
    assert env["LastUpdate"]["Status"] == "FAILED"
    assert env["LastUpdate"]["Error"]["ErrorCode"] == "DATAPLANE_REQUIRED"
    assert "--dataplane linux" in env["LastUpdate"]["Error"]["ErrorMessage"]


def test_get_environment_fills_the_shape(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Shape", Tags={"team": "data"}))
    env = mwaa.get_environment(Name="Shape")["Environment"]
    assert env["Name"] == "Shape" and env["Status"] in ("CREATING", "CREATE_FAILED")
    host = env["WebserverUrl"]
    assert host.endswith(".us-east-1.airflow.amazonaws.com") and "-vpce.c" in host
    assert env["ServiceRoleArn"] == (
        f"arn:aws:iam::{account}:role/aws-service-role/airflow.amazonaws.com/"
        "AWSServiceRoleForAmazonMWAA"
    )
    for member in ("WebserverVpcEndpointService", "DatabaseVpcEndpointService"):
        assert env[member].startswith("com.amazonaws.vpce.us-east-1.vpce-svc-")
    assert env["CeleryExecutorQueue"].startswith("arn:aws:sqs:us-east-1:")
    assert env["ExecutionRoleArn"] == world.role_arn
    assert env["SourceBucketArn"] == world.bucket_arn and env["DagS3Path"] == "dags"
    assert env["NetworkConfiguration"] == {
        "SubnetIds": world.subnets,
        "SecurityGroupIds": [world.group],
    }
    assert env["AirflowVersion"] == "3.0.6" and env["EnvironmentClass"] == "mw1.small"
    assert env["WebserverAccessMode"] == "PRIVATE_ONLY" and env["EndpointManagement"] == "SERVICE"
    assert env["Schedulers"] == 2 and env["MinWebservers"] == 2 and env["MaxWebservers"] == 2
    assert env["MinWorkers"] == 1 and env["MaxWorkers"] == 10
    task = env["LoggingConfiguration"]["TaskLogs"]
    assert task == {
        "Enabled": True,
        "LogLevel": "INFO",
        "CloudWatchLogGroupArn": f"arn:aws:logs:us-east-1:{account}:log-group:airflow-Shape-Task",
    }
    assert env["LoggingConfiguration"]["SchedulerLogs"] == {"Enabled": False, "LogLevel": "INFO"}
    assert env["Tags"] == {"team": "data"}
    assert "CreatedAt" in env and "CreatedAt" in env["LastUpdate"]
    groups = server.client("logs", account).describe_log_groups(logGroupNamePrefix="airflow-Shape")
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["airflow-Shape-Task"]


def test_private_mode_makes_two_endpoints_in_the_customer_vpc(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Private"))
    env = mwaa.get_environment(Name="Private")["Environment"]
    ec2 = server.client("ec2", account)
    endpoints = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "tag-key", "Values": ["AmazonMWAAManaged"]}]
    )["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == sorted(
        [env["WebserverVpcEndpointService"], env["DatabaseVpcEndpointService"]]
    )
    for endpoint in endpoints:
        assert endpoint["VpcEndpointType"] == "Interface" and endpoint["VpcId"] == world.vpc
        assert sorted(endpoint["SubnetIds"]) == sorted(world.subnets)
        assert [g["GroupId"] for g in endpoint["Groups"]] == [world.group]
        assert endpoint["PrivateDnsEnabled"] is False
        assert len(endpoint["NetworkInterfaceIds"]) == 2
        assert endpoint["ServiceName"] != ""
    services = ec2.describe_vpc_endpoint_services(ServiceNames=[env["DatabaseVpcEndpointService"]])[
        "ServiceDetails"
    ]
    assert services[0]["Owner"] not in (account, "amazon")
    assert services[0]["AcceptanceRequired"] is False


def test_public_mode_makes_only_the_database_endpoint(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Public", WebserverAccessMode="PUBLIC_ONLY"))
    env = mwaa.get_environment(Name="Public")["Environment"]
    assert "-vpce" not in env["WebserverUrl"] and "WebserverVpcEndpointService" not in env
    endpoints = server.client("ec2", account).describe_vpc_endpoints()["VpcEndpoints"]
    assert [e["ServiceName"] for e in endpoints] == [env["DatabaseVpcEndpointService"]]
    # Its web server is public (an Elastic IP in MWAA's account): a delete takes it back.
    wait_until(
        lambda: mwaa.get_environment(Name="Public")["Environment"]["Status"] == "CREATE_FAILED",
        20, 0.2, "CREATE_FAILED",
    )  # fmt: skip
    mwaa.delete_environment(Name="Public")

    def gone() -> bool:
        return "Public" not in mwaa.list_environments()["Environments"]

    wait_until(gone, 30, 0.2, "the public environment to be gone")


def test_customer_managed_endpoints_wait_in_pending(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    """EndpointManagement CUSTOMER: PENDING until the customer creates endpoints to both
    services; then the environment moves on (here, without the data plane, to failed)."""
    mwaa.create_environment(**world.create_args("Mine", EndpointManagement="CUSTOMER"))
    ec2 = server.client("ec2", account)
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []

    def status() -> str:
        return str(mwaa.get_environment(Name="Mine")["Environment"]["Status"])

    wait_until(lambda: status() == "PENDING", 10, 0.2, "PENDING")
    env = mwaa.get_environment(Name="Mine")["Environment"]
    assert env["EndpointManagement"] == "CUSTOMER"
    for member in ("DatabaseVpcEndpointService", "WebserverVpcEndpointService"):
        ec2.create_vpc_endpoint(
            VpcEndpointType="Interface", VpcId=world.vpc, ServiceName=env[member],
            SubnetIds=world.subnets, SecurityGroupIds=[world.group],
        )  # fmt: skip
        if member == "DatabaseVpcEndpointService":
            time.sleep(1.5)
            assert status() == "PENDING"  # the web server's endpoint is still missing
    wait_until(lambda: status() == "CREATE_FAILED", 10, 0.2, "the environment to move on")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"NetworkConfiguration": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}},
            "1 validation error detected: Value '[subnet-1]' at 'networkConfiguration.subnetIds' "
            "failed to satisfy constraint: Member must have length greater than or equal to 2",
        ),
        (
            {"Name": "1bad"},
            "1 validation error detected: Value '1bad' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z][0-9a-zA-Z-_]*",
        ),
        (
            {"WebserverAccessMode": "OPEN"},
            "1 validation error detected: Value 'OPEN' at 'webserverAccessMode' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[PRIVATE_ONLY, PUBLIC_ONLY, PUBLIC_AND_PRIVATE]",
        ),
        (
            {"AirflowVersion": "1.10.12"},
            "Invalid request provided: Airflow version 1.10.12 is not supported.",
        ),
        (
            {"PluginsS3Path": "plugins.zip"},
            "Invalid request provided: PluginsS3Path requires PluginsS3ObjectVersion.",
        ),
    ],
)
def test_request_constraints(
    server: Server, account: str, world: Prerequisites, change: dict[str, Any], message: str
) -> None:
    unchecked = boto3.client(
        "mwaa",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"max_attempts": 1},
                      inject_host_prefix=False),
    )  # fmt: skip
    args = world.create_args("C", **change)
    code, status, text = error(lambda: unchecked.create_environment(**args))
    assert (code, status) == ("ValidationException", 400)
    assert text.startswith(message)


def test_network_checks(server: Server, account: str, world: Prerequisites, mwaa: Any) -> None:
    ec2 = server.client("ec2", account)
    same_zone = ec2.create_subnet(
        VpcId=world.vpc, CidrBlock="10.20.3.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    foreign_group = ec2.create_security_group(GroupName="x", Description="x", VpcId=other_vpc)[
        "GroupId"
    ]
    cases = [
        ([world.subnets[0], same_zone], [world.group], "must be in different Availability Zones"),
        ([world.subnets[0], "subnet-0123456789abcdef0"], [world.group], "does not exist"),
        (world.subnets, [foreign_group], f"{foreign_group} does not belong to VPC {world.vpc}"),
    ]
    for subnets, groups, fragment in cases:
        network = {"SubnetIds": subnets, "SecurityGroupIds": groups}
        code, status, text = error(
            lambda n=network: mwaa.create_environment(  # type: ignore[misc]
                **world.create_args("N", NetworkConfiguration=n)
            )
        )
        assert (code, status) == ("ValidationException", 400) and fragment in text, text
    # Another account's subnets are not the caller's (a shared VPC needs CUSTOMER endpoints).
    other = server.client("mwaa", "210987654321")
    code, _, text = error(lambda: other.create_environment(**world.create_args("N")))
    assert code == "ValidationException" and "does not exist" in text
    assert mwaa.list_environments()["Environments"] == []


def test_role_and_bucket_checks(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    iam = server.client("iam", account)
    ec2_trust = json.loads(json.dumps(TRUST))
    ec2_trust["Statement"][0]["Principal"] = {"Service": "ec2.amazonaws.com"}
    untrusted = iam.create_role(RoleName="ec2only", AssumeRolePolicyDocument=json.dumps(ec2_trust))
    arn = untrusted["Role"]["Arn"]
    code, status, text = error(
        lambda: mwaa.create_environment(**world.create_args("R", ExecutionRoleArn=arn))
    )
    assert (code, status) == ("ValidationException", 400)
    assert text == (
        f"Failed to assume role {arn}. This could be due to the role's trust policy. Please "
        "ensure your role is assumable by 'airflow-env.amazonaws.com' Service Principal and "
        "try again."
    )
    s3 = server.client("s3", account)
    s3.create_bucket(Bucket=f"{world.bucket}-open")
    open_arn = f"arn:aws:s3:::{world.bucket}-open"
    code, _, text = error(
        lambda: mwaa.create_environment(**world.create_args("R", SourceBucketArn=open_arn))
    )
    assert text == (
        "Invalid request provided: Provided bucket does not have BlockPublicAccess set for s3 "
        f"bucket {world.bucket}-open."
    )
    missing = f"arn:aws:s3:::{world.bucket}-missing"
    code, _, text = error(
        lambda: mwaa.create_environment(**world.create_args("R", SourceBucketArn=missing))
    )
    assert code == "ValidationException" and f"{world.bucket}-missing" in text


def test_names_are_unique_and_ten_per_region(world: Prerequisites, mwaa: Any) -> None:
    mwaa.create_environment(**world.create_args("Env0"))
    code, _, text = error(lambda: mwaa.create_environment(**world.create_args("Env0")))
    assert (code, text) == (
        "ValidationException",
        "Invalid request provided: Environment Env0 already exists.",
    )
    for i in range(1, 10):
        mwaa.create_environment(**world.create_args(f"Env{i}"))
    code, _, text = error(lambda: mwaa.create_environment(**world.create_args("Env10")))
    assert code == "ValidationException" and "limit of 10 environments" in text
    first = mwaa.list_environments(MaxResults=4)
    assert first["Environments"] == ["Env0", "Env1", "Env2", "Env3"]
    names = list(first["Environments"])
    token = first.get("NextToken")
    while token:
        page = mwaa.list_environments(MaxResults=4, NextToken=token)
        names += page["Environments"]
        token = page.get("NextToken")
    assert names == [f"Env{i}" for i in range(10)]


def test_missing_environment_and_tokens(world: Prerequisites, mwaa: Any) -> None:
    code, status, text = error(lambda: mwaa.get_environment(Name="Nope"))
    assert (code, status, text) == (
        "ResourceNotFoundException",
        404,
        "Environment Nope does not exist.",
    )
    for call in (
        lambda: mwaa.create_cli_token(Name="Nope"),
        lambda: mwaa.create_web_login_token(Name="Nope"),
        lambda: mwaa.invoke_rest_api(Name="Nope", Path="/dags", Method="GET"),
        lambda: mwaa.delete_environment(Name="Nope"),
    ):
        assert error(call)[:2] == ("ResourceNotFoundException", 404)
    mwaa.create_environment(**world.create_args("Young"))
    code, _, text = error(lambda: mwaa.create_cli_token(Name="Young"))
    assert code == "ValidationException" and "Environment Young is in status" in text


def test_tags(world: Prerequisites, mwaa: Any) -> None:
    arn = mwaa.create_environment(**world.create_args("Tagged", Tags={"a": "1"}))["Arn"]
    mwaa.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert mwaa.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    mwaa.untag_resource(ResourceArn=arn, tagKeys=["a"])
    assert mwaa.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    code, status, _ = error(
        lambda: mwaa.list_tags_for_resource(ResourceArn=arn.replace("Tagged", "Other"))
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_delete_removes_everything_mwaa_made(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Gone"))
    wait_until(
        lambda: mwaa.get_environment(Name="Gone")["Environment"]["Status"] == "CREATE_FAILED",
        20, 0.2, "CREATE_FAILED",
    )  # fmt: skip
    mwaa.delete_environment(Name="Gone")
    assert mwaa.get_environment(Name="Gone")["Environment"]["Status"] in ("DELETING",)

    def gone() -> bool:
        try:
            mwaa.get_environment(Name="Gone")
        except ClientError:
            return True
        return False

    wait_until(gone, 30, 0.2, "the environment to be gone")
    ec2 = server.client("ec2", account)
    live = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] != "deleted"]
    assert live == []
    enis = ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert enis == []
    ec2.delete_security_group(GroupId=world.group)  # nothing uses it any more


def test_aws_cli_create_and_get(server: Server, account: str, world: Prerequisites) -> None:
    created = server.aws(
        "mwaa", "create-environment", "--name", "Cli",
        "--execution-role-arn", world.role_arn,
        "--source-bucket-arn", world.bucket_arn,
        "--dag-s3-path", "dags",
        "--network-configuration",
        f"SubnetIds={','.join(world.subnets)},SecurityGroupIds={world.group}",
        "--webserver-access-mode", "PRIVATE_ONLY", "--airflow-version", "3.0.6",
        account=account,
    )  # fmt: skip
    assert json.loads(created.stdout)["Arn"].endswith(":environment/Cli")
    url = server.aws(
        "mwaa", "get-environment", "--name", "Cli", "--query", "Environment.WebserverUrl",
        account=account,
    )  # fmt: skip
    host = json.loads(url.stdout)
    assert re.fullmatch(r"[0-9a-f-]{36}-vpce\.c\d+\.us-east-1\.airflow\.amazonaws\.com", host)


def test_privlink_status_shows_environments_and_their_state(
    server: Server, account: str, world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Shown"))
    wait_until(
        lambda: mwaa.get_environment(Name="Shown")["Environment"]["Status"] == "CREATE_FAILED",
        20, 0.2, "CREATE_FAILED",
    )  # fmt: skip
    host = mwaa.get_environment(Name="Shown")["Environment"]["WebserverUrl"]
    status = subprocess.run(
        [str(VENV_BIN / "privlink"), "status", "--url", server.url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "MWAA environments" in status
    line = next(x for x in status.splitlines() if " Shown " in x)
    assert line.split() == [
        f"{account}/us-east-1",
        "Shown",
        "CREATE_FAILED",
        "(DATAPLANE_REQUIRED)",
        "3.0.6",
        host,
    ]


def test_update_is_refused_outside_available_and_update_failed(
    world: Prerequisites, mwaa: Any
) -> None:
    mwaa.create_environment(**world.create_args("Busy"))
    code, status, text = error(lambda: mwaa.update_environment(Name="Busy", MaxWorkers=3))
    assert (code, status) == ("ValidationException", 400)
    assert re.fullmatch(r"Invalid request provided: Environment Busy is in status "
                        r"(CREATING|CREATE_FAILED)\.", text), text  # fmt: skip
    code, status, _ = error(lambda: mwaa.update_environment(Name="Nope", MaxWorkers=3))
    assert (code, status) == ("ResourceNotFoundException", 404)
