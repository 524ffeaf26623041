"""VPCs and instances in real namespaces: reachability, the VPC resolver, security groups,
user data. Clients run inside instance namespaces; nothing leaves the host's namespaces."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane.plan import (
    DataplanePlan,
    DnsRecord,
    InstanceNet,
    SecurityRules,
    SgRule,
)
from tests.dataplane.conftest import (
    Lab,
    hello,
    refused_or_timeout,
    run_in_ns,
)
from tests.dataplane.scenarios import open_to, two_subnet_vpc
from tests.harness import wait_until

pytestmark = pytest.mark.dataplane

RECORDS = (
    DnsRecord("svc.example.internal", ("10.0.1.50", "10.0.2.50")),
    DnsRecord("alias.example.internal", cname="svc.example.internal"),
)


def one_vpc(*instances: InstanceNet, records: tuple[DnsRecord, ...] = RECORDS) -> DataplanePlan:
    return DataplanePlan((two_subnet_vpc("vpc-a0", "10.0", records),), instances)


def inst(instance_id: str, ip: str, subnet: str = "subnet-a01", **kwargs: Any) -> InstanceNet:
    kwargs.setdefault("security", open_to("10.0.0.0/16"))
    return InstanceNet(instance_id, "vpc-a0", subnet, ip, **kwargs)


def dig(ns: str, *args: str) -> str:
    result = run_in_ns(ns, "dig", "+time=2", "+tries=1", *args)
    return result.stdout


def test_instances_reach_each_other_in_and_across_subnets(driver: Any, lab: Lab) -> None:
    plan = one_vpc(
        inst("i-a1", "10.0.1.10"),
        inst("i-a2", "10.0.1.11"),
        inst("i-a3", "10.0.2.10", subnet="subnet-a02"),
    )
    assert driver.apply(plan).ok
    ping = run_in_ns("plk-i-a1", "ping", "-c", "1", "-W", "2", "10.0.1.11")
    assert ping.returncode == 0, ping.stdout + ping.stderr
    lab.tcp_server("plk-i-a2", 7000)
    assert hello("plk-i-a1", "10.0.1.11", 7000)["peer"][0] == "10.0.1.10"
    lab.tcp_server("plk-i-a3", 7000)
    assert hello("plk-i-a1", "10.0.2.10", 7000)["peer"][0] == "10.0.1.10"  # routed, no NAT
    assert (
        driver.exec_in_instance("i-a1", ["ip", "-4", "-o", "addr", "show", "plk-eth0"], timeout=5)
        .stdout.decode()
        .count("10.0.1.10/24")
        == 1
    )


def test_resolver_answers_at_base_plus_two_and_link_local(driver: Any) -> None:
    assert driver.apply(one_vpc(inst("i-a1", "10.0.1.10"))).ok
    for server in ("10.0.0.2", "169.254.169.253"):
        answer = dig("plk-i-a1", f"@{server}", "+short", "svc.example.internal")
        assert sorted(answer.split()) == ["10.0.1.50", "10.0.2.50"]
        nx = dig("plk-i-a1", f"@{server}", "nothing.example.internal")
        assert "status: NXDOMAIN" in nx
    # the instance's resolv.conf points at the VPC resolver
    answer = dig("plk-i-a1", "+short", "alias.example.internal")
    assert answer.split()[0] == "svc.example.internal."
    assert sorted(answer.split()[1:]) == ["10.0.1.50", "10.0.2.50"]


def test_resolver_picks_up_new_records(driver: Any) -> None:
    assert driver.apply(one_vpc(inst("i-a1", "10.0.1.10"))).ok
    records = (*RECORDS, DnsRecord("new.example.internal", ("10.0.1.77",)))
    report = driver.apply(one_vpc(inst("i-a1", "10.0.1.10"), records=records))
    assert any("dnsmasq" in c and "reload" in c for c in report.changes), report.changes
    wait_until(
        lambda: dig("plk-i-a1", "+short", "new.example.internal").strip() == "10.0.1.77",
        timeout=5,
        message="new record",
    )
    no_dns = replace(
        one_vpc(inst("i-a1", "10.0.1.10")),
        vpcs=(replace(two_subnet_vpc("vpc-a0", "10.0"), resolver_enabled=False),),
    )
    assert driver.apply(no_dns).ok
    assert "status: NOERROR" not in dig("plk-i-a1", "@10.0.0.2", "svc.example.internal")


def test_a_resolver_killed_by_hand_is_started_again_by_the_next_apply(driver: Any) -> None:
    plan = one_vpc(inst("i-a1", "10.0.1.10"))
    assert driver.apply(plan).ok
    assert driver.apply(plan).changes == []  # an unchanged resolver is left alone
    key = driver.dns.key("vpc-a0")
    pid = driver.procs.pid(key)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: driver.procs.pid(key) is None, 5, 0.02, "the resolver to die")
    report = driver.apply(plan)
    assert "dnsmasq vpc-a0: start" in report.changes, report.changes
    answer = dig("plk-i-a1", "+short", "svc.example.internal")
    assert sorted(answer.split()) == ["10.0.1.50", "10.0.2.50"]


def test_security_groups_filter_statefully(driver: Any, lab: Lab) -> None:
    ssh_only = SecurityRules(ingress=(SgRule("tcp", 22, 22, ("10.0.1.10/32",)),))
    no_egress = SecurityRules(ingress=(SgRule("all", cidrs=("10.0.0.0/16",)),), egress=())
    plan = one_vpc(
        inst("i-a1", "10.0.1.10"),
        inst("i-a2", "10.0.1.11", security=ssh_only),
        inst("i-a3", "10.0.1.12", security=no_egress),
        inst("i-a4", "10.0.1.13"),
    )
    assert driver.apply(plan).ok
    for port in (22, 8080):
        lab.tcp_server("plk-i-a2", port)
    assert hello("plk-i-a1", "10.0.1.11", 22)["peer"][0] == "10.0.1.10"  # allowed
    assert refused_or_timeout("plk-i-a1", "10.0.1.11", 8080) == "timeout"  # port not allowed
    assert refused_or_timeout("plk-i-a4", "10.0.1.11", 22) == "timeout"  # source not allowed
    ping = run_in_ns("plk-i-a1", "ping", "-c", "1", "-W", "1", "10.0.1.11")
    assert ping.returncode != 0  # no ICMP rule
    # egress: i-a3 may not open connections, but still answers (stateful) and uses DNS
    lab.tcp_server("plk-i-a3", 9000)
    lab.tcp_server("plk-i-a4", 9000)
    assert hello("plk-i-a1", "10.0.1.12", 9000)["peer"][0] == "10.0.1.10"
    assert refused_or_timeout("plk-i-a3", "10.0.1.13", 9000) in (
        "timeout",
        "unreachable (Operation not permitted)",
    )
    assert dig("plk-i-a3", "+short", "svc.example.internal").split()
    # opening the port later takes effect on re-apply
    opened = SecurityRules(
        ingress=(
            SgRule("tcp", 22, 22, ("10.0.1.10/32",)),
            SgRule("tcp", 8000, 8100, ("10.0.0.0/16",)),
        )
    )
    plan = replace(
        plan,
        instances=(
            plan.instances[0],
            replace(plan.instances[1], security=opened),
            *plan.instances[2:],
        ),
    )
    assert driver.apply(plan).ok
    assert hello("plk-i-a4", "10.0.1.11", 8080)["peer"][0] == "10.0.1.13"


def test_user_data_runs_once_at_boot(driver: Any) -> None:
    script = "#!/bin/sh\necho booted-$(ip -4 -o addr show plk-eth0 | awk '{print $4}')\n"
    plan = one_vpc(inst("i-a1", "10.0.1.10", user_data=script))
    assert driver.apply(plan).ok
    log = driver.instance_dir("i-a1") / "user-data.log"
    wait_until(
        lambda: log.exists() and "booted-10.0.1.10/24" in log.read_text(),
        timeout=5,
        message="user data output",
    )
    assert driver.apply(plan).changes == []
    assert log.read_text().count("booted") == 1
