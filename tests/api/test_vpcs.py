"""VPCs: default VPC per account and region, create/describe/attributes/delete, isolation."""

from __future__ import annotations

import re

import pytest

from tests.api.ec2_helpers import (
    aws_error,
    default_vpc,
    make_group,
    make_subnet,
    make_vpc,
    unvalidated,
)
from tests.harness import fresh_account


def test_default_vpc_exists_with_its_network(ec2):
    vpc = default_vpc(ec2)
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert len(subnets["Subnets"]) == len(zones) == 6
    for subnet in subnets["Subnets"]:
        assert subnet["DefaultForAz"] is True
        assert subnet["CidrBlock"].endswith("/20")
        assert subnet["AvailableIpAddressCount"] == 4091
        assert subnet["MapPublicIpOnLaunch"] is True
    assert {s["AvailabilityZone"] for s in subnets["Subnets"]} == {z["ZoneName"] for z in zones}
    gateways = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}]
    )["InternetGateways"]
    assert len(gateways) == 1
    (table,) = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "RouteTables"
    ]
    routes = {r["DestinationCidrBlock"]: r for r in table["Routes"]}
    assert routes["172.31.0.0/16"]["GatewayId"] == "local"
    assert routes["0.0.0.0/0"]["GatewayId"] == gateways[0]["InternetGatewayId"]
    attr = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")
    assert attr["EnableDnsHostnames"]["Value"] is True


def test_default_vpc_per_region_and_per_account(server, account):
    east = default_vpc(server.client("ec2", account, "us-east-1"))
    west = default_vpc(server.client("ec2", account, "eu-west-1"))
    other = default_vpc(server.client("ec2", fresh_account(), "us-east-1"))
    assert len({east["VpcId"], west["VpcId"], other["VpcId"]}) == 3
    assert other["OwnerId"] != east["OwnerId"] == west["OwnerId"] == account
    west_zones = {
        s["AvailabilityZone"]
        for s in server.client("ec2", account, "eu-west-1").describe_subnets()["Subnets"]
    }
    assert west_zones == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}


def test_create_vpc_shape(ec2, account):
    vpc = ec2.create_vpc(
        CidrBlock="10.1.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}],
    )["Vpc"]
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc["VpcId"])
    assert vpc["CidrBlock"] == "10.1.0.0/16"
    assert vpc["OwnerId"] == account
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["IsDefault"] is False
    assert vpc["State"] in ("pending", "available")
    assert vpc["DhcpOptionsId"]
    (assoc,) = vpc["CidrBlockAssociationSet"]
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert assoc["CidrBlockState"]["State"] == "associated"
    assert vpc["Tags"] == [{"Key": "Name", "Value": "main"}]
    found = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"][0]
    assert found["State"] == "available"
    assert found["Tags"] == [{"Key": "Name", "Value": "main"}]


def test_create_vpc_makes_default_group_and_main_table(ec2):
    vpc_id = make_vpc(ec2)
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    (group,) = ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"]
    assert group["GroupName"] == "default"
    (table,) = ec2.describe_route_tables(Filters=by_vpc)["RouteTables"]
    assert table["Associations"][0]["Main"] is True
    assert table["Routes"] == [
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        }
    ]


@pytest.mark.parametrize("cidr", ["10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29"])
def test_create_vpc_range(ec2, cidr):
    with aws_error("InvalidVpc.Range"):
        ec2.create_vpc(CidrBlock=cidr)


@pytest.mark.parametrize("cidr", ["10.0.0.0", "banana", "10.0.0.0/33", "300.0.0.0/16"])
def test_create_vpc_malformed_cidr(ec2, cidr):
    with aws_error("InvalidParameterValue") as info:
        ec2.create_vpc(CidrBlock=cidr)
    assert "not a valid CIDR block" in info.value.response["Error"]["Message"]


def test_create_vpc_tenancy(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", InstanceTenancy="dedicated")["Vpc"]
    assert vpc["InstanceTenancy"] == "dedicated"
    with aws_error("InvalidParameterValue"):
        ec2.create_vpc(CidrBlock="10.3.0.0/16", InstanceTenancy="host")


def test_describe_vpcs_unknown_and_malformed(ec2):
    with aws_error("InvalidVpcID.NotFound") as info:
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    assert "vpc-0123456789abcdef0" in info.value.response["Error"]["Message"]
    with aws_error("InvalidVpcID.NotFound") as info:
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0", "vpc-0123456789abcdef1"])
    assert "vpc-0123456789abcdef1" in info.value.response["Error"]["Message"]
    with aws_error("InvalidVpcID.Malformed"):
        ec2.describe_vpcs(VpcIds=["not-a-vpc"])


def test_describe_vpcs_filters(ec2, account):
    first = make_vpc(
        ec2,
        "10.10.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "prod"}]}],
    )
    second = make_vpc(ec2, "10.11.0.0/16")
    ec2.create_tags(Resources=[second], Tags=[{"Key": "team", "Value": "net"}])

    def ids(*filters):
        return {v["VpcId"] for v in ec2.describe_vpcs(Filters=list(filters))["Vpcs"]}

    assert ids({"Name": "cidr", "Values": ["10.1?.0.0/16"]}) == {first, second}
    assert ids({"Name": "cidr-block-association.cidr-block", "Values": ["10.10.*"]}) == {first}
    assert ids({"Name": "tag:env", "Values": ["prod"]}) == {first}
    assert ids({"Name": "tag:env", "Values": ["p*"]}) == {first}
    assert ids({"Name": "tag-key", "Values": ["team"]}) == {second}
    assert ids({"Name": "tag-value", "Values": ["net"]}) == {second}
    assert ids({"Name": "is-default", "Values": ["false"]}) == {first, second}
    assert ids(
        {"Name": "vpc-id", "Values": [first, second]}, {"Name": "state", "Values": ["available"]}
    ) == {
        first,
        second,
    }
    assert len(ids({"Name": "owner-id", "Values": [account]})) == 3
    assert ids({"Name": "cidr", "Values": ["192.168.0.0/16"]}) == set()
    with aws_error("InvalidParameterValue"):
        ec2.describe_vpcs(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])


