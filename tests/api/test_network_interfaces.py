"""Network interfaces: create, describe (full shape, filters, paging), delete."""

from __future__ import annotations

import re

from tests.api.ec2_helpers import (
    AMI,
    available_ips,
    aws_error,
    default_group_id,
    make_group,
    make_subnet,
    make_vpc,
    network,
)
from tests.harness import fresh_account


def describe(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def test_create_network_interface_shape(ec2, account):
    vpc_id, subnet_id = network(ec2)
    created = ec2.create_network_interface(
        SubnetId=subnet_id,
        Description="app nic",
        TagSpecifications=[
            {"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "nic"}]}
        ],
    )["NetworkInterface"]
    eni_id = created["NetworkInterfaceId"]
    assert eni_id.startswith("eni-")
    default = default_group_id(ec2, vpc_id)
    expected = {
        "AvailabilityZone": created["AvailabilityZone"],
        "AvailabilityZoneId": created["AvailabilityZoneId"],
        "Description": "app nic",
        "Groups": [{"GroupId": default, "GroupName": "default"}],
        "InterfaceType": "interface",
        "Ipv6Addresses": [],
        "MacAddress": created["MacAddress"],
        "NetworkInterfaceId": eni_id,
        "OwnerId": account,
        "PrivateDnsName": "ip-10-0-1-4.ec2.internal",
        "PrivateIpAddress": "10.0.1.4",
        "PrivateIpAddresses": [
            {
                "Primary": True,
                "PrivateIpAddress": "10.0.1.4",
                "PrivateDnsName": "ip-10-0-1-4.ec2.internal",
            }
        ],
        "RequesterManaged": False,
        "SourceDestCheck": True,
        "Status": "available",
        "SubnetId": subnet_id,
        "TagSet": [{"Key": "Name", "Value": "nic"}],
        "VpcId": vpc_id,
        "Ipv6Native": False,
    }
    assert created == expected
    assert re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", created["MacAddress"])
    assert describe(ec2, eni_id) == expected
    assert "Attachment" not in created and "RequesterId" not in created


def test_create_with_address_and_groups(ec2):
    vpc_id, subnet_id = network(ec2)
    web = make_group(ec2, vpc_id, "web")
    db = make_group(ec2, vpc_id, "db")
    eni = ec2.create_network_interface(
        SubnetId=subnet_id, PrivateIpAddress="10.0.1.50", Groups=[web, db]
    )["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.50"
    assert eni["Groups"] == [
        {"GroupId": web, "GroupName": "web"},
        {"GroupId": db, "GroupName": "db"},
    ]
    with aws_error("InvalidIPAddress.InUse"):
        ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress="10.0.1.50")
    for reserved in ("10.0.1.0", "10.0.1.3", "10.0.1.255"):
        with aws_error("InvalidParameterValue"):
            ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress=reserved)
    with aws_error("InvalidParameterValue"):
        ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress="10.0.2.9")


def test_create_errors(ec2):
    vpc_id, subnet_id = network(ec2)
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.create_network_interface(SubnetId="subnet-0123456789abcdef0")
    with aws_error("InvalidGroup.NotFound"):
        ec2.create_network_interface(SubnetId=subnet_id, Groups=["sg-0123456789abcdef0"])
    elsewhere = make_group(ec2, make_vpc(ec2, "10.1.0.0/16"), "elsewhere")
    with aws_error("InvalidParameter"):
        ec2.create_network_interface(SubnetId=subnet_id, Groups=[elsewhere])
    with aws_error("InvalidParameterValue"):
        ec2.create_network_interface(SubnetId=subnet_id, InterfaceType="vpc_endpoint")


def test_subnet_runs_out_of_addresses(ec2):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id, "10.0.1.0/28")
    for _ in range(11):
        ec2.create_network_interface(SubnetId=subnet_id)
    assert available_ips(ec2, subnet_id) == 0
    with aws_error("InsufficientFreeAddressesInSubnet"):
        ec2.create_network_interface(SubnetId=subnet_id)


def test_delete_network_interface(ec2):
    _, subnet_id = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with aws_error("InvalidNetworkInterfaceID.NotFound") as info:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert eni_id in info.value.response["Error"]["Message"]
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with aws_error("InvalidNetworkInterfaceId.Malformed"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=["nic-1"])
    # The address is free again.
    again = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert again["PrivateIpAddress"] == "10.0.1.4"


