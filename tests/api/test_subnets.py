"""Subnets: CIDR rules, zones, free address counts, filters, delete with dependencies."""

from __future__ import annotations

import pytest

from tests.api.ec2_helpers import (
    AMI,
    available_ips,
    aws_error,
    make_subnet,
    make_vpc,
    network,
)
from tests.harness import fresh_account


def test_create_subnet_shape(ec2, account):
    vpc_id = make_vpc(ec2)
    subnet = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1b",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": "app"}]}],
    )["Subnet"]
    assert subnet["SubnetId"].startswith("subnet-")
    assert subnet["VpcId"] == vpc_id
    assert subnet["CidrBlock"] == "10.0.1.0/24"
    assert subnet["AvailableIpAddressCount"] == 251
    assert subnet["AvailabilityZone"] == "us-east-1b"
    assert subnet["AvailabilityZoneId"] == "use1-az1"
    assert subnet["DefaultForAz"] is False
    assert subnet["MapPublicIpOnLaunch"] is False
    assert subnet["State"] == "available"
    assert subnet["OwnerId"] == account
    assert subnet["SubnetArn"] == f"arn:aws:ec2:us-east-1:{account}:subnet/{subnet['SubnetId']}"
    assert subnet["Tags"] == [{"Key": "tier", "Value": "app"}]


@pytest.mark.parametrize(
    ("cidr", "free"), [("10.0.2.0/24", 251), ("10.0.3.0/28", 11), ("10.0.128.0/17", 32763)]
)
def test_available_ip_address_count(ec2, cidr, free):
    vpc_id = make_vpc(ec2)
    assert (
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["AvailableIpAddressCount"] == free
    )


def test_zone_by_id_and_default_spread(ec2):
    vpc_id = make_vpc(ec2)
    by_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId="use1-az2")
    assert by_id["Subnet"]["AvailabilityZone"] == "us-east-1c"
    chosen = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]
    assert chosen["AvailabilityZone"].startswith("us-east-1")


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/30"])
def test_subnet_range(ec2, cidr):
    vpc_id = make_vpc(ec2)
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)


def test_subnet_malformed_cidr(ec2):
    vpc_id = make_vpc(ec2)
    with aws_error("InvalidParameterValue"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0")
    with aws_error("InvalidParameterValue"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="ten/24")


def test_subnet_conflict(ec2):
    vpc_id = make_vpc(ec2)
    make_subnet(ec2, vpc_id, "10.0.0.0/20")
    for cidr in ("10.0.1.0/24", "10.0.0.0/16", "10.0.15.0/28"):
        with aws_error("InvalidSubnet.Conflict") as info:
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)
        assert cidr in info.value.response["Error"]["Message"]
    make_subnet(ec2, vpc_id, "10.0.16.0/20")


def test_subnet_bad_zone_and_vpc(ec2):
    vpc_id = make_vpc(ec2)
    with aws_error("InvalidParameterValue") as info:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")
    assert "us-east-1a" in info.value.response["Error"]["Message"]
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.1.0/24")


def test_describe_subnets_ids_and_filters(ec2):
    vpc_id = make_vpc(ec2)
    a = make_subnet(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1a")
    b = make_subnet(ec2, vpc_id, "10.0.2.0/28", AvailabilityZone="us-east-1b")
    ec2.create_tags(Resources=[b], Tags=[{"Key": "Name", "Value": "small"}])

    def ids(*filters):
        return {s["SubnetId"] for s in ec2.describe_subnets(Filters=list(filters))["Subnets"]}

    in_vpc = {"Name": "vpc-id", "Values": [vpc_id]}
    assert ids(in_vpc) == {a, b}
    assert ids(in_vpc, {"Name": "availability-zone", "Values": ["us-east-1b"]}) == {b}
    assert ids(in_vpc, {"Name": "cidr-block", "Values": ["10.0.*.0/24"]}) == {a}
    assert ids(in_vpc, {"Name": "available-ip-address-count", "Values": ["11"]}) == {b}
    assert ids(in_vpc, {"Name": "tag:Name", "Values": ["sm?ll"]}) == {b}
    assert ids(in_vpc, {"Name": "tag-key", "Values": ["Name"]}) == {b}
    assert ids(in_vpc, {"Name": "default-for-az", "Values": ["false"]}) == {a, b}
    assert len(ids({"Name": "default-for-az", "Values": ["true"]})) == 6
    found = ec2.describe_subnets(SubnetIds=[b, a])["Subnets"]
    assert [s["SubnetId"] for s in found] == [b, a]
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.describe_subnets(SubnetIds=[a, "subnet-0123456789abcdef0"])
    with aws_error("InvalidSubnetID.Malformed"):
        ec2.describe_subnets(SubnetIds=["sub-123"])


def test_describe_subnets_pagination(ec2):
    first = ec2.describe_subnets(MaxResults=5)
    assert len(first["Subnets"]) == 5
    rest = ec2.describe_subnets(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["Subnets"]) == 1 and "NextToken" not in rest


def test_free_addresses_follow_interfaces_and_instances(ec2):
    vpc_id, subnet_id = network(ec2)
    assert available_ips(ec2, subnet_id) == 251
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert available_ips(ec2, subnet_id) == 250
    instance = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, SubnetId=subnet_id)
    assert available_ips(ec2, subnet_id) == 248
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert available_ips(ec2, subnet_id) == 249
    ec2.terminate_instances(InstanceIds=[i["InstanceId"] for i in instance["Instances"]])
    assert available_ips(ec2, subnet_id) == 251


def test_delete_subnet(ec2):
    vpc_id, subnet_id = network(ec2)
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    with aws_error("DependencyViolation") as info:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert subnet_id in info.value.response["Error"]["Message"]
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.describe_subnets(SubnetIds=[subnet_id])
    assert ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Associations"] == []
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.delete_subnet(SubnetId=subnet_id)


def test_modify_subnet_attribute(ec2):
    _, subnet_id = network(ec2)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["MapPublicIpOnLaunch"]
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.modify_subnet_attribute(
            SubnetId="subnet-0123456789abcdef0", MapPublicIpOnLaunch={"Value": True}
        )


def test_subnet_isolation(server, ec2):
    _, subnet_id = network(ec2)
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidSubnetID.NotFound"):
        intruder.describe_subnets(SubnetIds=[subnet_id])
    with aws_error("InvalidSubnetID.NotFound"):
        intruder.delete_subnet(SubnetId=subnet_id)
    assert subnet_id not in {s["SubnetId"] for s in intruder.describe_subnets()["Subnets"]}
