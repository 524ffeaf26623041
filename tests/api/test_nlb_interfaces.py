"""A network load balancer's requester-managed interfaces in DescribeNetworkInterfaces."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error, make_group


def nlb_network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.50.{i}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"), start=1)
    }
    return vpc, subnets


def test_one_interface_per_zone(server, ec2, account):
    elb = server.client("elbv2", account)
    vpc, subnets = nlb_network(ec2)
    group = make_group(ec2, vpc, "nlb")
    lb = elb.create_load_balancer(
        Name="front",
        Type="network",
        Scheme="internal",
        Subnets=list(subnets.values()),
        SecurityGroups=[group],
    )["LoadBalancers"][0]
    lb_id = lb["LoadBalancerArn"].rsplit("/", 1)[1]
    nodes = {
        z["ZoneName"]: z["LoadBalancerAddresses"][0]["PrivateIPv4Address"]
        for z in lb["AvailabilityZones"]
    }
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [f"ELB net/front/{lb_id}"]}]
    )["NetworkInterfaces"]
    assert sorted((e["AvailabilityZone"], e["PrivateIpAddress"]) for e in found) == sorted(
        nodes.items()
    )
    for eni in found:
        assert eni["InterfaceType"] == "network_load_balancer"
        assert eni["RequesterManaged"] is True
        assert eni["RequesterId"] == "amazon-elb"
        assert eni["Status"] == "in-use"
        assert eni["OwnerId"] == account
        assert eni["VpcId"] == vpc
        assert eni["SubnetId"] == subnets[eni["AvailabilityZone"]]
        assert [g["GroupId"] for g in eni["Groups"]] == [group]
        assert eni["Attachment"]["InstanceOwnerId"] == "amazon-elb"
        assert eni["Attachment"]["AttachmentId"].startswith("ela-attach-")
    by_type = ec2.describe_network_interfaces(
        Filters=[
            {"Name": "interface-type", "Values": ["network_load_balancer"]},
            {"Name": "requester-managed", "Values": ["true"]},
            {"Name": "vpc-id", "Values": [vpc]},
        ]
    )["NetworkInterfaces"]
    assert {e["NetworkInterfaceId"] for e in by_type} == {e["NetworkInterfaceId"] for e in found}

    with aws_error("InvalidParameterValue") as info:
        ec2.delete_network_interface(NetworkInterfaceId=found[0]["NetworkInterfaceId"])
    assert info.value.response["Error"]["Message"] == (
        f"Network interface '{found[0]['NetworkInterfaceId']}' is currently in use."
    )
    with aws_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnets["us-east-1a"])

    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    assert (
        ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
            "NetworkInterfaces"
        ]
        == []
    )
    ec2.delete_subnet(SubnetId=subnets["us-east-1a"])
