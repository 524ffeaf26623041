"""End to end through the real API with `privlink up --dataplane linux`.

A provider serves from an instance behind an NLB (tests/dataplane/world.py);
a consumer with the same CIDR reaches it through an interface endpoint, from
inside its own instance (`privlink exec`), by DNS name and by address.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dataplane.world import (
    PRIVATE_NAME,
    World,
    connect,
    dig,
    run_in,
    wait_for,
)

pytestmark = pytest.mark.dataplane


@pytest.fixture
def world(fresh_server: Any) -> World:
    built = World(fresh_server(extra_args=["--dataplane", "linux"])).build()
    wait_for(built.targets_healthy, 40, "the targets to pass real health checks")
    return built


def test_consumer_reaches_provider_through_endpoint(world: World) -> None:
    endpoint = world.create_endpoint(private_dns=True)
    endpoint_id = endpoint["VpcEndpointId"]
    assert endpoint["State"] == "pendingAcceptance"
    eni_ips = world.eni_ips(endpoint)
    # Before acceptance nothing answers at the endpoint's addresses, and no name resolves.
    assert connect(world.client, eni_ips[0], 80).returncode != 0

    described = world.accept(endpoint_id)
    regional = described["DnsEntries"][0]["DnsName"]
    zonal = described["DnsEntries"][1]["DnsName"]

    # DNS inside the consumer VPC: regional -> every ENI, zonal -> its AZ's, the service's
    # private name -> the regional name (CNAME, as AWS answers for provider services).
    resolved = wait_for(lambda: dig(world.client, regional), 15, "the regional name")
    assert sorted(resolved) == sorted(eni_ips)
    zonal_answer = dig(world.client, zonal)
    assert len(zonal_answer) == 1 and zonal_answer[0] in eni_ips
    private = wait_for(lambda: dig(world.client, PRIVATE_NAME), 15, "the private DNS name")
    assert set(eni_ips) <= set(private)
    assert dig(world.client, "nothing.example.com") == []  # NXDOMAIN: there is no internet

    # TCP by name; the provider sees an NLB node address, never the consumer's.
    for host in (regional, zonal, PRIVATE_NAME, eni_ips[1]):
        reply = wait_for(
            lambda h=host: connect(world.client, h, 80).stdout.strip(),
            20,
            f"a reply through the endpoint via {host}",
        )
        assert reply.startswith("hello "), reply
        assert reply.split()[1] in world.nlb_ips

    # PROXY v2: the provider learns the consumer's address and the endpoint id (0xEA TLV).
    client_ip = world.c_ec2.describe_instances(InstanceIds=[world.client])["Reservations"][0][
        "Instances"
    ][0]["PrivateIpAddress"]
    reply = wait_for(
        lambda: connect(world.client, regional, 81).stdout.strip(),
        20,
        "a reply through the PROXY v2 listener",
    )
    _, source, vpce, peer = reply.split()
    assert (source, vpce) == (client_ip, endpoint_id)
    assert peer in world.nlb_ips

    # The provider cannot open a connection into the consumer through the endpoint.
    assert (
        run_in(
            world.backend,
            "python3",
            "-c",
            f"import socket; socket.create_connection(('{client_ip}', 22), timeout=2)",
        ).returncode
        != 0
    )

    # Reject: traffic stops; the names stop resolving.
    world.p_ec2.reject_vpc_endpoint_connections(
        ServiceId=world.service_id, VpcEndpointIds=[endpoint_id]
    )
    wait_for(lambda: world.endpoint(endpoint_id)["State"] == "rejected", 15, "rejected")
    wait_for(
        lambda: connect(world.client, eni_ips[0], 80).returncode != 0,
        15,
        "traffic to stop after reject",
    )
    wait_for(lambda: dig(world.client, regional) == [], 15, "the names to stop resolving")


def test_instances_get_hostnames_and_terminate_cleanly(world: World) -> None:
    reservation = world.c_ec2.describe_instances(InstanceIds=[world.client])["Reservations"][0]
    instance = reservation["Instances"][0]
    hostname = instance["PrivateDnsName"]
    assert hostname.endswith(".ec2.internal")
    assert wait_for(lambda: dig(world.client, hostname), 15, "the hostname") == [
        instance["PrivateIpAddress"]
    ]
    world.c_ec2.terminate_instances(InstanceIds=[world.client])
    wait_for(
        lambda: run_in(world.client, "true").returncode != 0,
        20,
        "the instance's namespace to disappear",
    )


def test_endpoint_security_group_blocks(world: World) -> None:
    endpoint = world.create_endpoint()
    ips = world.eni_ips(endpoint)
    world.accept(endpoint["VpcEndpointId"])
    assert connect(world.client, ips[0], 80).stdout.startswith("hello")
    world.c_ec2.revoke_security_group_ingress(
        GroupId=world.c_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 81,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            }
        ],
    )
    wait_for(
        lambda: connect(world.client, ips[0], 80).returncode != 0,
        15,
        "the endpoint's security group to block",
    )
