"""Public addresses given at launch: MapPublicIpOnLaunch, AssociatePublicIpAddress, and an
Elastic IP taking their place (DescribeInstances and DescribeNetworkInterfaces)."""

from __future__ import annotations

import ipaddress

from tests.api.ec2_helpers import AMI, aws_error, make_subnet, make_vpc

POOL = ipaddress.IPv4Network("198.19.0.0/16")


def launch(ec2, subnet, **nic):
    nics = [{"DeviceIndex": 0, "SubnetId": subnet, **nic}]
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, NetworkInterfaces=nics)[
        "Instances"
    ][0]


def described(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def test_launch_addresses_follow_the_subnet_unless_the_request_says(ec2):
    vpc = make_vpc(ec2)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = make_subnet(ec2, vpc)
    private = launch(ec2, subnet)
    assert "PublicIpAddress" not in described(ec2, private["InstanceId"])
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    mapped = described(ec2, launch(ec2, subnet)["InstanceId"])
    address = mapped["PublicIpAddress"]
    assert ipaddress.IPv4Address(address) in POOL
    assert mapped["PublicDnsName"] == f"ec2-{address.replace('.', '-')}.compute-1.amazonaws.com"
    nic = mapped["NetworkInterfaces"][0]["Association"]
    assert nic == {
        "IpOwnerId": "amazon",
        "PublicDnsName": mapped["PublicDnsName"],
        "PublicIp": address,
    }
    declined = launch(ec2, subnet, AssociatePublicIpAddress=False)
    assert "PublicIpAddress" not in described(ec2, declined["InstanceId"])


def test_an_elastic_ip_takes_the_place_of_the_launch_address(ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    instance = launch(ec2, subnet, AssociatePublicIpAddress=True)["InstanceId"]
    first = described(ec2, instance)["PublicIpAddress"]
    assert described(ec2, instance)["PublicDnsName"] == ""  # no DNS hostnames in this VPC
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance)
    now = described(ec2, instance)
    assert now["PublicIpAddress"] == eip["PublicIp"] != first
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[now["NetworkInterfaces"][0]["NetworkInterfaceId"]]
    )["NetworkInterfaces"][0]
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]
    assert eni["Association"]["IpOwnerId"] != "amazon"


def test_associate_public_ip_with_an_existing_interface_is_refused(ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("InvalidParameterCombination"):
        ec2.run_instances(
            ImageId=AMI,
            MinCount=1,
            MaxCount=1,
            NetworkInterfaces=[
                {"DeviceIndex": 0, "NetworkInterfaceId": eni, "AssociatePublicIpAddress": True}
            ],
        )


def test_a_terminated_instance_gives_its_launch_address_back(ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    instance = launch(ec2, subnet, AssociatePublicIpAddress=True)["InstanceId"]
    address = described(ec2, instance)["PublicIpAddress"]
    ec2.terminate_instances(InstanceIds=[instance])
    assert "PublicIpAddress" not in described(ec2, instance)
    eip = ec2.allocate_address(Domain="vpc")  # the pool hands out the lowest free address
    assert ipaddress.IPv4Address(eip["PublicIp"]) <= ipaddress.IPv4Address(address)
