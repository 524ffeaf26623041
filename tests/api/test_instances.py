"""Instances: RunInstances validation and shape, describe, attributes, terminate."""

from __future__ import annotations

import base64

import pytest
from botocore import handlers

from tests.api.ec2_helpers import (
    AMI,
    available_ips,
    aws_error,
    default_group_id,
    default_vpc,
    make_group,
    make_subnet,
    make_vpc,
    network,
    unvalidated,
)
from tests.harness import fresh_account, wait_until


def run(ec2, **kwargs):
    kwargs.setdefault("ImageId", AMI)
    kwargs.setdefault("MinCount", 1)
    kwargs.setdefault("MaxCount", 1)
    return ec2.run_instances(**kwargs)


def describe_one(ec2, instance_id):
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]


def settled(ec2, instance_id, state):
    """The instance once the instance controller moved it to `state` (describing never does)."""

    def shown():
        instance = describe_one(ec2, instance_id)
        return instance if instance["State"]["Name"] == state else None

    return wait_until(shown, message=f"{instance_id} {state}")


def test_run_instances_shape(ec2, account):
    vpc_id, subnet_id = network(ec2)
    ec2.create_key_pair(KeyName="dev")  # RunInstances refuses an unknown KeyName, as AWS
    group_id = make_group(ec2, vpc_id)
    reservation = run(
        ec2,
        SubnetId=subnet_id,
        SecurityGroupIds=[group_id],
        InstanceType="t3.micro",
        KeyName="dev",
        UserData="#!/bin/sh\necho hi\n",
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "box"}]},
            {"ResourceType": "network-interface", "Tags": [{"Key": "nic", "Value": "primary"}]},
        ],
    )
    assert reservation["ReservationId"].startswith("r-")
    assert reservation["OwnerId"] == account
    (instance,) = reservation["Instances"]
    assert instance["InstanceId"].startswith("i-")
    assert instance["ImageId"] == AMI
    assert instance["InstanceType"] == "t3.micro"
    assert instance["KeyName"] == "dev"
    assert instance["State"] == {"Code": 0, "Name": "pending"}
    assert instance["StateReason"] == {"Code": "pending", "Message": "pending"}
    assert instance["PrivateIpAddress"] == "10.0.1.4"
    assert instance["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal"
    assert instance["SubnetId"] == subnet_id
    assert instance["VpcId"] == vpc_id
    assert instance["Placement"]["AvailabilityZone"].startswith("us-east-1")
    assert instance["Placement"]["Tenancy"] == "default"
    assert instance["SecurityGroups"] == [{"GroupId": group_id, "GroupName": "web"}]
    assert instance["Tags"] == [{"Key": "Name", "Value": "box"}]
    assert instance["AmiLaunchIndex"] == 0
    assert instance["LaunchTime"]
    assert instance["Monitoring"] == {"State": "disabled"}
    assert instance["Architecture"] == "x86_64"
    assert instance["RootDeviceType"] == "ebs"
    (nic,) = instance["NetworkInterfaces"]
    assert nic["PrivateIpAddress"] == "10.0.1.4"
    assert nic["SubnetId"] == subnet_id
    assert nic["Attachment"]["DeviceIndex"] == 0
    assert nic["Attachment"]["Status"] == "attached"
    assert nic["Groups"] == [{"GroupId": group_id, "GroupName": "web"}]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[nic["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ][0]
    assert eni["TagSet"] == [{"Key": "nic", "Value": "primary"}]
    assert eni["Attachment"]["InstanceId"] == instance["InstanceId"]
    assert available_ips(ec2, subnet_id) == 250


def test_pending_then_running(ec2):
    _, subnet_id = network(ec2)
    instance_id = run(ec2, SubnetId=subnet_id)["Instances"][0]["InstanceId"]
    shown = settled(ec2, instance_id, "running")
    assert shown["State"] == {"Code": 16, "Name": "running"}
    assert "StateReason" not in shown
    assert shown["MetadataOptions"]["State"] == "applied"


def test_default_subnet_and_group(ec2):
    vpc = default_vpc(ec2)
    instance = run(ec2)["Instances"][0]
    assert instance["VpcId"] == vpc["VpcId"]
    assert instance["PrivateIpAddress"].startswith("172.31.")
    assert instance["SecurityGroups"][0]["GroupName"] == "default"
    placed = run(ec2, Placement={"AvailabilityZone": "us-east-1d"})["Instances"][0]
    assert placed["Placement"]["AvailabilityZone"] == "us-east-1d"
    subnet = ec2.describe_subnets(SubnetIds=[placed["SubnetId"]])["Subnets"][0]
    assert subnet["DefaultForAz"] is True
    by_name = run(ec2, SecurityGroups=["default"])["Instances"][0]
    assert by_name["SecurityGroups"][0]["GroupId"] == default_group_id(ec2, vpc["VpcId"])


def test_private_address_and_counts(ec2):
    _, subnet_id = network(ec2)
    fixed = run(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.100")["Instances"][0]
    assert fixed["PrivateIpAddress"] == "10.0.1.100"
    with aws_error("InvalidIPAddress.InUse"):
        run(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.100")
    with aws_error("InvalidParameterCombination"):
        run(ec2, SubnetId=subnet_id, PrivateIpAddress="10.0.1.101", MaxCount=2)
    several = run(ec2, SubnetId=subnet_id, MinCount=2, MaxCount=3)
    assert [i["AmiLaunchIndex"] for i in several["Instances"]] == [0, 1, 2]
    assert len({i["PrivateIpAddress"] for i in several["Instances"]}) == 3
    assert {i["ReservationId"] for i in [several]} == {several["ReservationId"]}


def test_launch_as_many_as_fit(ec2):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id, "10.0.1.0/28")
    launched = run(ec2, SubnetId=subnet_id, MinCount=5, MaxCount=20)["Instances"]
    assert len(launched) == 11
    with aws_error("InsufficientFreeAddressesInSubnet"):
        run(ec2, SubnetId=subnet_id)


def test_run_instances_errors(server, account, ec2):
    vpc_id, subnet_id = network(ec2)
    other_group = make_group(ec2, make_vpc(ec2, "10.1.0.0/16"), "other")
    with aws_error("InvalidAMIID.Malformed"):
        run(ec2, ImageId="image-1", SubnetId=subnet_id)
    with aws_error("InvalidAMIID.Malformed"):
        run(ec2, ImageId="ami-xyz", SubnetId=subnet_id)
    with aws_error("MissingParameter"):
        ec2.run_instances(MinCount=1, MaxCount=1, SubnetId=subnet_id)
    with aws_error("InvalidSubnetID.NotFound"):
        run(ec2, SubnetId="subnet-0123456789abcdef0")
    with aws_error("InvalidGroup.NotFound"):
        run(ec2, SubnetId=subnet_id, SecurityGroupIds=["sg-0123456789abcdef0"])
    with aws_error("InvalidParameter") as info:
        run(ec2, SubnetId=subnet_id, SecurityGroupIds=[other_group])
    assert "belong to different networks" in info.value.response["Error"]["Message"]
    with aws_error("InvalidParameterValue"):
        run(ec2, SubnetId=subnet_id, MinCount=0)
    with aws_error("InvalidParameterValue"):
        run(ec2, SubnetId=subnet_id, MinCount=3, MaxCount=2)
    with aws_error("InstanceLimitExceeded"):
        run(ec2, SubnetId=subnet_id, MinCount=500, MaxCount=500)
    with aws_error("InvalidParameterValue"):
        run(ec2, SubnetId=subnet_id, InstanceType="huge")
    with aws_error("InvalidParameterCombination"):
        run(ec2, SubnetId=subnet_id, SecurityGroups=["default"])
    raw = unvalidated(server, account)
    with aws_error("MissingParameter"):
        raw.run_instances(ImageId=AMI, MaxCount=1, SubnetId=subnet_id)
    with aws_error("InvalidParameterValue") as info:
        raw.run_instances(ImageId=AMI, MinCount="many", MaxCount=1, SubnetId=subnet_id)
    # boto3 base64-encodes UserData itself; send an already-invalid value raw.
    raw.meta.events.unregister(
        "before-parameter-build.ec2.RunInstances", handlers.base64_encode_user_data
    )
    with aws_error("InvalidParameterValue") as info:
        raw.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id, UserData="%%% not base64 %%%"
        )
    assert "BASE64" in info.value.response["Error"]["Message"]
    with aws_error("InvalidParameterValue"):
        run(ec2, SubnetId=subnet_id, UserData="x" * 20000)
    # Nothing was launched by the failures.
    assert ec2.describe_instances()["Reservations"] == []


def test_client_token_idempotency(ec2):
    _, subnet_id = network(ec2)
    first = run(ec2, SubnetId=subnet_id, ClientToken="launch-1")
    again = run(ec2, SubnetId=subnet_id, ClientToken="launch-1")
    assert again["ReservationId"] == first["ReservationId"]
    assert [i["InstanceId"] for i in again["Instances"]] == [
        i["InstanceId"] for i in first["Instances"]
    ]
    assert first["Instances"][0]["ClientToken"] == "launch-1"
    assert len(ec2.describe_instances()["Reservations"]) == 1
    with aws_error("IdempotentParameterMismatch"):
        run(ec2, SubnetId=subnet_id, ClientToken="launch-1", InstanceType="t3.large")


def test_user_data_attribute(ec2):
    _, subnet_id = network(ec2)
    script = "#!/bin/bash\necho hello\n"
    instance_id = run(ec2, SubnetId=subnet_id, UserData=script)["Instances"][0]["InstanceId"]
    attr = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
    assert attr["InstanceId"] == instance_id
    assert base64.b64decode(attr["UserData"]["Value"]).decode() == script
    plain = run(ec2, SubnetId=subnet_id)["Instances"][0]["InstanceId"]
    assert ec2.describe_instance_attribute(InstanceId=plain, Attribute="userData")["UserData"] == {}
    assert ec2.describe_instance_attribute(InstanceId=plain, Attribute="instanceType")[
        "InstanceType"
    ] == {"Value": "m1.small"}
    groups = ec2.describe_instance_attribute(InstanceId=plain, Attribute="groupSet")["Groups"]
    assert groups[0]["GroupName"] == "default"
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.describe_instance_attribute(InstanceId="i-0123456789abcdef0", Attribute="userData")


def test_describe_instances_filters(ec2):
    vpc_id, subnet_id = network(ec2)
    other_subnet = make_subnet(ec2, vpc_id, "10.0.2.0/24")
    a = run(
        ec2,
        SubnetId=subnet_id,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "role", "Value": "web"}]}],
    )["Instances"][0]
    b = run(ec2, SubnetId=other_subnet, InstanceType="t3.small")["Instances"][0]
    c = run(ec2, SubnetId=subnet_id)["Instances"][0]
    ec2.terminate_instances(InstanceIds=[c["InstanceId"]])
    for instance, state in ((a, "running"), (b, "running"), (c, "terminated")):
        settled(ec2, instance["InstanceId"], state)

    def ids(*filters):
        found = ec2.describe_instances(Filters=list(filters))["Reservations"]
        return {i["InstanceId"] for r in found for i in r["Instances"]}

    a_id, b_id, c_id = a["InstanceId"], b["InstanceId"], c["InstanceId"]
    assert ids() == {a_id, b_id, c_id}
    assert ids({"Name": "instance-id", "Values": [a_id]}) == {a_id}
    assert ids({"Name": "instance-state-name", "Values": ["running"]}) == {a_id, b_id}
    assert ids({"Name": "instance-state-name", "Values": ["terminated"]}) == {c_id}
    assert ids({"Name": "subnet-id", "Values": [other_subnet]}) == {b_id}
    assert ids({"Name": "vpc-id", "Values": [vpc_id]}) == {a_id, b_id}
    assert ids({"Name": "private-ip-address", "Values": [a["PrivateIpAddress"]]}) == {a_id}
    assert ids({"Name": "tag:role", "Values": ["w*"]}) == {a_id}
    assert ids({"Name": "tag-key", "Values": ["role"]}) == {a_id}
    assert ids({"Name": "instance-type", "Values": ["t3.small"]}) == {b_id}
    assert ids({"Name": "image-id", "Values": [AMI]}) == {a_id, b_id, c_id}
    assert ids({"Name": "instance.group-name", "Values": ["default"]}) == {a_id, b_id}


