"""Elastic IPs and NAT gateways."""

from __future__ import annotations

import ipaddress

from tests.api.ec2_helpers import AMI, aws_error, make_subnet, make_vpc
from tests.harness import wait_until

POOL = ipaddress.IPv4Network("198.19.0.0/16")


def public_vpc(ec2):
    vpc_id = make_vpc(ec2)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    return vpc_id, make_subnet(ec2, vpc_id), gateway


def test_allocate_describe_release(ec2, account):
    allocated = ec2.allocate_address(Domain="vpc")
    assert allocated["Domain"] == "vpc"
    assert allocated["AllocationId"].startswith("eipalloc-")
    assert ipaddress.IPv4Address(allocated["PublicIp"]) in POOL
    assert allocated["NetworkBorderGroup"] == "us-east-1"
    (found,) = ec2.describe_addresses(AllocationIds=[allocated["AllocationId"]])["Addresses"]
    assert found["PublicIp"] == allocated["PublicIp"]
    assert found["Tags"] == []
    assert "AssociationId" not in found
    by_ip = ec2.describe_addresses(PublicIps=[allocated["PublicIp"]])["Addresses"]
    assert [a["AllocationId"] for a in by_ip] == [allocated["AllocationId"]]
    other = ec2.allocate_address()
    assert other["PublicIp"] != allocated["PublicIp"]
    ec2.release_address(AllocationId=allocated["AllocationId"])
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.describe_addresses(AllocationIds=[allocated["AllocationId"]])
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.release_address(AllocationId=allocated["AllocationId"])
    with aws_error("InvalidAddress.NotFound"):
        ec2.describe_addresses(PublicIps=["198.19.254.254"])
    with aws_error("InvalidAllocationID.Malformed"):
        ec2.describe_addresses(AllocationIds=["eipalloc-nope"])


def test_address_limit(ec2):
    for _ in range(5):
        ec2.allocate_address(Domain="vpc")
    with aws_error("AddressLimitExceeded"):
        ec2.allocate_address(Domain="vpc")


def test_associate_with_instance_and_interface(ec2, account):
    vpc_id, subnet_id, _ = public_vpc(ec2)
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ][0]
    allocation = ec2.allocate_address()["AllocationId"]
    association = ec2.associate_address(AllocationId=allocation, InstanceId=instance["InstanceId"])[
        "AssociationId"
    ]
    assert association.startswith("eipassoc-")
    (found,) = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    assert found["InstanceId"] == instance["InstanceId"]
    assert found["AssociationId"] == association
    assert found["PrivateIpAddress"] == instance["PrivateIpAddress"]
    assert found["NetworkInterfaceOwnerId"] == account
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]
    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni["NetworkInterfaceId"])
    with aws_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=allocation)
    moved = ec2.associate_address(
        AllocationId=allocation,
        NetworkInterfaceId=eni["NetworkInterfaceId"],
        AllowReassociation=True,
    )["AssociationId"]
    filtered = ec2.describe_addresses(
        Filters=[{"Name": "network-interface-id", "Values": [eni["NetworkInterfaceId"]]}]
    )["Addresses"]
    assert [a["AssociationId"] for a in filtered] == [moved]
    ec2.disassociate_address(AssociationId=moved)
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.disassociate_address(AssociationId=moved)
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
    ec2.release_address(AllocationId=allocation)


def test_associate_needs_an_internet_gateway(ec2):
    vpc_id = make_vpc(ec2)
    eni = ec2.create_network_interface(SubnetId=make_subnet(ec2, vpc_id))["NetworkInterface"]
    allocation = ec2.allocate_address()["AllocationId"]
    with aws_error("Gateway.NotAttached"):
        ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni["NetworkInterfaceId"])
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.associate_address(AllocationId=allocation, InstanceId="i-0123456789abcdef0")


def _nat(ec2, nat_id):
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]


def test_nat_gateway_lifecycle_and_routes(ec2):
    vpc_id, subnet_id, _ = public_vpc(ec2)
    allocation = ec2.allocate_address()
    created = ec2.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=allocation["AllocationId"],
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "n", "Value": "1"}]}],
    )["NatGateway"]
    nat_id = created["NatGatewayId"]
    assert created["State"] == "pending"
    assert created["VpcId"] == vpc_id
    assert created["ConnectivityType"] == "public"
    (nat_address,) = created["NatGatewayAddresses"]
    assert nat_address["PublicIp"] == allocation["PublicIp"]
    assert nat_address["AllocationId"] == allocation["AllocationId"]
    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 20}
    )
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[nat_address["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ][0]
    assert eni["InterfaceType"] == "nat_gateway"
    assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
    eip = ec2.describe_addresses(AllocationIds=[allocation["AllocationId"]])["Addresses"][0]
    assert eip["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    with aws_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=allocation["AllocationId"])
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert {
        "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": nat_id,
        "Origin": "CreateRoute",
        "State": "active",
    } in routes
    by_state = ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["available"]}])
    assert nat_id in [n["NatGatewayId"] for n in by_state["NatGateways"]]
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    ec2.get_waiter("nat_gateway_deleted").wait(
        NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 20}
    )
    assert _nat(ec2, nat_id)["DeleteTime"]
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("NatGatewayId")] == ["blackhole"]
    ec2.release_address(AllocationId=allocation["AllocationId"])


def test_nat_gateway_without_internet_gateway_fails(ec2):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id)
    allocation = ec2.allocate_address()["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"
    ]
    wait_until(lambda: _nat(ec2, nat_id)["State"] == "failed", timeout=15)
    failed = _nat(ec2, nat_id)
    assert failed["FailureCode"] == "Gateway.NotAttached"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]


def test_nat_gateway_errors(ec2):
    vpc_id, subnet_id, _ = public_vpc(ec2)
    with aws_error("MissingParameter"):
        ec2.create_nat_gateway(SubnetId=subnet_id)
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId="eipalloc-0123456789abcdef0")
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", ConnectivityType="private")
    with aws_error("NatGatewayNotFound"):
        ec2.describe_nat_gateways(NatGatewayIds=["nat-0123456789abcdef0"])
    with aws_error("NatGatewayMalformed"):
        ec2.delete_nat_gateway(NatGatewayId="nat-zz")
    allocation = ec2.allocate_address()["AllocationId"]
    ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)
    with aws_error("Resource.AlreadyAssociated"):
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=allocation)
    private = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]
    assert private["ConnectivityType"] == "private"
    assert private["NatGatewayAddresses"][0].get("PublicIp") is None
