"""The subnet shortcut (linux/subnet_shortcut.bpf.c): frames between two known hosts of a
subnet skip the VPC router's bridge; nothing else changes."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.linux import LinuxDriver, bpfsys, netns, subnet_shortcut
from tests.dataplane.conftest import Lab, connect, hello, read_line, run_in_ns
from tests.dataplane.scenarios import privatelink
from tests.dataplane.test_endpoint import echo_bulk

pytestmark = pytest.mark.dataplane
MIB = 1 << 20


def tx_bytes(ns: str, link: str) -> int:
    """What the router's end of a veth sent: frames the bridge forwarded to its port."""
    out = run_in_ns(ns, "ip", "-s", "-j", "link", "show", link)
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)[0]["stats64"]["tx"]["bytes"])


def test_endpoint_traffic_goes_past_the_bridges(driver: Any, lab: Lab) -> None:
    """16 MiB through the endpoint and back, intact, while the router ports of the ENI
    (consumer side) and of the target (provider side) send almost none of it: the frames
    went from port to port without the bridge. Across subnets the router still routes."""
    assert driver.apply(privatelink(health=None)).ok
    consumer, provider = names.vpc_netns("vpc-c0"), names.vpc_netns("vpc-p0")
    ports: tuple[tuple[str, str], ...] = (
        (consumer, names.eni_port("eni-0c1")),
        (consumer, names.instance_port("i-c1")),
    )
    ports += ((provider, names.instance_port("i-p1")), (provider, names.instance_port("i-p2")))
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    before = [tx_bytes(ns, link) for ns, link in ports]
    payload = bytes(range(251)) * (64 * 1024 + 7)  # ~16 MiB
    with connect("plk-i-c1", "10.0.1.50", 80, timeout=10) as sock:
        assert read_line(sock)
        assert echo_bulk(sock, payload, secs=60) == payload
    sent = [tx_bytes(ns, link) - b for (ns, link), b in zip(ports, before, strict=True)]
    assert max(sent) < MIB, sent  # ARP and the like; 16 MiB each way went past
    # i-c1 (subnet 1) to i-c2 (subnet 2): routed by the VPC router, as before
    lab.tcp_server("plk-i-c2", 9000)
    assert hello("plk-i-c1", "10.0.2.10", 9000)["peer"][0] == "10.0.1.10"


def test_a_restart_keeps_the_shortcut_and_writes_nothing(tmp_path: Path, lab: Lab) -> None:
    """The program and its maps are pinned: a new driver on the same state that looks at
    every namespace finds the maps as wanted (no entry written) and traffic takes the
    shortcut on; teardown removes the pins."""
    drv = LinuxDriver(tmp_path / "state")
    plan = privatelink(health=None)
    try:
        assert any("subnet shortcut" in c for c in drv.apply(plan).changes)
        drv.close()
        drv = LinuxDriver(tmp_path / "state")
        drv.resync()  # look at every namespace, as after a crash
        report = drv.apply(plan)
        written = [c for c in report.changes if c.split(": ")[-1].startswith("subnet shortcut ")]
        assert report.ok and not written, written  # attaching again is no change of entries
        lab.tcp_server("plk-i-p1", 8080)
        lab.tcp_server("plk-i-p2", 8080)
        port = (names.vpc_netns("vpc-c0"), names.eni_port("eni-0c1"))
        before = tx_bytes(*port)
        assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
        assert tx_bytes(*port) - before < 4096
    finally:
        drv.teardown()
    assert not list(Path("/sys/fs/bpf").glob("plk-subnet-shortcut-*"))


def test_a_router_left_without_pairs_keeps_no_entries(driver: Any) -> None:
    """Without the endpoint, each consumer subnet holds one instance: nothing to serve,
    and the entries the router held are deleted (a port's ifindex may come back on
    another link, in another subnet)."""
    plan = privatelink(health=None)
    assert driver.apply(plan).ok
    router = names.vpc_netns("vpc-c0")
    cookie = netns.run_in(router, lambda: subnet_shortcut.netns_cookie(socket.socket()))

    def held() -> int:
        fd = driver.shortcuts.fds["hosts"]
        keys = bpfsys.keys(fd, subnet_shortcut._HOST.size)
        return sum(int.from_bytes(k[:8], "little") == cookie for k in keys)

    assert held() == 4  # i-c1 and its ENI, i-c2 and its ENI
    assert driver.apply(replace(plan, endpoints=())).ok
    assert held() == 0
