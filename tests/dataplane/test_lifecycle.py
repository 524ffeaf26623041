"""Driver lifecycle: idempotent apply, orphan sweep, removal, teardown leaves nothing."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.linux import netns, proxy_header
from tests.dataplane.conftest import Lab, connect, hello, read_line, run_in_ns
from tests.dataplane.scenarios import privatelink

pytestmark = pytest.mark.dataplane


def ours_everywhere() -> dict[str, list[str]]:
    """Every trace of the prefix on the host: namespaces, host links and tables, files."""
    links = subprocess.run(
        ["ip", "-o", "link", "show"], capture_output=True, text=True, check=True
    ).stdout
    tables = subprocess.run(
        ["nft", "list", "tables"], capture_output=True, text=True, check=True
    ).stdout
    etc = [p.name for p in netns.ETC_DIR.glob("plk*")] if netns.ETC_DIR.exists() else []
    bpf = [p.name for p in proxy_header.BPFFS.glob("plk*")] if proxy_header.BPFFS.exists() else []
    return {
        "netns": [n for n in netns.list_names() if names.is_ours(n)],
        "links": [
            line.split(":")[1].strip()
            for line in links.splitlines()
            if line.split(":")[1].strip().startswith("plk")
        ],
        "tables": [t for t in tables.splitlines() if t.split()[-1].startswith("plk")],
        "etc": etc,
        "bpf": bpf,
    }


def test_reapply_changes_nothing(driver: Any, lab: Lab) -> None:
    plan = privatelink(listeners=(("tcp", 80, 8080), ("udp", 53, 53)), health=None)
    first = driver.apply(plan)
    assert first.ok and first.changes
    second = driver.apply(plan)
    assert second.ok and second.changes == []
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
    # a fresh driver on the same state finds everything in place (restart recovery)
    from privlink.dataplane.linux import LinuxDriver

    again = LinuxDriver(driver.state_dir)
    try:
        assert again.apply(plan).changes == []
    finally:
        again.close()


def test_proxy_endpoint_reapply_and_restart_change_nothing(driver: Any, lab: Lab) -> None:
    """A PROXY v2 endpoint applied again changes nothing; a fresh driver on the same state
    (a restart) neither: the pinned program and its flows stay, so a flow opened before
    goes on and a new one gets its header."""
    plan = privatelink(proxy_protocol=True, health=None)
    assert driver.apply(plan).ok
    assert driver.apply(plan).changes == []
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=True)
    before = connect("plk-i-c1", "10.0.1.50", 80)
    assert json.loads(read_line(before))["proxy"]["command"] == "PROXY"
    driver.close()
    from privlink.dataplane.linux import LinuxDriver

    again = LinuxDriver(driver.state_dir)
    try:
        assert again.apply(plan).changes == []
        before.sendall(b"still here\n")
        assert read_line(before) == b"still here\n"
        assert hello("plk-i-c1", "10.0.1.50", 80)["proxy"]["src"][0] == "10.0.1.10"
    finally:
        before.close()
        again.close()


def test_orphans_are_swept(driver: Any) -> None:
    plan = privatelink(health=None)
    assert driver.apply(plan).ok
    router = names.vpc_netns("vpc-c0")
    netns.create("plk-vpc-stray")
    stray_link = run_in_ns(router, "ip", "link", "add", "plkdeadbeefbr", "type", "bridge")
    assert stray_link.returncode == 0, stray_link.stderr
    stray_table = run_in_ns(router, "nft", "add", "table", "ip", "plkstray")
    assert stray_table.returncode == 0
    driver.resync()  # tables inside known namespaces are re-observed on a full resync
    report = driver.apply(plan)
    assert "netns del plk-vpc-stray" in report.changes
    assert not netns.exists("plk-vpc-stray")
    links = run_in_ns(router, "ip", "-o", "link").stdout
    assert "plkdeadbeefbr" not in links
    assert "plkstray" not in run_in_ns(router, "nft", "list", "tables").stdout
    assert driver.apply(plan).changes == []


def test_anything_of_ours_in_the_host_namespace_is_removed(driver: Any) -> None:
    """A link or nftables table with our prefix in the host's namespace (left by a crash
    of an older version, or made by hand) is deleted by the next apply. The ones made here
    are inert: a bridge with no port that stays down with no address, an empty table."""
    made = [
        ["ip", "link", "add", "plkstrayhost", "type", "bridge"],
        ["nft", "add", "table", "inet", "plkstrayhost"],
    ]
    try:
        for argv in made:
            subprocess.run(argv, check=True, capture_output=True)
        assert ours_everywhere()["links"] == ["plkstrayhost"]
        report = driver.apply(privatelink(health=None))
        assert "host: link del plkstrayhost" in report.changes
        assert "host: delete table inet plkstrayhost" in report.changes
        assert ours_everywhere()["links"] == [] and ours_everywhere()["tables"] == []
    finally:  # whatever the outcome, nothing stays on the host
        subprocess.run(["ip", "link", "del", "plkstrayhost"], capture_output=True)
        subprocess.run(["nft", "delete", "table", "inet", "plkstrayhost"], capture_output=True)


def test_removed_resources_disappear(driver: Any) -> None:
    plan = privatelink(health=None)
    assert driver.apply(plan).ok
    port = names.instance_port("i-c2")
    router = names.vpc_netns("vpc-c0")
    assert port in run_in_ns(router, "ip", "-o", "link").stdout
    smaller = replace(plan, instances=plan.instances[:1] + plan.instances[2:], endpoints=())
    report = driver.apply(smaller)
    assert report.ok
    assert not netns.exists("plk-i-c2")
    assert not (netns.ETC_DIR / "plk-i-c2").exists()
    links = run_in_ns(router, "ip", "-o", "link").stdout
    assert port not in links and names.eni_port("eni-0c1") not in links
    nlb = names.nlb_netns(plan.nlbs[0].nlb_id)
    assert names.eni_link("eni-0c1") not in run_in_ns(nlb, "ip", "-o", "link").stdout
    rules = run_in_ns(nlb, "ip", "rule").stdout
    assert rules.count("fwmark") == 3, rules  # the provider's, local and unmarked: no ENI's


def test_exec_in_instance_and_missing_instance(driver: Any) -> None:
    assert driver.apply(privatelink(health=None)).ok
    out = driver.exec_in_instance("i-c1", ["cat", "/etc/resolv.conf"], timeout=5)
    assert out.stdout.decode().strip() == "nameserver 10.0.0.2"
    assert driver.instance_netns("i-c1") == "plk-i-c1"
    assert driver.instance_netns("i-nope") is None
    with pytest.raises(KeyError):
        driver.exec_in_instance("i-nope", ["true"])


def test_teardown_leaves_no_trace(tmp_path: Path) -> None:
    from privlink.dataplane.linux import LinuxDriver

    drv = LinuxDriver(tmp_path / "state")
    try:
        plan = privatelink(proxy_protocol=True)
        plan = replace(
            plan,
            instances=(replace(plan.instances[0], user_data="sleep 600\n"), *plan.instances[1:]),
        )
        assert drv.apply(plan).ok
        pids = [drv.procs.pid(k) for k in drv.procs.keys()]
        assert len(pids) == 3  # dnsmasq in both VPCs, i-c1's user data (no proxy: PROXY v2
        # headers are the kernel's, and their program is pinned)
        assert [p.name for p in proxy_header.BPFFS.glob("plk*")]
    finally:
        drv.teardown()
    assert ours_everywhere() == {"netns": [], "links": [], "tables": [], "etc": [], "bpf": []}
    for pid in pids:
        assert (
            pid is None
            or not os.path.exists(f"/proc/{pid}/cmdline")
            or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z"
        )


def test_a_fresh_driver_adopts_the_counting_tables(driver: Any, lab: Lab) -> None:
    """A restart keeps counting where it was: a new driver on the same state adopts the
    endpoint's flow-counting table (no change), reports no flow the old one already
    reported, and reports the flows that come after."""
    plan = replace(privatelink(health=None), flow_logged=("eni-0c1",))
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)

    def talk() -> int:
        """One connection from the consumer to the endpoint's ENI; its source port."""
        with connect("plk-i-c1", "10.0.1.50", 80, 3.0) as sock:
            read_line(sock)
            return int(sock.getsockname()[1])

    def inbound(observer: Any) -> set[int]:
        """Source ports of the flows counted arriving at the ENI since the last look."""
        return {
            f.sport
            for f in observer.observe().flows
            if f.eni_id == "eni-0c1" and f.dst == "10.0.1.50" and f.dport == 80
        }

    first = talk()
    assert first in inbound(driver)
    from privlink.dataplane.linux import LinuxDriver

    again = LinuxDriver(driver.state_dir)
    try:
        assert again.apply(plan).changes == []
        assert inbound(again) == set()  # counted before it began: not reported again
        second = talk()
        assert inbound(again) == {second}
    finally:
        again.close()
