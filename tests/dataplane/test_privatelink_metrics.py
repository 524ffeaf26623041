"""PrivateLink metrics from real traffic: connections from a consumer instance through an
interface endpoint show up in AWS/PrivateLinkEndpoints (the consumer's account) and
AWS/PrivateLinkServices (the provider's) as NewConnections and BytesProcessed matching
what was sent, and SYNs the endpoint's security group drops as PacketsDropped."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.dataplane.world import CONSUMER, PROVIDER, World, run_in, wait_for

pytestmark = pytest.mark.dataplane

CONNECTIONS = 5
# Connects and reads the service's whole answer; prints its length.
CLIENT = (
    "import socket,sys\n"
    "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
    "data = b''\n"
    "while chunk := s.recv(4096):\n"
    "    data += chunk\n"
    "print(len(data))\n"
)


@pytest.fixture
def world(fresh_server: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("PRIVLINK_OBSERVE_SECONDS", "2")  # the server's collection period
    built = World(fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])).build()
    wait_for(built.targets_healthy, 40, "the targets to pass real health checks")
    return built


def statistic(
    world: World, account: str, namespace: str, metric: str, dims: dict[str, str]
) -> float:
    """The metric's Sum over the last ten minutes, as `aws cloudwatch get-metric-statistics`
    answers it (0 without datapoints)."""
    now = dt.datetime.now(dt.UTC)
    out = world.server.aws(
        "cloudwatch",
        "get-metric-statistics",
        "--namespace", namespace,
        "--metric-name", metric,
        "--dimensions", *[f"Name={k},Value={v}" for k, v in dims.items()],
        "--start-time", (now - dt.timedelta(minutes=10)).isoformat(),
        "--end-time", (now + dt.timedelta(minutes=1)).isoformat(),
        "--period", "60",
        "--statistics", "Sum",
        account=account,
    )  # fmt: skip
    return sum(p["Sum"] for p in json.loads(out.stdout)["Datapoints"])


def test_connections_bytes_and_drops_from_real_traffic(world: World) -> None:
    endpoint = world.accept(world.create_endpoint()["VpcEndpointId"])
    eni_ip = world.eni_ips(endpoint)[0]
    answered = 0
    for _ in range(CONNECTIONS):
        reply = wait_for(
            lambda: run_in(world.client, "python3", "-c", CLIENT, eni_ip, "80"),
            20,
            "a reply through the endpoint",
        )
        answered += int(reply.stdout)
    per_endpoint = {
        "Endpoint Type": "Interface",
        "Service Name": world.service_name,
        "VPC Endpoint Id": endpoint["VpcEndpointId"],
        "VPC Id": world.c_vpc,
    }
    endpoints = "AWS/PrivateLinkEndpoints"

    def counted(account: str, namespace: str, dims: dict[str, str]) -> float | None:
        found = statistic(world, account, namespace, "NewConnections", dims)
        return found if found >= CONNECTIONS else None

    assert wait_for(lambda: counted(CONSUMER, endpoints, per_endpoint), 30, "NewConnections") == (
        CONNECTIONS
    )
    service = {"Service Id": world.service_id}
    assert (
        wait_for(
            lambda: counted(PROVIDER, "AWS/PrivateLinkServices", service), 30, "the service's count"
        )
        == CONNECTIONS
    )
    nbytes = statistic(world, CONSUMER, endpoints, "BytesProcessed", per_endpoint)
    # The answers, plus per connection about ten packets of IPv4 and TCP headers each way.
    assert answered + CONNECTIONS * 300 <= nbytes <= answered + CONNECTIONS * 1000
    assert statistic(world, PROVIDER, "AWS/PrivateLinkServices", "BytesProcessed", service) == (
        nbytes
    )
    assert statistic(world, CONSUMER, endpoints, "PacketsDropped", per_endpoint) == 0

    # The endpoint's group stops allowing the client: its SYNs are dropped at the ENI.
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

    def dropped() -> float | None:
        run_in(world.client, "python3", "-c", CLIENT, eni_ip, "80", timeout=10)
        found = statistic(world, CONSUMER, endpoints, "PacketsDropped", per_endpoint)
        return found or None

    assert wait_for(dropped, 40, "PacketsDropped") >= 1
    assert statistic(world, CONSUMER, endpoints, "NewConnections", per_endpoint) == CONNECTIONS
