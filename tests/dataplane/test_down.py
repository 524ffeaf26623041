"""`privlink down` stops a privlink running elsewhere within seconds and leaves nothing of
the data plane behind: no namespace, no daemon, no nftables table, no /etc/netns entry.

The test harness started that privlink and does not reap it while `down` waits: down must
take an exited-but-unreaped process (a zombie) for stopped, not wait out its 60 s.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.linux.procs import marked_processes
from tests.dataplane.world import World, connect, wait_for
from tests.harness import VENV_BIN

pytestmark = pytest.mark.dataplane


def leftovers() -> dict[str, list[str]]:
    """Everything on the host that carries privlink's prefix or marker."""
    spaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    etc = Path("/etc/netns")
    return {
        "namespaces": [s.split()[0] for s in spaces.splitlines() if names.is_ours(s.split()[0])],
        "daemons": sorted(marked_processes().values()),
        "tables": [t for t in tables.splitlines() if names.is_ours(t.split()[-1])],
        "etc": sorted(p.name for p in etc.iterdir() if names.is_ours(p.name))
        if etc.exists()
        else [],
    }


def test_down_stops_privlink_in_seconds_and_leaves_nothing(fresh_server: Any) -> None:
    world = World(fresh_server(extra_args=["--dataplane", "linux"])).build()
    wait_for(world.targets_healthy, 40, "healthy targets")
    endpoint = world.create_endpoint()
    ips = world.eni_ips(endpoint)
    world.accept(endpoint["VpcEndpointId"])
    wait_for(lambda: connect(world.client, ips[0], 80).stdout.startswith("hello"), 20, "traffic")
    before = leftovers()
    assert before["namespaces"] and before["daemons"]

    started = time.monotonic()
    down = subprocess.run(
        [str(VENV_BIN / "privlink"), "down", "--state-dir", str(world.server.state_dir)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    took = time.monotonic() - started
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip() == "privlink stopped"
    assert took < 15, took
    assert world.server.proc is not None and world.server.proc.poll() is not None
    assert leftovers() == {"namespaces": [], "daemons": [], "tables": [], "etc": []}
