"""VPC peering connections: request, accept, reject, delete, options, routes, both sides' views."""

from __future__ import annotations

import datetime as dt

from tests.api.ec2_helpers import aws_error, make_vpc
from tests.harness import fresh_account


def peer_pair(ec2, other=None):
    """Two VPCs with disjoint blocks (the second in `other`'s account when given)."""
    return make_vpc(ec2, "10.10.0.0/16"), make_vpc(other or ec2, "10.20.0.0/16")


def only(client, peering_id):
    (found,) = client.describe_vpc_peering_connections(VpcPeeringConnectionIds=[peering_id])[
        "VpcPeeringConnections"
    ]
    return found


def route_to(ec2, vpc_id, peering_id):
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ][0]["RouteTableId"]
    ec2.create_route(
        RouteTableId=table, DestinationCidrBlock="10.99.0.0/16", VpcPeeringConnectionId=peering_id
    )
    (route,) = [
        r
        for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
        if r.get("DestinationCidrBlock") == "10.99.0.0/16"
    ]
    return table, route


def test_same_account_lifecycle(ec2, account):
    vpc, peer = peer_pair(ec2)
    created = ec2.create_vpc_peering_connection(
        VpcId=vpc,
        PeerVpcId=peer,
        TagSpecifications=[
            {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "p"}]}
        ],
    )["VpcPeeringConnection"]
    pcx = created["VpcPeeringConnectionId"]
    assert pcx.startswith("pcx-")
    assert created["Status"] == {
        "Code": "initiating-request",
        "Message": f"Initiating Request to {account}",
    }
    assert created["RequesterVpcInfo"]["CidrBlock"] == "10.10.0.0/16"
    assert created["AccepterVpcInfo"] == {"OwnerId": account, "VpcId": peer, "Region": "us-east-1"}
    assert created["Tags"] == [{"Key": "Name", "Value": "p"}]
    found = only(ec2, pcx)
    assert found["Status"] == {
        "Code": "pending-acceptance",
        "Message": f"Pending Acceptance by {account}",
    }
    left = found["ExpirationTime"] - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)

    accepted = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert accepted["Status"] == {"Code": "active", "Message": "Active"}
    assert accepted["AccepterVpcInfo"]["CidrBlock"] == "10.20.0.0/16"
    assert accepted["AccepterVpcInfo"]["CidrBlockSet"] == [{"CidrBlock": "10.20.0.0/16"}]
    assert (
        accepted["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False
    )
    assert "ExpirationTime" not in only(ec2, pcx)

    table, route = route_to(ec2, vpc, pcx)
    assert route["VpcPeeringConnectionId"] == pcx
    assert route["State"] == "active"
    assert route_to(ec2, peer, pcx)[1]["State"] == "active"

    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert only(ec2, pcx)["Status"] == {"Code": "deleted", "Message": f"Deleted by {account}"}
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("VpcPeeringConnectionId") == pcx] == ["blackhole"]
    with aws_error("InvalidStateTransition"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with aws_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.replace_route(
            RouteTableId=table, DestinationCidrBlock="10.99.0.0/16", VpcPeeringConnectionId=pcx
        )


def test_cross_account_both_sides(server, ec2, account):
    other_account = fresh_account()
    other = server.client("ec2", other_account)
    vpc, peer = peer_pair(ec2, other)
    pcx = ec2.create_vpc_peering_connection(
        VpcId=vpc,
        PeerVpcId=peer,
        PeerOwnerId=other_account,
        TagSpecifications=[
            {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "side", "Value": "req"}]}
        ],
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    offered = only(other, pcx)
    assert offered["Status"]["Code"] == "pending-acceptance"
    assert offered["RequesterVpcInfo"]["OwnerId"] == account
    assert offered["Tags"] == []
    with aws_error("OperationNotPermitted") as info:
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert (
        info.value.response["Error"]["Message"] == f"User ({account}) cannot accept peering {pcx}"
    )
    with aws_error("InvalidStateTransition"):
        other.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with aws_error("OperationNotPermitted") as info:
        other.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=pcx,
            AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
        )
    assert "Peering options can be added only to active peerings" in str(info.value)

    other.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    other.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "acc"}])
    assert only(ec2, pcx)["Tags"] == [{"Key": "side", "Value": "req"}]
    assert only(other, pcx)["Tags"] == [{"Key": "side", "Value": "acc"}]
    tagged = other.describe_vpc_peering_connections(
        Filters=[
            {"Name": "tag:side", "Values": ["acc"]},
            {"Name": "status-code", "Values": ["active"]},
        ]
    )["VpcPeeringConnections"]
    assert [c["VpcPeeringConnectionId"] for c in tagged] == [pcx]
    for name, value in (
        ("requester-vpc-info.vpc-id", vpc),
        ("accepter-vpc-info.owner-id", other_account),
        ("accepter-vpc-info.cidr-block", "10.20.0.0/16"),
    ):
        matched = ec2.describe_vpc_peering_connections(Filters=[{"Name": name, "Values": [value]}])
        assert [c["VpcPeeringConnectionId"] for c in matched["VpcPeeringConnections"]] == [pcx]
    assert other.describe_tags(Filters=[{"Name": "resource-id", "Values": [pcx]}])["Tags"] == [
        {"Key": "side", "Value": "acc", "ResourceId": pcx, "ResourceType": "vpc-peering-connection"}
    ]

    with aws_error("OperationNotPermitted") as info:
        ec2.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=pcx,
            AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
        )
    assert info.value.response["Error"]["Message"] == (
        f"User {account} does not have permission to modify the accepter side peering options"
    )
    changed = ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
    )
    assert changed["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "AccepterPeeringConnectionOptions" not in changed
    seen = only(other, pcx)
    assert seen["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert seen["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False

    assert route_to(other, peer, pcx)[1]["State"] == "active"
    other.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert only(ec2, pcx)["Status"] == {"Code": "deleted", "Message": f"Deleted by {other_account}"}
    stranger = server.client("ec2", fresh_account())
    with aws_error("InvalidVpcPeeringConnectionID.NotFound"):
        stranger.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])
    assert stranger.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_reject_by_accepter(server, ec2, account):
    other_account = fresh_account()
    other = server.client("ec2", other_account)
    vpc, peer = peer_pair(ec2, other)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer, PeerOwnerId=other_account)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    with aws_error("OperationNotPermitted"):
        ec2.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert other.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert only(ec2, pcx)["Status"] == {
        "Code": "rejected",
        "Message": f"Rejected by {other_account}",
    }
    with aws_error("InvalidStateTransition"):
        other.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with aws_error("InvalidStateTransition"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)


