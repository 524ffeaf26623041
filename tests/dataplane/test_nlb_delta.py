"""An endpoint joining or leaving an NLB that serves others changes the NLB's namespace by
its delta (linux/delta.py): its ENI's link, routes and rule come or go, the namespace's
other links, routes and rules are not dumped again, traffic of both endpoints flows, and
a whole look afterwards finds nothing to change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.linux import links
from privlink.dataplane.plan import DataplanePlan, EniNet, InstanceNet, SgRule
from tests.dataplane.conftest import Lab, hello, refused_or_timeout, run_in_ns
from tests.dataplane.scenarios import AZ1, open_to, privatelink, two_subnet_vpc

pytestmark = pytest.mark.dataplane

OTHER_ID = "vpce-0e0e0e0e0e0e0e0e1"
OTHER_ENI = "eni-0e1"


def plans() -> tuple[DataplanePlan, DataplanePlan]:
    """(a second consumer VPC without an endpoint, the same with one to the same NLB):
    vpc-e0 is 10.1.0.0/16, i-e1 10.1.1.10, its endpoint's ENI 10.1.1.50."""
    plan = privatelink(health=None)
    vpc = two_subnet_vpc("vpc-e0", "10.1")
    instance = InstanceNet("i-e1", "vpc-e0", "subnet-e01", "10.1.1.10", open_to(vpc.cidr))
    before = replace(plan, vpcs=(*plan.vpcs, vpc), instances=(*plan.instances, instance))
    other = replace(
        plan.endpoints[0],
        endpoint_id=OTHER_ID,
        vpc_id="vpc-e0",
        enis=(EniNet(OTHER_ENI, "subnet-e01", AZ1, "10.1.1.50"),),
        ingress=(SgRule("all", cidrs=(vpc.cidr,)),),
    )
    return before, replace(before, endpoints=(*before.endpoints, other))


def test_an_endpoint_joins_and_leaves_its_nlb_by_its_delta(
    driver: Any, lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = plans()
    assert driver.apply(before).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    nlb = names.nlb_netns(after.nlbs[0].nlb_id)
    dumped: list[str] = []
    whole = links.NamespaceLinks.links

    def watched(self: links.NamespaceLinks) -> dict[str, links.Observed]:
        if self._links is None:
            dumped.append(self.name)
        return whole(self)

    monkeypatch.setattr(links.NamespaceLinks, "links", watched)

    report = driver.apply(after)
    assert report.ok, report.errors
    assert nlb not in dumped  # the other endpoint's ENI link, routes, rule: not looked at
    eni = names.eni_link(OTHER_ENI)
    assert f"{nlb}: route add 10.1.1.0/24 via {eni}" in " ".join(report.changes)
    assert hello("plk-i-e1", "10.1.1.50", 80)["peer"]  # the new endpoint carries traffic
    assert hello("plk-i-c1", "10.0.1.50", 80)["peer"]  # and the one that was there still

    report = driver.apply(before)
    assert report.ok, report.errors
    assert nlb not in dumped
    shown = run_in_ns(nlb, "ip", "-o", "link", "show").stdout
    assert eni not in shown
    slots = names.eni_slots(e.eni_id for ep in after.endpoints for e in ep.enis)
    table = str(names.ROUTE_TABLE_BASE + slots[OTHER_ENI])
    assert not run_in_ns(nlb, "ip", "route", "show", "table", table).stdout.strip()
    assert f"lookup {table}" not in run_in_ns(nlb, "ip", "rule", "show").stdout
    assert refused_or_timeout("plk-i-e1", "10.1.1.50", 80) is not None
    assert hello("plk-i-c1", "10.0.1.50", 80)["peer"]

    monkeypatch.setattr(links.NamespaceLinks, "links", whole)
    driver.settled.forget()  # a whole look at every namespace: the deltas left it right
    report = driver.apply(before)
    assert report.ok, report.errors
    assert not [c for c in report.changes if c.startswith(f"{nlb}:")], report.changes
