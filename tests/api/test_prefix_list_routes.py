"""Routes whose destination is a managed prefix list (DestinationPrefixListId)."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error, make_vpc

S3_US_EAST_1 = "pl-63a5400a"
DYNAMODB_US_EAST_1 = "pl-02cd2c6b"


def gateway_table(ec2):
    vpc = make_vpc(ec2)
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    return vpc, gateway, table


def prefix_routes(ec2, table):
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    return [r for r in routes if "DestinationPrefixListId" in r]


def test_create_replace_delete(ec2):
    vpc, gateway, table = gateway_table(ec2)
    assert ec2.create_route(
        RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1, GatewayId=gateway
    )["Return"]
    (route,) = prefix_routes(ec2, table)
    assert route["DestinationPrefixListId"] == S3_US_EAST_1
    assert "DestinationCidrBlock" not in route
    assert route["GatewayId"] == gateway
    assert route["State"] == "active"
    found = ec2.describe_route_tables(
        Filters=[{"Name": "route.destination-prefix-list-id", "Values": [S3_US_EAST_1]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [table]
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(
            RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1, GatewayId=gateway
        )
    eni = ec2.create_network_interface(
        SubnetId=ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    )["NetworkInterface"]["NetworkInterfaceId"]
    ec2.replace_route(
        RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1, NetworkInterfaceId=eni
    )
    (route,) = prefix_routes(ec2, table)
    assert route["NetworkInterfaceId"] == eni
    ec2.delete_route(RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1)
    assert prefix_routes(ec2, table) == []
    with aws_error("InvalidRoute.NotFound"):
        ec2.delete_route(RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1)


def test_bad_prefix_lists(ec2):
    _, gateway, table = gateway_table(ec2)
    with aws_error("InvalidPrefixListID.NotFound") as info:
        ec2.create_route(
            RouteTableId=table, DestinationPrefixListId="pl-0123abcd", GatewayId=gateway
        )
    assert (
        info.value.response["Error"]["Message"] == "The prefix list ID 'pl-0123abcd' does not exist"
    )
    with aws_error("InvalidPrefixListId.Malformed"):
        ec2.create_route(RouteTableId=table, DestinationPrefixListId="pl-zz", GatewayId=gateway)
    with aws_error("InvalidParameterCombination"):
        ec2.create_route(
            RouteTableId=table,
            DestinationPrefixListId=DYNAMODB_US_EAST_1,
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=gateway,
        )
    assert prefix_routes(ec2, table) == []


def test_gateway_endpoint_route_is_taken(ec2):
    vpc, gateway, table = gateway_table(ec2)
    ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[table],
    )
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(
            RouteTableId=table, DestinationPrefixListId=S3_US_EAST_1, GatewayId=gateway
        )