def test_instance_interface_in_use(ec2, account):
    _, subnet_id = network(ec2)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ][0]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    eni = describe(ec2, eni_id)
    assert eni["Status"] == "in-use"
    attachment = eni["Attachment"]
    assert attachment["AttachmentId"].startswith("eni-attach-")
    assert attachment["InstanceId"] == instance["InstanceId"]
    assert attachment["InstanceOwnerId"] == account
    assert attachment["DeviceIndex"] == 0
    assert attachment["DeleteOnTermination"] is True
    assert attachment["Status"] == "attached"
    assert attachment["AttachTime"]
    with aws_error("InvalidParameterValue") as info:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert info.value.response["Error"]["Message"] == (
        f"Network interface '{eni_id}' is currently in use."
    )


def test_describe_filters_and_paging(ec2):
    vpc_id, subnet_id = network(ec2)
    other_subnet = make_subnet(ec2, vpc_id, "10.0.2.0/24", AvailabilityZone="us-east-1c")
    web = make_group(ec2, vpc_id, "web")
    a = ec2.create_network_interface(SubnetId=subnet_id, Description="alpha", Groups=[web])[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    b = ec2.create_network_interface(SubnetId=other_subnet, PrivateIpAddress="10.0.2.77")[
        "NetworkInterface"
    ]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ][0]
    c = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_tags(Resources=[b], Tags=[{"Key": "role", "Value": "db"}])

    def ids(*filters):
        found = ec2.describe_network_interfaces(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, *filters]
        )["NetworkInterfaces"]
        return {e["NetworkInterfaceId"] for e in found}

    assert ids() == {a, b, c}
    assert ids({"Name": "subnet-id", "Values": [other_subnet]}) == {b}
    assert ids({"Name": "network-interface-id", "Values": [a]}) == {a}
    assert ids({"Name": "private-ip-address", "Values": ["10.0.2.77"]}) == {b}
    assert ids({"Name": "addresses.private-ip-address", "Values": ["10.0.2.*"]}) == {b}
    assert ids({"Name": "group-id", "Values": [web]}) == {a}
    assert ids({"Name": "group-name", "Values": ["web"]}) == {a}
    assert ids({"Name": "interface-type", "Values": ["interface"]}) == {a, b, c}
    assert ids({"Name": "requester-managed", "Values": ["false"]}) == {a, b, c}
    assert ids({"Name": "status", "Values": ["in-use"]}) == {c}
    assert ids({"Name": "status", "Values": ["available"]}) == {a, b}
    assert ids({"Name": "attachment.instance-id", "Values": [instance["InstanceId"]]}) == {c}
    assert ids({"Name": "availability-zone", "Values": ["us-east-1c"]}) == {b}
    assert ids({"Name": "description", "Values": ["al*"]}) == {a}
    assert ids({"Name": "tag:role", "Values": ["db"]}) == {b}
    assert ids({"Name": "owner-id", "Values": [instance["NetworkInterfaces"][0]["OwnerId"]]}) == {
        a,
        b,
        c,
    }
    first = ec2.describe_network_interfaces(MaxResults=5)
    assert len(first["NetworkInterfaces"]) == 3 and "NextToken" not in first
    for _ in range(3):
        ec2.create_network_interface(SubnetId=subnet_id)
    first = ec2.describe_network_interfaces(MaxResults=5)
    rest = ec2.describe_network_interfaces(MaxResults=5, NextToken=first["NextToken"])
    assert len(first["NetworkInterfaces"]) == 5 and len(rest["NetworkInterfaces"]) == 1


def test_requester_managed_interface(server, ec2, account):
    """An interface endpoint's network interface shows as AWS shows requester-managed ones."""
    vpc_id, subnet_id = network(ec2)
    default = default_group_id(ec2, vpc_id)
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName="com.amazonaws.us-east-1.sts",
        VpcEndpointType="Interface",
        SubnetIds=[subnet_id],
        PrivateDnsEnabled=False,
    )["VpcEndpoint"]
    [eni_id] = endpoint["NetworkInterfaceIds"]
    found = describe(ec2, eni_id)
    assert found["InterfaceType"] == "vpc_endpoint"
    assert found["RequesterManaged"] is True
    assert re.fullmatch(r"\d{12}|[A-Z0-9]{21}", found["RequesterId"])
    assert found["Status"] == "in-use"
    assert found["Description"] == f"VPC Endpoint Interface {endpoint['VpcEndpointId']}"
    assert found["Groups"] == [{"GroupId": default, "GroupName": "default"}]
    managed = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "requester-managed", "Values": ["true"]},
            {"Name": "interface-type", "Values": ["vpc_endpoint"]},
        ]
    )["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in managed] == [eni_id]
    assert available_ips(ec2, subnet_id) == 250
    with aws_error("InvalidParameterValue"):
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with aws_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnet_id)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)


def test_interface_isolation(server, ec2):
    _, subnet_id = network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        intruder.delete_network_interface(NetworkInterfaceId=eni_id)
    assert intruder.describe_network_interfaces()["NetworkInterfaces"] == []
