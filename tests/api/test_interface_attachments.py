"""AttachNetworkInterface / DetachNetworkInterface and GetSecurityGroupsForVpc."""

from __future__ import annotations

from tests.api.ec2_helpers import AMI, aws_error, make_group, make_subnet, make_vpc


def _eni(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def test_attach_and_detach_a_secondary_interface(ec2, account):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id, AvailabilityZone="us-east-1a")
    (instance,) = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"
    ]
    answer = ec2.attach_network_interface(
        NetworkInterfaceId=eni_id, InstanceId=instance["InstanceId"], DeviceIndex=1
    )
    attachment_id = answer["AttachmentId"]
    assert attachment_id.startswith("eni-attach-")
    attached = _eni(ec2, eni_id)
    assert attached["Status"] == "in-use"
    assert attached["Attachment"]["AttachmentId"] == attachment_id
    assert attached["Attachment"]["DeviceIndex"] == 1
    assert attached["Attachment"]["InstanceId"] == instance["InstanceId"]
    assert attached["Attachment"]["DeleteOnTermination"] is False
    assert attached["Attachment"]["Status"] == "attached"
    other = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    with aws_error("InvalidParameterValue"):
        ec2.attach_network_interface(
            NetworkInterfaceId=other["NetworkInterfaceId"],
            InstanceId=instance["InstanceId"],
            DeviceIndex=1,
        )
    with aws_error("InvalidNetworkInterface.InUse"):
        ec2.attach_network_interface(
            NetworkInterfaceId=eni_id, InstanceId=instance["InstanceId"], DeviceIndex=2
        )
    primary = instance["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
    with aws_error("OperationNotPermitted"):
        ec2.detach_network_interface(AttachmentId=primary)
    ec2.detach_network_interface(AttachmentId=attachment_id)
    detached = _eni(ec2, eni_id)
    assert detached["Status"] == "available"
    assert "Attachment" not in detached
    with aws_error("InvalidAttachmentID.NotFound"):
        ec2.detach_network_interface(AttachmentId=attachment_id)


def test_attach_across_zones_is_refused(ec2):
    vpc_id = make_vpc(ec2)
    a = make_subnet(ec2, vpc_id, "10.0.1.0/24", AvailabilityZone="us-east-1a")
    b = make_subnet(ec2, vpc_id, "10.0.2.0/24", AvailabilityZone="us-east-1b")
    (instance,) = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=a)["Instances"]
    eni_id = ec2.create_network_interface(SubnetId=b)["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("InvalidParameterCombination"):
        ec2.attach_network_interface(
            NetworkInterfaceId=eni_id, InstanceId=instance["InstanceId"], DeviceIndex=1
        )
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.attach_network_interface(
            NetworkInterfaceId=eni_id, InstanceId="i-0123456789abcdef0", DeviceIndex=1
        )


def test_get_security_groups_for_vpc(ec2, account):
    vpc_id = make_vpc(ec2)
    group_id = make_group(ec2, vpc_id, "web")
    found = ec2.get_security_groups_for_vpc(VpcId=vpc_id)["SecurityGroupForVpcs"]
    assert sorted(g["GroupName"] for g in found) == ["default", "web"]
    web = next(g for g in found if g["GroupId"] == group_id)
    assert web == {
        "Description": "web group",
        "GroupName": "web",
        "OwnerId": account,
        "GroupId": group_id,
        "Tags": [],
        "PrimaryVpcId": vpc_id,
    }
    named = ec2.get_security_groups_for_vpc(
        VpcId=vpc_id, Filters=[{"Name": "group-name", "Values": ["web"]}]
    )["SecurityGroupForVpcs"]
    assert [g["GroupId"] for g in named] == [group_id]
    with aws_error("InvalidVpcID.NotFound"):
        ec2.get_security_groups_for_vpc(VpcId="vpc-0123456789abcdef0")
