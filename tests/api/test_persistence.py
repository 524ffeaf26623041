"""Stop privlink (cleanly or with SIGKILL), start it again: everything is still there."""

from __future__ import annotations

import signal

import pytest

from tests.backends import database

CASES = [
    ("sqlite", signal.SIGINT),
    ("sqlite", signal.SIGKILL),
    pytest.param("postgres", signal.SIGINT, marks=pytest.mark.postgres),
    pytest.param("postgres", signal.SIGKILL, marks=pytest.mark.postgres),
]


@pytest.mark.parametrize(("backend", "sig"), CASES)
def test_restart_keeps_everything(fresh_server, tmp_path, backend, sig) -> None:
    with database(backend, tmp_path) as url:
        server = fresh_server(database=None if backend == "sqlite" else url)
        account = "210987654321"
        ec2 = server.client("ec2", account)
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1b"
        )["Subnet"]["SubnetId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "team", "Value": "net"}])
        before_vpcs = ec2.describe_vpcs()["Vpcs"]
        before_subnets = ec2.describe_subnets()["Subnets"]

        server.stop(sig)
        server.start()
        ec2 = server.client("ec2", account)

        assert ec2.describe_vpcs()["Vpcs"] == before_vpcs
        assert ec2.describe_subnets()["Subnets"] == before_subnets
        attr = ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")
        assert attr["EnableDnsHostnames"]["Value"] is True
        found = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]
        assert found["AvailabilityZone"] == "us-east-1b"
        server.stop()
