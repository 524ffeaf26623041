"""VPC peering and privlink's internet through the API, end to end (boto3 + traffic).

Peering: two accounts' VPCs carry TCP once the connection is accepted and both route
tables route it (removing one route cuts it), the accepter's AllowDnsResolutionFromRemoteVpc
makes its private host names resolve in the requester's VPC, and an interface endpoint in
one VPC is reachable from the peer. Internet: an instance with a public address
(AssociatePublicIpAddress) is reachable from privlink's internet computer (`privlink exec
--internet`) by its public name and reaches it from that address; an instance in a private
subnet reaches it only once a NAT gateway and a route to it exist, seen as the NAT
gateway's Elastic IP.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dataplane.conftest import Lab
from tests.dataplane.test_aws_service_endpoints import CLIENT as CONNECT
from tests.dataplane.test_aws_service_endpoints import (
    endpoint_to,
    eni_ips,
    https_group,
    instance_in,
    network,
    wait_available,
)
from tests.dataplane.world import connect, dig, on_internet, open_group, run_in, wait_for
from tests.harness import Server

REQUESTER, ACCEPTER = "616161616161", "626262626262"
COMPUTER = "203.0.113.10"  # privlink's internet computer
WEB = "#!/bin/bash\nexec python3 -m http.server 8080 --bind 0.0.0.0\n"


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])


def web_instance(ec2: Any, subnet: str, group: str, **nic: Any) -> dict[str, Any]:
    return ec2.run_instances(  # type: ignore[no-any-return]
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        UserData=WEB,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group], **nic}],
    )["Instances"][0]


def reaches(instance: str, host: str, port: int) -> bool:
    """A TCP connection opens (the servers here need not speak first)."""
    return run_in(instance, "python3", "-c", CONNECT, host, str(port)).returncode == 0


def main_table(ec2: Any, vpc: str) -> str:
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )
    return tables["RouteTables"][0]["RouteTableId"]  # type: ignore[no-any-return]


@pytest.mark.dataplane
def test_peering_between_accounts_carries_tcp_dns_and_endpoint_traffic(
    linux_server: Server,
) -> None:
    req, acc = linux_server.client("ec2", REQUESTER), linux_server.client("ec2", ACCEPTER)
    a_vpc, (a_subnet,) = network(req, "10.50.0.0/16")
    b_vpc, (b_subnet,) = network(acc, "10.51.0.0/16")
    client = instance_in(req, a_subnet)
    web = web_instance(acc, b_subnet, open_group(acc, b_vpc, "web", (8080, 8080), "10.50.0.0/16"))
    b_ip = web["PrivateIpAddress"]
    wait_for(lambda: run_in(client, "true").returncode == 0, 20, "the client")
    assert not reaches(client, b_ip, 8080)  # no peering: no route

    pcx = req.create_vpc_peering_connection(VpcId=a_vpc, PeerVpcId=b_vpc, PeerOwnerId=ACCEPTER)[
        "VpcPeeringConnection"
    ]["VpcPeeringConnectionId"]
    acc.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    req.create_route(
        RouteTableId=main_table(req, a_vpc),
        DestinationCidrBlock="10.51.0.0/16",
        VpcPeeringConnectionId=pcx,
    )
    assert not reaches(client, b_ip, 8080)  # the answers have no route back yet
    b_table = main_table(acc, b_vpc)
    acc.create_route(
        RouteTableId=b_table, DestinationCidrBlock="10.50.0.0/16", VpcPeeringConnectionId=pcx
    )
    wait_for(lambda: reaches(client, b_ip, 8080), 30, "TCP over the peering")

    # DNS: the accepter's private host names resolve in the requester's VPC once it allows
    name = f"ip-{b_ip.replace('.', '-')}.ec2.internal"
    assert dig(client, name) == []
    acc.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True},
    )
    assert wait_for(lambda: dig(client, name) or None, 20, "the peer's host name") == [b_ip]

    # an interface endpoint in the accepter's VPC answers the requester's instance
    endpoint = endpoint_to(acc, b_vpc, [b_subnet], https_group(acc, b_vpc, "10.50.0.0/16"), "sts")
    wait_available(acc, [endpoint])
    [eni_ip] = eni_ips(acc, endpoint)
    wait_for(lambda: reaches(client, eni_ip, 443), 20, "the endpoint from the peer")

    acc.delete_route(RouteTableId=b_table, DestinationCidrBlock="10.50.0.0/16")
    wait_for(lambda: not reaches(client, b_ip, 8080), 20, "the peering route gone")


@pytest.mark.dataplane
def test_public_instances_and_nat_gateways_on_privlinks_internet(
    linux_server: Server, lab: Lab
) -> None:
    ec2 = linux_server.client("ec2", REQUESTER)
    vpc, (public_subnet, private_subnet) = network(ec2, "10.60.0.0/16", "ab")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_table, SubnetId=public_subnet)
    group = open_group(ec2, vpc, "web", (8080, 8080), "0.0.0.0/0")
    launched = web_instance(ec2, public_subnet, group, AssociatePublicIpAddress=True)
    web = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0][
        "Instances"
    ][0]
    public_ip, public_name = web["PublicIpAddress"], web["PublicDnsName"]
    assert public_ip.startswith("198.19.") and public_name == (
        f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com"
    )
    private = instance_in(ec2, private_subnet)
    assert (
        "PublicIpAddress"
        not in ec2.describe_instances(InstanceIds=[private])["Reservations"][0]["Instances"][0]
    )

    # the internet computer resolves the public name and reaches the instance
    wait_for(
        lambda: on_internet("dig", "+short", public_name).stdout.split() == [public_ip],
        20,
        "the public name on the internet's resolver",
    )
    fetched = wait_for(
        lambda: on_internet("curl", "-sf", "-m", "3", f"http://{public_name}:8080/").returncode == 0
        or None,
        30,
        "the public instance from the internet",
    )
    assert fetched
    # inside its VPC, the public name answers the private address (AWS's split horizon)
    assert dig(web["InstanceId"], public_name) == [web["PrivateIpAddress"]]

    computer = lab.tcp_server("plk-inet", 7001)
    seen = connect(web["InstanceId"], COMPUTER, 7001)
    assert json.loads(seen.stdout)["peer"][0] == public_ip, seen.stderr
    wait_for(lambda: run_in(private, "true").returncode == 0, 20, "the private instance")
    assert not reaches(private, COMPUTER, 7001)  # no NAT gateway: no way out

    allocation = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public_subnet, AllocationId=allocation["AllocationId"])[
        "NatGateway"
    ]["NatGatewayId"]
    wait_for(
        lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"]
        == "available",
        20,
        "the NAT gateway",
    )
    assert not reaches(private, COMPUTER, 7001)  # no route to it yet
    ec2.create_route(
        RouteTableId=main_table(ec2, vpc), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat
    )
    wait_for(lambda: reaches(private, COMPUTER, 7001), 30, "the internet through the NAT")
    seen = connect(private, COMPUTER, 7001)
    assert json.loads(seen.stdout)["peer"][0] == allocation["PublicIp"]
    assert {s["peer"][0] for s in computer.seen} == {public_ip, allocation["PublicIp"]}
