"""What AWS sends for fresh resources: empty tag sets, CreateVpc's pending state, zone groups."""

from __future__ import annotations

from tests.api.ec2_helpers import make_subnet, make_vpc


def test_untagged_resources_have_empty_tags(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["Tags"] == []
    assert vpc["Ipv6CidrBlockAssociationSet"] == []
    vpc_id = vpc["VpcId"]
    subnet_id = make_subnet(ec2, vpc_id)
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]
    assert table["Tags"] == []
    assert (
        ec2.describe_route_tables(RouteTableIds=[table["RouteTableId"]])["RouteTables"][0]["Tags"]
        == []
    )
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"] == []
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["Tags"] == []
    gateway = ec2.create_internet_gateway()["InternetGateway"]
    assert gateway["Tags"] == []
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert groups["SecurityGroups"][0]["Tags"] == []
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway"
    )["VpcEndpoint"]
    assert endpoint["Tags"] == []
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    assert described["VpcEndpoints"][0]["Tags"] == []
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    assert eni["TagSet"] == []


def test_create_vpc_answers_pending_then_available(ec2):
    created = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert created["State"] == "pending"
    assert ec2.describe_vpcs(VpcIds=[created["VpcId"]])["Vpcs"][0]["State"] == "available"
    ec2.get_waiter("vpc_available").wait(VpcIds=[created["VpcId"]])


def test_zones_belong_to_the_region_zone_group(ec2, server, account):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert {(z["GroupName"], z["GroupLongName"]) for z in zones} == {
        ("us-east-1-zg-1", "US East (N. Virginia) 1")
    }
    assert {z["NetworkBorderGroup"] for z in zones} == {"us-east-1"}
    by_group = ec2.describe_availability_zones(
        Filters=[{"Name": "group-name", "Values": ["us-east-1-zg-1"]}]
    )["AvailabilityZones"]
    assert len(by_group) == len(zones)
    west = server.client("ec2", account, region="us-west-2").describe_availability_zones()
    assert west["AvailabilityZones"][0]["GroupName"] == "us-west-2-zg-1"


def test_vpc_filters_still_find_by_cidr_association(ec2):
    vpc_id = make_vpc(ec2, "10.2.0.0/16")
    found = ec2.describe_vpcs(
        Filters=[{"Name": "cidr-block-association.cidr-block", "Values": ["10.2.0.0/16"]}]
    )["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