def test_failed_requests(server, ec2, account):
    vpc = make_vpc(ec2, "10.30.0.0/16")
    overlapping = make_vpc(ec2, "10.30.128.0/17")
    failed = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=overlapping)[
        "VpcPeeringConnection"
    ]
    assert failed["Status"]["Code"] == "initiating-request"
    found = only(ec2, failed["VpcPeeringConnectionId"])
    assert found["Status"] == {
        "Code": "failed",
        "Message": "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range",
    }
    with aws_error("InvalidStateTransition"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=found["VpcPeeringConnectionId"])
    failed_filter = ec2.describe_vpc_peering_connections(
        Filters=[{"Name": "status-code", "Values": ["failed"]}]
    )["VpcPeeringConnections"]
    assert [c["VpcPeeringConnectionId"] for c in failed_filter] == [found["VpcPeeringConnectionId"]]
    # Another account's VPC that is not there: the request fails (AWS cannot tell the caller).
    other_account = fresh_account()
    missing = ec2.create_vpc_peering_connection(
        VpcId=vpc, PeerVpcId="vpc-0123456789abcdef0", PeerOwnerId=other_account
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    assert only(ec2, missing)["Status"]["Code"] == "failed"
    other = server.client("ec2", other_account)
    assert other.describe_vpc_peering_connections()["VpcPeeringConnections"] == []


def test_request_errors(ec2, account):
    vpc, peer = peer_pair(ec2)
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId="vpc-0123456789abcdef0")
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_vpc_peering_connection(VpcId="vpc-0123456789abcdef0", PeerVpcId=peer)
    with aws_error("InvalidVpcID.Malformed"):
        ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId="nope")
    with aws_error("UnsupportedOperation"):
        ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer, PeerRegion="eu-west-1")
    with aws_error("InvalidVpcPeeringConnectionId.Malformed"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId="pcx-zz")
    with aws_error("InvalidVpcPeeringConnectionID.NotFound") as info:
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId="pcx-0123456789abcdef0")
    assert info.value.response["Error"]["Message"] == (
        "The vpcPeeringConnection ID 'pcx-0123456789abcdef0' does not exist"
    )
    with aws_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=["pcx-0123456789abcdef0"])


def test_routes_need_a_side_of_the_connection(ec2, account):
    vpc, peer = peer_pair(ec2)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    # Before acceptance the route is a blackhole; it turns active with the connection.
    table, route = route_to(ec2, vpc, pcx)
    assert route["State"] == "blackhole"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("VpcPeeringConnectionId") == pcx] == ["active"]
    bystander = make_vpc(ec2, "10.40.0.0/16")
    with aws_error("InvalidParameterValue") as info:
        route_to(ec2, bystander, pcx)
    assert "belong to different networks" in info.value.response["Error"]["Message"]
    filtered = ec2.describe_route_tables(
        Filters=[{"Name": "route.vpc-peering-connection-id", "Values": [pcx]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in filtered] == [table]
