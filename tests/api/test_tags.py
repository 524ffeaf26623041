"""CreateTags, DeleteTags, DescribeTags across resource kinds."""

from __future__ import annotations

import pytest

from tests.api.ec2_helpers import AMI, aws_error, make_group, network
from tests.harness import fresh_account


def tags_of(ec2, resource_id):
    found = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    return {t["Key"]: t["Value"] for t in found}


def test_tag_every_kind(ec2):
    vpc_id, subnet_id = network(ec2)
    group_id = make_group(ec2, vpc_id)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ][0]["InstanceId"]
    rule = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ][0]
    kinds = {
        vpc_id: "vpc",
        subnet_id: "subnet",
        group_id: "security-group",
        igw: "internet-gateway",
        rtb: "route-table",
        eni: "network-interface",
        instance: "instance",
        rule["SecurityGroupRuleId"]: "security-group-rule",
    }
    ec2.create_tags(Resources=list(kinds), Tags=[{"Key": "team", "Value": "net"}, {"Key": "empty"}])
    found = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
    assert {t["ResourceId"]: t["ResourceType"] for t in found} == kinds
    assert all(t["Value"] == "net" for t in found)
    assert tags_of(ec2, vpc_id) == {"team": "net", "empty": ""}
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"] == [
        {"Key": "team", "Value": "net"},
        {"Key": "empty", "Value": ""},
    ]
    assert {"Key": "team", "Value": "net"} in ec2.describe_instances(InstanceIds=[instance])[
        "Reservations"
    ][0]["Instances"][0]["Tags"]
    assert {"Key": "team", "Value": "net"} in ec2.describe_network_interfaces(
        NetworkInterfaceIds=[eni]
    )["NetworkInterfaces"][0]["TagSet"]


def test_create_tags_overwrites_values(ec2):
    vpc_id, _ = network(ec2)
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "a"}])
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "b"}])
    assert tags_of(ec2, vpc_id) == {"Name": "b"}


def test_create_tags_errors(ec2):
    vpc_id, _ = network(ec2)
    with aws_error("InvalidVpcID.NotFound") as info:
        ec2.create_tags(Resources=["vpc-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
    assert "vpc-0123456789abcdef0" in info.value.response["Error"]["Message"]
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.create_tags(Resources=["subnet-01234567"], Tags=[{"Key": "a", "Value": "b"}])
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.create_tags(Resources=["i-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
    with aws_error("InvalidAMIID.NotFound"):
        ec2.create_tags(Resources=[AMI], Tags=[{"Key": "a", "Value": "b"}])
    for bad in ("foo", "vpc-xyz", "zzz-0123456789abcdef0"):
        with aws_error("InvalidID"):
            ec2.create_tags(Resources=[bad], Tags=[{"Key": "a", "Value": "b"}])
    # One unknown id fails the whole call.
    with aws_error("InvalidGroup.NotFound"):
        ec2.create_tags(
            Resources=[vpc_id, "sg-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}]
        )
    assert tags_of(ec2, vpc_id) == {}
    with aws_error("InvalidParameterValue"):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "aws:reserved", "Value": "x"}])
    with aws_error("InvalidParameterValue"):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "k" * 129, "Value": "x"}])
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)])
    with aws_error("TagLimitExceeded"):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "one-more", "Value": "v"}])


def test_delete_tags_forms(ec2):
    vpc_id, subnet_id = network(ec2)
    tags = [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": ""}]
    ec2.create_tags(Resources=[vpc_id, subnet_id], Tags=tags)
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "a", "Value": "wrong"}])
    assert tags_of(ec2, vpc_id) == {"a": "1", "b": "2", "c": ""}
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "a", "Value": "1"}])
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "b"}])
    assert tags_of(ec2, vpc_id) == {"c": ""}
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "c", "Value": ""}])
    assert tags_of(ec2, vpc_id) == {}
    ec2.delete_tags(Resources=[subnet_id])
    assert tags_of(ec2, subnet_id) == {}
    ec2.delete_tags(Resources=[subnet_id], Tags=[{"Key": "absent"}])
    with aws_error("InvalidVpcID.NotFound"):
        ec2.delete_tags(Resources=["vpc-0123456789abcdef0"])


def test_describe_tags_filters(ec2):
    vpc_id, subnet_id = network(ec2)
    ec2.create_tags(
        Resources=[vpc_id],
        Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "alice"}],
    )
    ec2.create_tags(Resources=[subnet_id], Tags=[{"Key": "env", "Value": "dev"}])

    def rows(*filters):
        found = ec2.describe_tags(Filters=list(filters))["Tags"]
        return {(t["ResourceId"], t["Key"], t["Value"]) for t in found}

    assert rows({"Name": "resource-id", "Values": [vpc_id, subnet_id]}) == {
        (vpc_id, "env", "prod"),
        (vpc_id, "owner", "alice"),
        (subnet_id, "env", "dev"),
    }
    assert rows({"Name": "resource-type", "Values": ["subnet"]}) == {(subnet_id, "env", "dev")}
    assert rows({"Name": "value", "Values": ["p*"]}) == {(vpc_id, "env", "prod")}
    assert rows({"Name": "key", "Values": ["own?r"]}) == {(vpc_id, "owner", "alice")}
    assert rows({"Name": "tag:env", "Values": ["dev"]}) == {(subnet_id, "env", "dev")}
    assert rows({"Name": "tag-key", "Values": ["owner"]}) == {(vpc_id, "owner", "alice")}
    assert rows(
        {"Name": "key", "Values": ["env"]}, {"Name": "resource-type", "Values": ["vpc"]}
    ) == {(vpc_id, "env", "prod")}
    with aws_error("InvalidParameterValue"):
        ec2.describe_tags(Filters=[{"Name": "colour", "Values": ["x"]}])


def test_describe_tags_pagination(ec2):
    vpc_id, _ = network(ec2)
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(7)])
    first = ec2.describe_tags(MaxResults=5)
    assert len(first["Tags"]) == 5
    rest = ec2.describe_tags(MaxResults=5, NextToken=first["NextToken"])
    assert len(rest["Tags"]) == 2 and "NextToken" not in rest
    keys = [t["Key"] for t in first["Tags"] + rest["Tags"]]
    assert sorted(keys) == [f"k{n}" for n in range(7)]


@pytest.mark.parametrize("resource_type", ["vpc", "security-group"])
def test_tag_specifications_wrong_type(ec2, resource_type):
    with aws_error("InvalidParameterValue"):
        ec2.create_internet_gateway(
            TagSpecifications=[
                {"ResourceType": resource_type, "Tags": [{"Key": "a", "Value": "b"}]}
            ]
        )


def test_tags_are_per_account(server, ec2):
    vpc_id, _ = network(ec2)
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "secret", "Value": "x"}])
    other = server.client("ec2", fresh_account())
    assert other.describe_tags()["Tags"] == []
