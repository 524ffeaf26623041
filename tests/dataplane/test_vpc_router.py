"""The VPC router with plans made by hand: route tables (policy routing per subnet),
network ACLs (stateless, in rule order, endpoint traffic included), peering links and
privlink's internet (one-to-one NAT at the internet gateway, NAT gateways)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane.linux import router_rules, topology
from privlink.dataplane.linux.internet import INTERNET_COMPUTER
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.plan_checks import validate
from privlink.dataplane.routing import AclRule
from tests.dataplane.conftest import Lab, hello, refused_or_timeout, run_in_ns
from tests.dataplane.router_plans import (
    ALLOW_ALL,
    NAT_IP,
    PEERING,
    PUBLIC_IP,
    acl,
    internet,
    peered,
    with_acl,
)
from tests.dataplane.scenarios import privatelink

dataplane = pytest.mark.dataplane
DENY_HTTP_FROM_2 = (AclRule(90, False, "tcp", "10.0.2.0/24", 80, 80),) + ALLOW_ALL


def test_route_tables_become_rules_and_kernel_tables() -> None:
    router = topology.build(peered()).namespaces["plk-vpc-a0"]
    by_source = {r.src: r.table for r in router.rules if r.src}
    assert set(by_source) == {"10.40.1.0/24", "10.40.2.0/24"}
    assert {r.dst for r in router.rules if r.dst} == {"10.40.0.0/16"}  # local first
    [route] = [r for r in router.routes if r.table == by_source["10.40.1.0/24"]]
    assert route.dst == "10.41.0.0/16" and route.gateway.startswith("169.254.")
    assert not [r for r in router.routes if r.table == by_source["10.40.2.0/24"]]


def test_acl_rules_render_in_order_with_the_deny_at_the_end() -> None:
    rules = (AclRule(200, True, "all", "0.0.0.0/0"), AclRule(300, True, 6, "10.0.0.0/8"))
    chain = router_rules._acl_chain("acl_in_0", (DENY_HTTP_FROM_2[0], *rules), "saddr")
    assert chain[1:-1] == [
        "  ip saddr 10.0.2.0/24 tcp dport 80 drop",
        "  meta nfproto ipv4 return",
        "  ip saddr 10.0.0.0/8 meta l4proto 6 return",
        "  drop",
    ]


def test_a_plan_without_tables_acls_or_edges_leaves_the_router_alone() -> None:
    spec = topology.build(privatelink())
    assert spec.namespaces["plk-vpc-c0"].ruleset is None
    assert not spec.namespaces["plk-vpc-c0"].rules


@dataplane
def test_rulesets_are_valid_nftables(driver: Any) -> None:
    plan = with_acl(
        internet(nat=True, nat_route=True), "subnet-a01", acl(DENY_HTTP_FROM_2, DENY_HTTP_FROM_2)
    )
    assert driver.apply(plan).ok
    peer = with_acl(peered(), "subnet-b02", acl(ALLOW_ALL, ()))
    assert driver.apply(peer).ok


@dataplane
def test_peering_carries_tcp_only_where_both_tables_route_it(driver: Any, lab: Lab) -> None:
    assert driver.apply(peered()).ok
    lab.tcp_server("plk-i-b1", 7000)
    lab.tcp_server("plk-i-b2", 7000)
    assert hello("plk-i-a1", "10.41.1.10", 7000)["peer"][0] == "10.40.1.10"  # no NAT
    # subnet a2's table has no route to the peer; b2's has none back
    assert refused_or_timeout("plk-i-a2", "10.41.1.10", 7000) is not None
    assert refused_or_timeout("plk-i-a1", "10.41.2.10", 7000) is not None
    # one side's route gone: the answers find no way back
    assert driver.apply(peered(b_routes=False)).ok
    assert refused_or_timeout("plk-i-a1", "10.41.1.10", 7000) is not None
    # the peering gone: no link at all
    assert driver.apply(replace(peered(), peerings=())).ok
    links = run_in_ns("plk-vpc-a0", "ip", "-o", "link").stdout
    assert "p@" not in links and PEERING not in links
    assert refused_or_timeout("plk-i-a1", "10.41.1.10", 7000) is not None


@dataplane
def test_acls_cut_endpoint_traffic_in_either_direction(driver: Any, lab: Lab) -> None:
    """i-c2 (subnet c02) reaches the ENI 10.0.1.50 (subnet c01) through the router."""
    base = privatelink(consumer="10.0", provider="10.9", health=None)
    assert driver.apply(base).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    assert hello("plk-i-c2", "10.0.1.50", 80)  # the default ACL allows it
    cases = [
        ("subnet-c01", acl(DENY_HTTP_FROM_2, ALLOW_ALL)),  # into the ENI's subnet
        ("subnet-c02", acl(ALLOW_ALL, ((AclRule(1, False, "all", "10.0.1.50/32"),) + ALLOW_ALL))),
        (
            "subnet-c01",
            acl(ALLOW_ALL, ((AclRule(5, False, "tcp", "10.0.2.0/24", 1024, 65535),) + ALLOW_ALL)),
        ),  # the answers out of the ENI's subnet
        ("subnet-c01", acl((), ())),  # a new ACL: nothing until rules are added
    ]
    for subnet, rules in cases:
        assert driver.apply(with_acl(base, subnet, rules)).ok
        assert refused_or_timeout("plk-i-c2", "10.0.1.50", 80) is not None, (subnet, rules)
    # an allow numbered before the deny wins; within a subnet no ACL applies
    first = (AclRule(10, True, "tcp", "10.0.2.0/24", 80, 80), *DENY_HTTP_FROM_2)
    assert driver.apply(with_acl(base, "subnet-c01", acl(first, ALLOW_ALL))).ok
    assert hello("plk-i-c2", "10.0.1.50", 80)
    assert driver.apply(with_acl(base, "subnet-c01", acl((), ()))).ok
    assert hello("plk-i-c1", "10.0.1.50", 80)


@dataplane
def test_public_addresses_and_nat_gateways_on_privlinks_internet(driver: Any, lab: Lab) -> None:
    assert driver.apply(internet(nat=False, nat_route=False)).ok
    lab.tcp_server("plk-i-a1", 7000)
    computer = lab.tcp_server("plk-inet", 7001)
    # the public instance: reachable at its public address, reaching the internet as it
    assert hello("plk-inet", PUBLIC_IP, 7000)["peer"][0] == INTERNET_COMPUTER
    assert hello("plk-i-a1", INTERNET_COMPUTER, 7001)["peer"][0] == PUBLIC_IP
    # the private instance: no way out without a NAT gateway
    assert refused_or_timeout("plk-i-a2", INTERNET_COMPUTER, 7001) is not None
    assert driver.apply(internet(nat=True, nat_route=False)).ok
    assert refused_or_timeout("plk-i-a2", INTERNET_COMPUTER, 7001) is not None
    assert driver.apply(internet(nat=True, nat_route=True)).ok
    assert hello("plk-i-a2", INTERNET_COMPUTER, 7001)["peer"][0] == NAT_IP
    # nothing starts from the internet towards the NAT gateway or the private instance
    assert refused_or_timeout("plk-inet", NAT_IP, 7001) is not None
    assert len(computer.seen) == 2
    # no internet gateway: nothing in or out
    plan = internet(nat=True, nat_route=True)
    assert driver.apply(replace(plan, vpcs=(replace(plan.vpcs[0], internet_gateway=""),))).ok
    assert refused_or_timeout("plk-inet", PUBLIC_IP, 7000) is not None
    assert refused_or_timeout("plk-i-a1", INTERNET_COMPUTER, 7001) is not None


def test_validation_drops_bad_routing_data() -> None:
    plan = peered()
    bad = replace(plan, peerings=(replace(plan.peerings[0], accepter_vpc="vpc-nope"),))
    assert PEERING in validate(bad) and bad.without(validate(bad)).peerings == ()
    assert validate(DataplanePlan()) == {}
