"""Restart rebuilds the network from the store; a clean stop removes everything it made."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

import pytest

from tests.dataplane.world import World, connect, wait_for

pytestmark = pytest.mark.dataplane


def plk_namespaces() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.startswith("plk")}


def root_routes() -> str:
    return subprocess.run(["ip", "-4", "route", "show"], capture_output=True, text=True).stdout


def test_sigkill_restart_rebuilds_and_ctrl_c_cleans_up(fresh_server: Any) -> None:
    routes_before = root_routes()
    world = World(fresh_server(extra_args=["--dataplane", "linux"])).build()
    wait_for(world.targets_healthy, 40, "healthy targets")
    endpoint = world.create_endpoint()
    ips = world.eni_ips(endpoint)
    world.accept(endpoint["VpcEndpointId"])
    wait_for(
        lambda: connect(world.client, ips[0], 80).stdout.startswith("hello"),
        20,
        "traffic before the crash",
    )
    built = plk_namespaces()
    assert built

    world.server.stop(signal.SIGKILL)  # a crash: the kernel state stays behind
    subprocess.run(["ip", "netns", "add", "plk-vpc-0ffffffffffffffff"], check=True)  # an orphan
    world.server.start()
    wait_for(lambda: "plk-vpc-0ffffffffffffffff" not in plk_namespaces(), 30, "the orphan sweep")
    assert wait_for(
        lambda: connect(world.client, ips[0], 80).stdout.startswith("hello"),
        30,
        "traffic after the restart",
    )
    assert plk_namespaces() == built

    world.server.stop(signal.SIGINT)  # Ctrl-C: everything privlink made goes away
    assert plk_namespaces() == set()
    assert root_routes() == routes_before
