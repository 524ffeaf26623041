"""Public names live in one shared hosts file that every VPC resolver reads.

A public name that appears after a VPC's resolver runs (an endpoint created later, in
another VPC) is answered there at once, by a reload, never a restart (AWS's resolver never
goes away); a CNAME to it is followed. A name one VPC answers itself (here an interface
endpoint's private DNS name over S3's public one) keeps that VPC's answer alone there,
while every other VPC gets the public answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.plan import DataplanePlan, DnsRecord, InstanceNet
from tests.dataplane.conftest import run_in_ns
from tests.dataplane.scenarios import open_to, two_subnet_vpc

pytestmark = pytest.mark.dataplane

S3 = "s3.us-east-1.amazonaws.com"
REGIONAL = "vpce-0a1-abc.vpce-svc-0b2.us-east-1.vpce.amazonaws.com"
ALIAS = "web.airflow.example.com"


def plan(*public: DnsRecord) -> DataplanePlan:
    a = two_subnet_vpc("vpc-a0", "10.0", (DnsRecord(S3, ("10.0.2.60",)),))
    b = two_subnet_vpc("vpc-b0", "10.1")
    instances = (
        InstanceNet("i-a1", "vpc-a0", "subnet-a01", "10.0.1.10", open_to(a.cidr)),
        InstanceNet("i-b1", "vpc-b0", "subnet-b01", "10.1.1.10", open_to(b.cidr)),
    )
    records = (DnsRecord(S3, ("52.216.0.5",)), *public)
    return DataplanePlan((a, b), instances, public_dns=tuple(sorted(records, key=lambda r: r.name)))


def dig(instance: str, resolver: str, name: str) -> list[str]:
    argv = ("dig", "+time=1", "+tries=2", "+short", f"@{resolver}", name)
    return sorted(run_in_ns(names.instance_netns(instance), *argv).stdout.split())


def test_a_new_public_name_is_answered_in_a_running_vpc_without_restart(driver: Any) -> None:
    assert driver.apply(plan()).ok
    fronts = {v: driver.procs.pid(driver.dns.key(v)) for v in ("vpc-a0", "vpc-b0")}
    assert all(fronts.values())
    assert dig("i-b1", "10.1.0.2", REGIONAL) == []

    endpoint = DnsRecord(REGIONAL, ("10.0.1.50", "10.0.2.50"))
    report = driver.apply(plan(endpoint))  # a plain A record: only the shared file changes
    assert report.ok, report.errors
    assert dig("i-b1", "10.1.0.2", REGIONAL) == ["10.0.1.50", "10.0.2.50"]
    assert dig("i-a1", "169.254.169.253", REGIONAL) == ["10.0.1.50", "10.0.2.50"]
    assert {v: driver.procs.pid(driver.dns.key(v)) for v in fronts} == fronts  # reloaded
    # one file holds the name, not each VPC's own
    assert REGIONAL in driver.dns.public_path.read_text()
    assert REGIONAL not in (driver.state_dir / "vpc" / "vpc-b0" / "hosts").read_text()

    report = driver.apply(plan(endpoint, DnsRecord(ALIAS, cname=REGIONAL)))
    assert report.ok, report.errors
    assert dig("i-b1", "10.1.0.2", ALIAS) == ["10.0.1.50", "10.0.2.50", f"{REGIONAL}."]
    assert {v: driver.procs.pid(driver.dns.key(v)) for v in fronts} == fronts

    assert dig("i-a1", "10.0.0.2", S3) == ["10.0.2.60"]  # A's own answer, nothing merged
    assert dig("i-b1", "10.1.0.2", S3) == ["52.216.0.5"]

    report = driver.apply(plan())  # the endpoint goes: its names with it
    assert report.ok, report.errors
    assert dig("i-b1", "10.1.0.2", REGIONAL) == []
    assert {v: driver.procs.pid(driver.dns.key(v)) for v in fronts} == fronts

    driver.teardown()
    assert not driver.dns.public_path.exists()