def test_describe_vpcs_pagination(server, account, ec2):
    made = [make_vpc(ec2, f"10.{n}.0.0/16") for n in range(6)]
    first = ec2.describe_vpcs(MaxResults=5)
    assert len(first["Vpcs"]) == 5
    rest = ec2.describe_vpcs(MaxResults=5, NextToken=first["NextToken"])
    assert "NextToken" not in rest
    seen = [v["VpcId"] for v in first["Vpcs"] + rest["Vpcs"]]
    assert len(seen) == len(set(seen)) == 7
    assert set(made) <= set(seen)
    paginated = [
        v["VpcId"]
        for page in ec2.get_paginator("describe_vpcs").paginate(PaginationConfig={"PageSize": 5})
        for v in page["Vpcs"]
    ]
    assert paginated == seen
    with aws_error("InvalidParameterValue"):
        unvalidated(server, account).describe_vpcs(MaxResults=4)
    with aws_error("InvalidPaginationToken"):
        ec2.describe_vpcs(MaxResults=5, NextToken="bm90LWEtdG9rZW4=")


def test_vpc_attributes(ec2):
    vpc_id = make_vpc(ec2)
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert hostnames == {
        "VpcId": vpc_id,
        "EnableDnsHostnames": {"Value": False},
        "ResponseMetadata": hostnames["ResponseMetadata"],
    }
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")[
        "EnableDnsSupport"
    ] == {"Value": True}
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"
    ] == {"Value": True}
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")[
        "EnableDnsSupport"
    ] == {"Value": False}
    with aws_error("InvalidParameterCombination"):
        ec2.modify_vpc_attribute(
            VpcId=vpc_id, EnableDnsHostnames={"Value": True}, EnableDnsSupport={"Value": True}
        )
    with aws_error("InvalidVpcID.NotFound"):
        ec2.modify_vpc_attribute(VpcId="vpc-0123456789abcdef0", EnableDnsHostnames={"Value": True})
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpc_attribute(VpcId="vpc-0123456789abcdef0", Attribute="enableDnsSupport")


def test_delete_vpc_with_dependencies(ec2):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id)
    with aws_error("DependencyViolation") as info:
        ec2.delete_vpc(VpcId=vpc_id)
    assert vpc_id in info.value.response["Error"]["Message"]
    ec2.delete_subnet(SubnetId=subnet_id)
    group_id = make_group(ec2, vpc_id)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_security_group(GroupId=group_id)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_route_table(RouteTableId=table)
    ec2.delete_vpc(VpcId=vpc_id)
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id])
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    assert ec2.describe_security_groups(Filters=by_vpc)["SecurityGroups"] == []
    assert ec2.describe_route_tables(Filters=by_vpc)["RouteTables"] == []
    with aws_error("InvalidVpcID.NotFound"):
        ec2.delete_vpc(VpcId=vpc_id)


def test_account_isolation(server, ec2):
    vpc_id = make_vpc(ec2)
    intruder = server.client("ec2", fresh_account())
    assert vpc_id not in {v["VpcId"] for v in intruder.describe_vpcs()["Vpcs"]}
    with aws_error("InvalidVpcID.NotFound"):
        intruder.describe_vpcs(VpcIds=[vpc_id])
    with aws_error("InvalidVpcID.NotFound"):
        intruder.delete_vpc(VpcId=vpc_id)
    with aws_error("InvalidVpcID.NotFound"):
        intruder.create_subnet(VpcId=vpc_id, CidrBlock="10.0.9.0/24")
    with aws_error("InvalidVpcID.NotFound"):
        intruder.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    with aws_error("InvalidVpcID.NotFound"):
        intruder.create_tags(Resources=[vpc_id], Tags=[{"Key": "a", "Value": "b"}])
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["VpcId"] == vpc_id


def test_region_isolation(server, account):
    east = server.client("ec2", account, "us-east-1")
    west = server.client("ec2", account, "us-west-2")
    vpc_id = make_vpc(east)
    with aws_error("InvalidVpcID.NotFound"):
        west.describe_vpcs(VpcIds=[vpc_id])
