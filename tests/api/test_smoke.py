"""The gateway answers health, and a VPC round-trips through boto3."""

import json
import urllib.request


def test_health(server):
    body = json.loads(urllib.request.urlopen(server.url + "/_privlink/health").read())
    assert body["status"] == "ok"


def test_create_and_describe_vpc(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]
    found = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [v["CidrBlock"] for v in found] == ["10.9.0.0/16"]
