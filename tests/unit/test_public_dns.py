"""Public DNS names (plan.public_dns) in the Linux driver's spec (pure): plain A records no
VPC answers itself go to the one shared hosts file; a name some VPC overrides, CNAMEs and
wildcards go to each VPC's own resolver files, so every VPC answers exactly what it did
when every public name was copied into it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from privlink.dataplane.linux import public_dns, topology
from privlink.dataplane.linux.dnsmasq import records_hosts, render_conf
from privlink.dataplane.plan import DataplanePlan, DnsRecord
from privlink.reconcile import zone_outage
from tests.dataplane.scenarios import AZ1, privatelink, two_subnet_vpc

REGIONAL = DnsRecord("vpce-1.vpce-svc-1.us-east-1.vpce.amazonaws.com", ("10.0.1.50",))
ZONAL = DnsRecord("vpce-1-us-east-1a.vpce-svc-1.us-east-1.vpce.amazonaws.com", ("10.0.1.50",))
S3 = DnsRecord("s3.us-east-1.amazonaws.com", ("52.216.0.5",))
S3_PRIVATE = DnsRecord("s3.us-east-1.amazonaws.com", ("10.0.2.60",))  # A's endpoint
WEB = DnsRecord("web.airflow.example.com", cname=REGIONAL.name)
WILD = DnsRecord("vpce-2.s3.us-east-1.vpce.amazonaws.com", ("10.0.2.70",), wildcard=True)
PUBLIC = tuple(sorted((REGIONAL, ZONAL, S3, WEB, WILD), key=lambda r: r.name))


def two_vpcs(*, a_resolver: bool = True) -> DataplanePlan:
    a = replace(two_subnet_vpc("vpc-a0", "10.0", (S3_PRIVATE,)), resolver_enabled=a_resolver)
    b = two_subnet_vpc("vpc-b0", "10.1")
    return DataplanePlan((a, b), public_dns=PUBLIC)


def lines(hosts: str) -> set[str]:
    return set(hosts.splitlines())


def test_a_plain_public_name_goes_to_the_shared_file_only() -> None:
    spec = topology.build(two_vpcs())
    assert lines(spec.public_hosts) == {f"10.0.1.50 {REGIONAL.name}", f"10.0.1.50 {ZONAL.name}"}
    for vpc in ("vpc-a0", "vpc-b0"):
        assert REGIONAL.name not in spec.dns[vpc].hosts
        assert spec.dns[vpc].shared_hosts


def test_a_public_name_one_vpc_overrides_stays_in_each_vpc() -> None:
    spec = topology.build(two_vpcs())
    assert S3.name not in spec.public_hosts  # dnsmasq would merge it into A's own answer
    assert lines(spec.dns["vpc-a0"].hosts) == {f"10.0.2.60 {S3.name}"}
    assert lines(spec.dns["vpc-b0"].hosts) == {f"52.216.0.5 {S3.name}"}


def test_an_override_in_a_vpc_without_resolver_does_not_count() -> None:
    spec = topology.build(two_vpcs(a_resolver=False))
    assert f"52.216.0.5 {S3.name}" in lines(spec.public_hosts)
    assert "vpc-a0" not in spec.dns
    assert spec.dns["vpc-b0"].hosts == ""


def test_cnames_and_wildcards_stay_in_each_vpc() -> None:
    spec = topology.build(two_vpcs())
    assert WEB.name not in spec.public_hosts and WILD.name not in spec.public_hosts
    for vpc in ("vpc-a0", "vpc-b0"):
        assert spec.dns[vpc].cnames == ((WEB.name, REGIONAL.name),)
        assert spec.dns[vpc].wildcards == ((WILD.name, WILD.addresses),)


def test_the_back_holds_a_cname_target_that_lives_in_the_shared_file() -> None:
    dns = topology.build(two_vpcs()).dns["vpc-b0"]
    assert records_hosts(dns) == f"10.0.1.50 {REGIONAL.name}\n"


def test_a_vpc_record_wins_over_the_public_one_as_a_cname_target() -> None:
    own = DnsRecord(REGIONAL.name, ("10.0.2.99",))
    plan = two_vpcs()
    plan = replace(plan, vpcs=(replace(plan.vpcs[0], dns_records=(own,)), plan.vpcs[1]))
    spec = topology.build(plan)
    assert records_hosts(spec.dns["vpc-a0"]) == f"10.0.2.99 {REGIONAL.name}\n"
    assert records_hosts(spec.dns["vpc-b0"]) == f"10.0.1.50 {REGIONAL.name}\n"
    assert REGIONAL.name not in spec.public_hosts


def test_split_keeps_every_public_record_exactly_once() -> None:
    names = public_dns.split(two_vpcs())
    assert sorted(names.shared + names.per_vpc, key=lambda r: r.name) == list(PUBLIC)
    assert not set(names.shared) & set(names.per_vpc)


def test_only_a_vpc_front_reads_the_shared_file(tmp_path: Path) -> None:
    root = tmp_path
    plan = replace(two_vpcs(), host_dns_port=4553, host_dns=(REGIONAL,))
    spec = topology.build(plan)
    shared = root / "public.hosts"
    vpc_conf = render_conf(spec.dns["vpc-b0"], root / "h", root / "l", None, None, shared)
    host_conf = render_conf(spec.dns["host-resolver"], root / "h", root / "l", None, None, shared)
    assert f"addn-hosts={shared}" in vpc_conf.splitlines()
    assert f"addn-hosts={shared}" not in host_conf.splitlines()


def test_a_zone_outage_trims_public_names_and_cnames_to_them_in_each_vpc() -> None:
    plan = privatelink()
    alias = DnsRecord("api.example.com", cname=ZONAL.name)  # private DNS: a CNAME
    consumer = replace(plan.vpcs[0], dns_records=(alias,))
    plan = replace(plan, vpcs=(consumer, *plan.vpcs[1:]), public_dns=(REGIONAL, ZONAL))
    down = zone_outage.apply(plan, frozenset({AZ1}))
    assert down.public_dns == ()  # both answered with the AZ1 ENI only
    assert down.vpcs[0].dns_records == ()
