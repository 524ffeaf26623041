"""PrivateLink metrics from real traffic: connections from a consumer instance through an
interface endpoint show up in AWS/PrivateLinkEndpoints (the consumer's account) and
AWS/PrivateLinkServices (the provider's) as NewConnections and BytesProcessed matching
what was sent, SYNs the endpoint's security group drops as PacketsDropped, connections
held open as ActiveConnections, and a target's reset as RstPacketsReceived/Sent."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import urllib.request
from typing import Any

import pytest

from tests.dataplane.world import (
    CONSUMER,
    PROVIDER,
    World,
    observed_world,
    read_all,
    wait_for,
)
from tests.harness import VENV_BIN

pytestmark = pytest.mark.dataplane

CONNECTIONS = 5


@pytest.fixture
def world(fresh_server: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("PRIVLINK_OBSERVE_SECONDS", "2")  # the server's collection period
    return observed_world(fresh_server)


def statistic(
    world: World,
    account: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    kind: str = "Sum",
) -> float:
    """The metric's Sum (or Maximum) over the last ten minutes, as `aws cloudwatch
    get-metric-statistics` answers it (0 without datapoints)."""
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
        "--statistics", kind,
        account=account,
    )  # fmt: skip
    points = [p[kind] for p in json.loads(out.stdout)["Datapoints"]]
    return (sum(points) if kind == "Sum" else max(points)) if points else 0.0


def test_connections_bytes_and_drops_from_real_traffic(world: World) -> None:
    endpoint = world.accept(world.create_endpoint()["VpcEndpointId"])
    eni_ip = world.eni_ips(endpoint)[0]
    answered = 0
    for _ in range(CONNECTIONS):
        reply = wait_for(
            lambda: read_all(world.client, eni_ip, 80),
            20,
            "a reply through the endpoint",
        )
        answered += int(reply.stdout.split()[1])
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
    # `privlink status` bills the same bytes in PrivateLink's units (GB, 6 decimals).
    with urllib.request.urlopen(f"{world.server.url}/_privlink/status") as answer:
        usage = json.load(answer)["privatelink_usage"][f"{CONSUMER}/us-east-1"]
    assert usage["gb_processed"] == round(nbytes / 1024**3, 6) > 0
    assert usage["endpoint_hours_by_az"] == {"us-east-1a": 1, "us-east-1b": 1}

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
        read_all(world.client, eni_ip, 80, timeout=10)
        found = statistic(world, CONSUMER, endpoints, "PacketsDropped", per_endpoint)
        return found or None

    assert wait_for(dropped, 40, "PacketsDropped") >= 1
    assert statistic(world, CONSUMER, endpoints, "NewConnections", per_endpoint) == CONNECTIONS


HOLDER = """#!/bin/bash
exec python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
'
"""
# Opens three connections and keeps them until killed.
HOLD = (
    "import socket,sys,time\n"
    "held = [socket.create_connection((sys.argv[1], 82), timeout=3) for _ in range(3)]\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


def listener_to(world: World, port: int, target_port: int, holder: str) -> None:
    """A new NLB listener on `port` to the holder instance's `target_port` (health-checked
    on 9000, where it listens), and the endpoint's group opened to it."""
    nlb = world.p_elb.describe_load_balancers(Names=["svc"])["LoadBalancers"][0]
    tg = world.p_elb.create_target_group(
        Name=f"port-{port}",
        Protocol="TCP",
        Port=target_port,
        VpcId=nlb["VpcId"],
        HealthCheckPort="9000",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    world.p_elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": holder}])
    world.p_elb.create_listener(
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Protocol="TCP",
        Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    world.target_groups.append(tg)


def test_active_connections_and_resets_from_the_service(world: World) -> None:
    p_vpc = world.p_elb.describe_load_balancers(Names=["svc"])["LoadBalancers"][0]["VpcId"]
    web = world.p_ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [p_vpc]}, {"Name": "group-name", "Values": ["web"]}]
    )["SecurityGroups"][0]["GroupId"]
    ports = {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
    world.p_ec2.authorize_security_group_ingress(
        GroupId=web, IpPermissions=[{**ports, "FromPort": 9000, "ToPort": 9001}]
    )
    world.c_ec2.authorize_security_group_ingress(
        GroupId=world.c_group, IpPermissions=[{**ports, "FromPort": 82, "ToPort": 83}]
    )
    subnet = world.p_ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [p_vpc]}])[
        "Subnets"
    ][0]["SubnetId"]
    holder = world.p_ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[web],
        UserData=HOLDER,
    )["Instances"][0]["InstanceId"]
    listener_to(world, 82, 9000, holder)  # held open by the service
    listener_to(world, 83, 9001, holder)  # nothing listens: the target resets
    wait_for(world.targets_healthy, 40, "the holder to pass health checks")
    endpoint = world.accept(world.create_endpoint()["VpcEndpointId"])
    eni_ip = world.eni_ips(endpoint)[0]
    per_endpoint = {
        "Endpoint Type": "Interface",
        "Service Name": world.service_name,
        "VPC Endpoint Id": endpoint["VpcEndpointId"],
        "VPC Id": world.c_vpc,
    }
    endpoints = "AWS/PrivateLinkEndpoints"

    hold = subprocess.Popen(
        [str(VENV_BIN / "privlink"), "exec", world.client, "--", "python3", "-c", HOLD, eni_ip],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert hold.stdout is not None and hold.stdout.readline().strip() == "held"

        def active() -> float | None:
            found = statistic(
                world, CONSUMER, endpoints, "ActiveConnections", per_endpoint, "Maximum"
            )
            return found if found >= 3 else None

        assert wait_for(active, 30, "ActiveConnections") == 3
    finally:
        os.killpg(hold.pid, signal.SIGTERM)
        hold.wait(timeout=10)

    refused = read_all(world.client, eni_ip, 83)
    assert "ConnectionRefusedError" in refused.stderr

    def resets() -> float | None:
        return statistic(world, CONSUMER, endpoints, "RstPacketsReceived", per_endpoint) or None

    assert wait_for(resets, 30, "RstPacketsReceived") == 1
    service = {"Service Id": world.service_id}
    assert statistic(world, PROVIDER, "AWS/PrivateLinkServices", "RstPacketsSent", service) == 1