def test_describe_instances_pagination_and_errors(ec2):
    _, subnet_id = network(ec2)
    made = run(ec2, SubnetId=subnet_id, MinCount=7, MaxCount=7)["Instances"]
    first = ec2.describe_instances(MaxResults=5)
    assert sum(len(r["Instances"]) for r in first["Reservations"]) == 5
    rest = ec2.describe_instances(MaxResults=5, NextToken=first["NextToken"])
    assert sum(len(r["Instances"]) for r in rest["Reservations"]) == 2
    assert "NextToken" not in rest
    with aws_error("InvalidParameterCombination"):
        ec2.describe_instances(InstanceIds=[made[0]["InstanceId"]], MaxResults=5)
    with aws_error("InvalidInstanceID.NotFound") as info:
        ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"])
    assert "i-0123456789abcdef0" in info.value.response["Error"]["Message"]
    with aws_error("InvalidInstanceID.Malformed"):
        ec2.describe_instances(InstanceIds=["instance-1"])


def test_terminate_instances(ec2):
    _, subnet_id = network(ec2)
    instance = run(ec2, SubnetId=subnet_id)["Instances"][0]
    instance_id = instance["InstanceId"]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    settled(ec2, instance_id, "running")
    answer = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"]
    assert answer == [
        {
            "InstanceId": instance_id,
            "CurrentState": {"Code": 32, "Name": "shutting-down"},
            "PreviousState": {"Code": 16, "Name": "running"},
        }
    ]
    shown = settled(ec2, instance_id, "terminated")
    assert shown["State"] == {"Code": 48, "Name": "terminated"}
    assert shown["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert shown["StateTransitionReason"].startswith("User initiated (")
    assert "PrivateIpAddress" not in shown
    assert shown["NetworkInterfaces"] == []
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert available_ips(ec2, subnet_id) == 251
    again = ec2.terminate_instances(InstanceIds=[instance_id])["TerminatingInstances"][0]
    assert again["CurrentState"]["Name"] == again["PreviousState"]["Name"] == "terminated"
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.terminate_instances(InstanceIds=[instance_id, "i-0123456789abcdef0"])
    # The subnet is free to go once its only instance is terminated.
    ec2.delete_subnet(SubnetId=subnet_id)


def test_keep_interface_on_termination(ec2):
    vpc_id, subnet_id = network(ec2)
    instance = run(
        ec2,
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": subnet_id,
                "DeleteOnTermination": False,
                "Groups": [default_group_id(ec2, vpc_id)],
            }
        ],
    )["Instances"][0]
    eni_id = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["Status"] == "available" and "Attachment" not in eni
    relaunched = run(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni_id}])
    assert relaunched["Instances"][0]["PrivateIpAddress"] == instance["PrivateIpAddress"]
    with aws_error("InvalidNetworkInterface.InUse"):
        run(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "NetworkInterfaceId": eni_id}])


