"""The AWS CLI against privlink: the EC2 networking commands a user types first."""

from __future__ import annotations

import base64
import json

from tests.harness import wait_until


def cli(server, account, *args):
    result = server.aws("ec2", *args, account=account)
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_network_with_the_cli(server, account):
    vpc = cli(
        server,
        account,
        "create-vpc",
        "--cidr-block",
        "10.42.0.0/16",
        "--tag-specifications",
        "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]",
    )["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    assert vpc["Tags"] == [{"Key": "Name", "Value": "cli"}]

    subnet = cli(
        server,
        account,
        "create-subnet",
        "--vpc-id",
        vpc_id,
        "--cidr-block",
        "10.42.1.0/24",
        "--availability-zone",
        "us-east-1a",
    )["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 251
    assert subnet["AvailabilityZone"] == "us-east-1a"

    group_id = cli(
        server,
        account,
        "create-security-group",
        "--group-name",
        "web",
        "--description",
        "web tier",
        "--vpc-id",
        vpc_id,
    )["GroupId"]
    assert group_id.startswith("sg-")
    rules = cli(
        server,
        account,
        "authorize-security-group-ingress",
        "--group-id",
        group_id,
        "--protocol",
        "tcp",
        "--port",
        "443",
        "--cidr",
        "0.0.0.0/0",
    )
    assert rules["Return"] is True
    assert rules["SecurityGroupRules"][0]["FromPort"] == 443
    permissions = cli(server, account, "describe-security-groups", "--group-ids", group_id)[
        "SecurityGroups"
    ][0]["IpPermissions"]
    assert permissions[0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert (permissions[0]["FromPort"], permissions[0]["ToPort"]) == (443, 443)

    cli(
        server,
        account,
        "modify-vpc-attribute",
        "--vpc-id",
        vpc_id,
        "--enable-dns-hostnames",
        '{"Value":true}',
    )
    attr = cli(
        server,
        account,
        "describe-vpc-attribute",
        "--vpc-id",
        vpc_id,
        "--attribute",
        "enableDnsHostnames",
    )
    assert attr["EnableDnsHostnames"] == {"Value": True}

    found = cli(
        server,
        account,
        "describe-vpcs",
        "--filters",
        "Name=tag:Name,Values=cli",
        "Name=cidr,Values=10.42.*",
    )["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    assert (
        cli(server, account, "describe-vpcs", "--filters", "Name=tag:Name,Values=none")["Vpcs"]
        == []
    )


def test_zones_and_tags_with_the_cli(server, account):
    zones = cli(server, account, "describe-availability-zones")["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones][:2] == ["us-east-1a", "us-east-1b"]
    assert zones[0]["State"] == "available" and zones[0]["ZoneId"] == "use1-az6"
    vpc_id = cli(server, account, "create-vpc", "--cidr-block", "10.7.0.0/16")["Vpc"]["VpcId"]
    assert (
        cli(
            server,
            account,
            "create-tags",
            "--resources",
            vpc_id,
            "--tags",
            "Key=team,Value=net",
            "Key=env,Value=dev",
        )
        == {}
    )
    tags = cli(server, account, "describe-tags", "--filters", f"Name=resource-id,Values={vpc_id}")[
        "Tags"
    ]
    assert {(t["Key"], t["Value"], t["ResourceType"]) for t in tags} == {
        ("team", "net", "vpc"),
        ("env", "dev", "vpc"),
    }


def test_run_instances_with_the_cli(server, account):
    vpc_id = cli(server, account, "create-vpc", "--cidr-block", "10.8.0.0/16")["Vpc"]["VpcId"]
    subnet_id = cli(
        server, account, "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.8.1.0/24"
    )["Subnet"]["SubnetId"]
    reservation = cli(
        server,
        account,
        "run-instances",
        "--image-id",
        "ami-0abcdef1234567890",
        "--instance-type",
        "t3.micro",
        "--subnet-id",
        subnet_id,
        "--count",
        "2",
        "--user-data",
        "echo hello",
        "--tag-specifications",
        "ResourceType=instance,Tags=[{Key=Name,Value=w}]",
    )
    instances = reservation["Instances"]
    assert len(instances) == 2
    assert {i["State"]["Name"] for i in instances} == {"pending"}
    assert {i["SubnetId"] for i in instances} == {subnet_id}
    assert sorted(i["PrivateIpAddress"] for i in instances) == ["10.8.1.4", "10.8.1.5"]
    assert instances[0]["Tags"] == [{"Key": "Name", "Value": "w"}]
    launched = {i["InstanceId"] for i in instances}

    def running() -> bool:
        described = cli(
            server,
            account,
            "describe-instances",
            "--filters",
            "Name=instance-state-name,Values=running",
        )["Reservations"]
        return {i["InstanceId"] for r in described for i in r["Instances"]} == launched

    wait_until(running, message="both instances running")
    attr = cli(
        server,
        account,
        "describe-instance-attribute",
        "--instance-id",
        instances[0]["InstanceId"],
        "--attribute",
        "userData",
    )
    assert base64.b64decode(attr["UserData"]["Value"]).decode() == "echo hello"


def test_cli_reports_errors(server, account):
    result = server.aws(
        "ec2", "describe-vpcs", "--vpc-ids", "vpc-0123456789abcdef0", account=account, check=False
    )
    assert result.returncode != 0
    assert "InvalidVpcID.NotFound" in result.stderr
