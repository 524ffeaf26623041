"""AWS-managed prefix lists and the routes gateway endpoints add to route tables."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error, make_vpc

S3_US_EAST_1 = "pl-63a5400a"
DYNAMODB_US_EAST_1 = "pl-02cd2c6b"


def test_describe_prefix_lists_has_s3_and_dynamodb(ec2):
    found = ec2.describe_prefix_lists()["PrefixLists"]
    by_name = {p["PrefixListName"]: p for p in found}
    assert by_name["com.amazonaws.us-east-1.s3"]["PrefixListId"] == S3_US_EAST_1
    assert by_name["com.amazonaws.us-east-1.dynamodb"]["PrefixListId"] == DYNAMODB_US_EAST_1
    assert "52.216.0.0/15" in by_name["com.amazonaws.us-east-1.s3"]["Cidrs"]


def test_terraform_reads_the_list_by_name(ec2):
    """aws_vpc_endpoint's refresh: DescribePrefixLists filtered by prefix-list-name."""
    found = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]
    )["PrefixLists"]
    assert [p["PrefixListId"] for p in found] == [S3_US_EAST_1]
    none = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.sqs"]}]
    )["PrefixLists"]
    assert none == []


def test_prefix_list_ids_are_checked(ec2):
    assert [
        p["PrefixListId"]
        for p in ec2.describe_prefix_lists(PrefixListIds=[DYNAMODB_US_EAST_1])["PrefixLists"]
    ] == [DYNAMODB_US_EAST_1]
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.describe_prefix_lists(PrefixListIds=["pl-12345678"])
    with aws_error("InvalidPrefixListId.Malformed"):
        ec2.describe_prefix_lists(PrefixListIds=["prefix-1"])


def test_other_regions_have_their_own_lists(server, account):
    west = server.client("ec2", account, region="us-west-2")
    names = {
        p["PrefixListName"]: p["PrefixListId"] for p in west.describe_prefix_lists()["PrefixLists"]
    }
    assert names == {
        "com.amazonaws.us-west-2.s3": "pl-68a54001",
        "com.amazonaws.us-west-2.dynamodb": "pl-00a54069",
    }
    derived = server.client("ec2", account, region="eu-north-1").describe_prefix_lists()
    assert len(derived["PrefixLists"]) == 2
    assert all(p["Cidrs"] for p in derived["PrefixLists"])


def test_managed_prefix_lists_and_entries(ec2):
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "owner-id", "Values": ["AWS"]}])[
        "PrefixLists"
    ]
    s3 = next(p for p in lists if p["PrefixListId"] == S3_US_EAST_1)
    assert s3 == {
        "PrefixListId": S3_US_EAST_1,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:us-east-1:aws:prefix-list/{S3_US_EAST_1}",
        "PrefixListName": "com.amazonaws.us-east-1.s3",
        "Tags": [],
        "OwnerId": "AWS",
    }
    entries = ec2.get_managed_prefix_list_entries(PrefixListId=S3_US_EAST_1)["Entries"]
    assert {"Cidr": "54.231.0.0/16"} in entries
    first = ec2.get_managed_prefix_list_entries(PrefixListId=S3_US_EAST_1, MaxResults=2)
    assert len(first["Entries"]) == 2
    rest = ec2.get_managed_prefix_list_entries(
        PrefixListId=S3_US_EAST_1, NextToken=first["NextToken"]
    )["Entries"]
    assert first["Entries"] + rest == entries
    with aws_error("InvalidPrefixListID.NotFound"):
        ec2.get_managed_prefix_list_entries(PrefixListId="pl-12345678")


def _routes(ec2, table_id):
    return ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]["Routes"]


def test_gateway_endpoint_adds_and_removes_its_prefix_list_route(ec2):
    vpc_id = make_vpc(ec2)
    first = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[first],
    )["VpcEndpoint"]["VpcEndpointId"]
    route = {
        "DestinationPrefixListId": S3_US_EAST_1,
        "GatewayId": endpoint,
        "Origin": "CreateRoute",
        "State": "active",
    }
    assert route in _routes(ec2, first)
    assert route not in _routes(ec2, second)
    found = ec2.describe_route_tables(
        Filters=[{"Name": "route.destination-prefix-list-id", "Values": [S3_US_EAST_1]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [first]
    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint, AddRouteTableIds=[second], RemoveRouteTableIds=[first]
    )
    assert route not in _routes(ec2, first)
    assert route in _routes(ec2, second)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    assert all("DestinationPrefixListId" not in r for r in _routes(ec2, second))