def test_describe_instance_status(ec2):
    _, subnet_id = network(ec2)
    a, b = (
        i["InstanceId"] for i in run(ec2, SubnetId=subnet_id, MinCount=2, MaxCount=2)["Instances"]
    )
    ec2.terminate_instances(InstanceIds=[b])
    settled(ec2, a, "running")
    settled(ec2, b, "terminated")
    statuses = ec2.describe_instance_status()["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [a]
    assert statuses[0]["InstanceState"] == {"Code": 16, "Name": "running"}
    assert statuses[0]["InstanceStatus"]["Status"] == "ok"
    everything = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert {s["InstanceId"] for s in everything} == {a, b}


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_private_dns_name_by_region(server, account, region):
    ec2 = server.client("ec2", account, region)
    instance = run(ec2)["Instances"][0]
    host = "ip-" + instance["PrivateIpAddress"].replace(".", "-")
    suffix = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    assert instance["PrivateDnsName"] == f"{host}.{suffix}"


def test_instance_isolation(server, ec2):
    instance_id = run(ec2)["Instances"][0]["InstanceId"]
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidInstanceID.NotFound"):
        intruder.describe_instances(InstanceIds=[instance_id])
    with aws_error("InvalidInstanceID.NotFound"):
        intruder.terminate_instances(InstanceIds=[instance_id])
    assert intruder.describe_instances()["Reservations"] == []
