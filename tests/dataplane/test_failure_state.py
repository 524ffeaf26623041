"""Failure as state: what the data plane cannot realise shows on the resource.

Faults are injected through privlink's own route (POST /_privlink/faults), which
makes the Linux driver fail the resource's namespace step for real. A permanent
fault moves the endpoint to `failed` with LastError; a temporary one is retried
with backoff and the endpoint ends `available`, carrying traffic.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from tests.dataplane.world import World, connect, wait_for

pytestmark = pytest.mark.dataplane


def inject(world: World, resource: str, permanent: bool, times: int = 1) -> None:
    body = json.dumps({"resource": resource, "permanent": permanent, "times": times}).encode()
    request = urllib.request.Request(
        world.server.url + "/_privlink/faults", data=body, method="POST"
    )
    assert json.loads(urllib.request.urlopen(request, timeout=5).read()) == {"armed": True}


@pytest.fixture
def world(fresh_server: Any) -> World:
    built = World(fresh_server(extra_args=["--dataplane", "linux"])).build()
    wait_for(built.targets_healthy, 40, "the targets to pass real health checks")
    return built


def test_permanent_failure_moves_the_endpoint_to_failed(world: World) -> None:
    endpoint_id = world.create_endpoint()["VpcEndpointId"]
    inject(world, endpoint_id, permanent=True)
    world.p_ec2.accept_vpc_endpoint_connections(
        ServiceId=world.service_id, VpcEndpointIds=[endpoint_id]
    )
    failed = wait_for(
        lambda: (e := world.endpoint(endpoint_id))["State"] == "failed" and e, 30, "failed"
    )
    assert failed["LastError"]["Code"] == "Server.InternalError"
    assert "injected permanent fault" in failed["LastError"]["Message"]
    ips = world.eni_ips(failed)
    assert connect(world.client, ips[0], 80).returncode != 0


def test_temporary_failure_is_retried_and_recovers(world: World) -> None:
    endpoint_id = world.create_endpoint()["VpcEndpointId"]
    inject(world, endpoint_id, permanent=False, times=3)
    described = world.accept(endpoint_id)  # waits for `available`
    assert "LastError" not in described
    ips = world.eni_ips(described)
    reply = wait_for(lambda: connect(world.client, ips[0], 80).stdout.strip(), 20, "a reply")
    assert reply.startswith("hello ")
