"""A zonal outage in the plan (pure): DNS answers lose the failed zone's health-checked
addresses, and the kernel spec silences what lives in that zone."""

from __future__ import annotations

from dataclasses import replace

from privlink.dataplane import names
from privlink.dataplane.alb import AlbNet
from privlink.dataplane.linux import alb_topology, topology
from privlink.dataplane.plan import DataplanePlan, DnsRecord, NlbNode, SecurityRules
from privlink.reconcile import zone_outage
from tests.dataplane import router_plans
from tests.dataplane.scenarios import AZ1, AZ2, NLB_ID, privatelink

REGIONAL = "vpce-1-abc.vpce-svc-1.us-east-1.vpce.amazonaws.com"
ZONAL_1 = "vpce-1-abc-us-east-1a.vpce-svc-1.us-east-1.vpce.amazonaws.com"
ZONAL_2 = "vpce-1-abc-us-east-1b.vpce-svc-1.us-east-1.vpce.amazonaws.com"
RECORDS = (
    DnsRecord(REGIONAL, ("10.0.1.50", "10.0.2.50")),
    DnsRecord(ZONAL_1, ("10.0.1.50",)),
    DnsRecord(ZONAL_2, ("10.0.2.50",)),
    DnsRecord("api.example.com", cname=ZONAL_1),  # an alias of a name that goes away
    DnsRecord("nlb.elb.amazonaws.com", ("10.0.1.100", "10.0.2.100")),
    # An instance's name is not health-checked, even where its address is an ENI's
    # address in another VPC (CIDRs overlap).
    DnsRecord("ip-10-0-1-50.ec2.internal", ("10.0.1.50", "10.0.9.9")),
)


def plan_with_names() -> DataplanePlan:
    plan = privatelink()
    return replace(
        plan,
        vpcs=tuple(replace(v, dns_records=RECORDS) for v in plan.vpcs),
        host_dns=RECORDS,
    )


def answers(records: tuple[DnsRecord, ...]) -> dict[str, tuple[str, ...] | str | None]:
    return {r.name: r.addresses or r.cname for r in records}


def test_no_failed_zone_changes_nothing() -> None:
    plan = plan_with_names()
    assert zone_outage.apply(plan, frozenset()) == plan


def test_failed_zone_addresses_leave_health_checked_names() -> None:
    plan = zone_outage.apply(plan_with_names(), frozenset({AZ1}))
    assert plan.failed_zones == {AZ1}
    expected = {
        REGIONAL: ("10.0.2.50",),
        ZONAL_2: ("10.0.2.50",),
        "nlb.elb.amazonaws.com": ("10.0.2.100",),
        "ip-10-0-1-50.ec2.internal": ("10.0.1.50", "10.0.9.9"),
    }
    for vpc in plan.vpcs:
        assert answers(vpc.dns_records) == expected
    assert answers(plan.host_dns) == expected


def test_every_zone_failed_leaves_no_endpoint_name() -> None:
    plan = zone_outage.apply(plan_with_names(), frozenset({AZ1, AZ2}))
    assert answers(plan.host_dns) == {"ip-10-0-1-50.ec2.internal": ("10.0.1.50", "10.0.9.9")}


def test_kernel_spec_drops_what_lives_in_the_failed_zone() -> None:
    healthy = topology.build(privatelink())
    failed = topology.build(zone_outage.apply(privatelink(), frozenset({AZ1})))
    rulesets = {name: ns.ruleset or "" for name, ns in failed.namespaces.items()}
    before = {name: ns.ruleset or "" for name, ns in healthy.namespaces.items()}
    # i-c1 lives in AZ1: nothing in or out; i-c2 (AZ2) is untouched.
    assert 'iifname "plk-eth0" drop' in rulesets[names.instance_netns("i-c1")]
    assert 'oifname "plk-eth0" drop' in rulesets[names.instance_netns("i-c1")]
    assert rulesets[names.instance_netns("i-c2")] == before[names.instance_netns("i-c2")]
    # The NLB's namespace holds the endpoint's ENIs: AZ1's node and ENI go silent.
    nlb = rulesets[names.nlb_netns(NLB_ID)]
    silenced = nlb.split("chain zone_down_in {")[1].split("}")[0]
    assert names.nlb_node_link(NLB_ID, "subnet-p01") in silenced
    assert names.eni_link("eni-0c1") in silenced
    assert names.eni_link("eni-0c2") not in silenced
    assert "zone_down" not in "".join(before.values())


def test_without_keeps_the_failed_zones() -> None:
    plan = zone_outage.apply(privatelink(), frozenset({AZ2}))
    assert plan.without(["i-c1"]).failed_zones == {AZ2}


def test_alb_nodes_and_nat_gateways_in_the_failed_zone_pass_nothing() -> None:
    alb = AlbNet(
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/0123",
        "vpc-p0",
        (NlbNode("subnet-p01", AZ1, "10.0.1.200"), NlbNode("subnet-p02", AZ2, "10.0.2.200")),
        SecurityRules(),
    )
    with_alb = replace(privatelink(), albs=(alb,))
    spec = topology.build(zone_outage.apply(with_alb, frozenset({AZ1})))
    ruleset = spec.namespaces[alb_topology.alb_netns(alb.alb_id)].ruleset or ""
    assert f'iifname "{names.link(alb.alb_id + "|subnet-p01", "an")}" drop' in ruleset
    assert names.link(alb.alb_id + "|subnet-p02", "an") not in ruleset

    nat_plan = router_plans.internet(nat=True, nat_route=True)
    nat_zone = nat_plan.vpcs[0].subnet("subnet-a01").az
    healthy = topology.build(nat_plan).namespaces[names.nat_netns("nat-0a1")].ruleset or ""
    failed = topology.build(zone_outage.apply(nat_plan, frozenset({nat_zone})))
    nat = failed.namespaces[names.nat_netns("nat-0a1")].ruleset or ""
    assert "zone_down" not in healthy
    assert 'iifname "plk-eth0" drop' in nat and 'oifname "plk-eth0" drop' in nat
