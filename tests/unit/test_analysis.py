"""The Reachability Analyzer's pure verdicts on small hand-made plans: the cases the
kernel property test (tests/dataplane/test_analyzer_vs_kernel.py) does not draw."""

from __future__ import annotations

from dataclasses import replace

from privlink.dataplane import plan as p
from privlink.dataplane import routing as r
from privlink.dataplane.analysis import Flow, Index, Verdict, analyze

OPEN = p.SecurityRules(
    (p.SgRule("all", group_id="sg-open"),), (p.SgRule("all", group_id="sg-open"),)
)
A, B = "us-east-1a", "us-east-1b"


def vpc(n: int, routes: tuple[r.RouteNet, ...] = (), igw: str = "") -> p.VpcNet:
    subnets = tuple(
        p.SubnetNet(f"subnet-{n}{z}", f"10.{n}.{z + 1}.0/24", zone, f"rtb-{n}")
        for z, zone in enumerate((A, B))
    )
    return p.VpcNet(f"vpc-{n}", f"10.{n}.0.0/16", subnets,
                    route_tables=(r.RouteTableNet(f"rtb-{n}", routes),),
                    internet_gateway=igw)  # fmt: skip


def host(name: str, n: int, zone: int, last: int, rules: p.SecurityRules = OPEN) -> p.InstanceNet:
    return p.InstanceNet(f"i-{name}", f"vpc-{n}", f"subnet-{n}{zone}", f"10.{n}.{zone + 1}.{last}",
                         rules, eni_id=f"eni-{name}", groups=("sg-open",))  # fmt: skip


def service_plan(cross_zone: bool = False) -> p.DataplanePlan:
    """Consumer VPC 1 (client in a, endpoint ENIs in a and b) -> NLB in VPC 2, target in a."""
    group = p.TargetGroupNet("tg", "tcp", (p.Target("10.2.1.20", 8080, A),), cross_zone=cross_zone)
    nlb = p.NlbNet("arn:nlb", "vpc-2", (p.NlbNode("subnet-20", A, "10.2.1.50"),
                                        p.NlbNode("subnet-21", B, "10.2.2.50")),
                   (p.NlbListener("tcp", 80, group),))  # fmt: skip
    enis = (
        p.EniNet("eni-ea", "subnet-10", A, "10.1.1.5"),
        p.EniNet("eni-eb", "subnet-11", B, "10.1.2.5"),
    )
    web = (p.SgRule("tcp", 80, 80, ("10.1.0.0/16",), "sg-e"),)
    endpoint = p.EndpointNet("vpce-1", "vpc-1", "arn:nlb", enis, web, state="available",
                             service_id="vpce-svc-1")  # fmt: skip
    return p.DataplanePlan((vpc(1), vpc(2)), (host("client", 1, 0, 10), host("target", 2, 0, 20)),
                           (nlb,), (endpoint,))  # fmt: skip


def test_endpoint_nlb_target_path_and_its_components() -> None:
    verdict = analyze(service_plan(), Flow("i-client", "eni-ea", "tcp", 80))
    assert verdict.reachable
    kinds = [h.component.kind for h in verdict.forward]
    assert kinds[:3] == ["instance", "network-interface", "security-group"]
    assert {"vpc-endpoint", "load-balancer", "target-group"} <= set(kinds)
    assert verdict.forward[-1].component.id == "i-target"


def test_listener_and_zone_explanations() -> None:
    plan = service_plan()
    assert analyze(plan, Flow("i-client", "eni-ea", "tcp", 81)).explanations[0].code in (
        "ENI_SG_RULES_MISMATCH",
    )
    wide = replace(
        plan, endpoints=(replace(plan.endpoints[0], ingress=(p.SgRule("all", group_id="sg-e"),)),)
    )
    assert (
        analyze(wide, Flow("i-client", "eni-ea", "tcp", 81)).explanations[0].code
        == "ELBV2_LISTENERS_MISMATCH"
    )
    # the ENI in zone b: its NLB node has no target there unless cross-zone
    lonely = analyze(plan, Flow("i-client", "eni-eb", "tcp", 80))
    assert [e.code for e in lonely.explanations] == ["ELBV2_NO_TARGETS_IN_AZ"]
    assert analyze(service_plan(cross_zone=True), Flow("i-client", "eni-eb", "tcp", 80)).reachable


def test_inactive_endpoint_is_a_bad_state() -> None:
    plan = service_plan()
    pending = replace(plan.endpoints[0], active=False, state="pendingAcceptance")
    verdict = analyze(replace(plan, endpoints=(pending,)), Flow("i-client", "vpce-1", "tcp", 80))
    [why] = verdict.explanations
    assert (why.code, why.component.id, why.state) == ("BAD_STATE", "vpce-1", "pendingAcceptance")


def test_acl_without_ephemeral_ports_blocks_the_answer() -> None:
    acl = r.AclNet("acl-1", ingress=(r.AclRule(100, True, "all", "0.0.0.0/0"),),
                   egress=(r.AclRule(10, True, "tcp", "0.0.0.0/0", 22, 22),))  # fmt: skip
    net = vpc(1)
    guarded = replace(net, subnets=(net.subnets[0], replace(net.subnets[1], acl=acl)))
    plan = p.DataplanePlan((guarded,), (host("a", 1, 0, 10), host("b", 1, 1, 10)))
    verdict = analyze(plan, Flow("i-a", "i-b", "tcp", 22))
    [why] = verdict.explanations
    assert why.code == "SUBNET_ACL_RESTRICTION" and why.direction == "egress"
    assert why.acl_rule is not None and why.acl_rule.rule_number == 32767
    assert verdict.forward[-1].component.id == "i-b"  # it got there; the answer stops
    opened = replace(
        acl, egress=acl.egress + (r.AclRule(20, True, "tcp", "0.0.0.0/0", 1024, 65535),)
    )
    fixed = replace(guarded, subnets=(guarded.subnets[0], replace(guarded.subnets[1], acl=opened)))
    assert analyze(replace(plan, vpcs=(fixed,)), Flow("i-a", "i-b", "tcp", 22)).reachable


def test_internet_needs_a_public_address_and_a_nat_gateway_lends_one() -> None:
    routes = (r.RouteNet("0.0.0.0/0", "igw-1"),)
    plan = p.DataplanePlan(
        (vpc(1, routes, "igw-1"),), (host("a", 1, 0, 10),), internet=r.InternetNet()
    )
    [why] = analyze(plan, Flow("i-a", "igw-1", "tcp", 443)).explanations
    assert why.code == "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
    public = r.InternetNet((r.PublicAddress("198.19.0.5", "vpc-1", "10.1.1.10"),))
    assert analyze(replace(plan, internet=public), Flow("i-a", "igw-1", "tcp", 443)).reachable
    # a private subnet (b) reaches it through a NAT gateway in a, which has the address
    net = vpc(1, routes, "igw-1")
    private = r.RouteTableNet("rtb-p", (r.RouteNet("0.0.0.0/0", "nat-1"),))
    inside = (net.subnets[0], replace(net.subnets[1], route_table="rtb-p"))
    net = replace(net, route_tables=net.route_tables + (private,), subnets=inside)
    natted = p.DataplanePlan(
        (net,), (host("b", 1, 1, 10),),
        nat_gateways=(r.NatGatewayNet("nat-1", "vpc-1", "subnet-10", "10.1.1.100"),),
        internet=r.InternetNet((r.PublicAddress("198.19.0.6", "vpc-1", "10.1.1.100"),)),
    )  # fmt: skip
    verdict = analyze(natted, Flow("i-b", "igw-1", "tcp", 443))
    assert verdict.reachable
    assert "nat-1" in [h.component.id for h in verdict.forward]


def test_unknown_source_and_narrowed_ports() -> None:
    plan = p.DataplanePlan((vpc(1),), (host("a", 1, 0, 10),))
    [why] = analyze(plan, Flow("i-gone", "", "tcp", 80, destination_ip="10.1.1.10")).explanations
    assert (why.code, why.component.id) == ("BAD_STATE", "i-gone")
    web = p.SecurityRules((p.SgRule("tcp", 80, 90, group_id="sg-web"),))
    plan = p.DataplanePlan((vpc(1),), (host("a", 1, 0, 10), host("b", 1, 1, 10, web)))
    verdict = analyze(plan, Flow("i-a", "i-b", "tcp", None))  # any port: 80-90 get through
    assert verdict.reachable
    headers = [h.header for h in verdict.forward if h.header is not None]
    assert headers[-1].ports == ((80, 90),)


def test_the_nlb_picks_healthy_targets_and_fails_open() -> None:
    """Target 20 answers but is unhealthy; target 21 is healthy but its group admits
    nothing: the NLB sends new flows to 21 only, so the path is blocked there."""
    plan = service_plan()
    closed = host("closed", 2, 0, 21, p.SecurityRules((), OPEN.egress))
    both = (p.Target("10.2.1.20", 8080, A), p.Target("10.2.1.21", 8080, A))
    group = replace(plan.nlbs[0].listeners[0].target_group, targets=both)
    nlb = replace(plan.nlbs[0], listeners=(replace(plan.nlbs[0].listeners[0], target_group=group),))
    plan = replace(plan, nlbs=(nlb,), instances=plan.instances + (closed,))
    flow = Flow("i-client", "eni-ea", "tcp", 80)
    only_21 = Index(plan, frozenset({("tg", "10.2.1.21", 8080)}))
    [why] = analyze(plan, flow, only_21).explanations
    assert (why.code, why.component.id) == ("ENI_SG_RULES_MISMATCH", "eni-closed")
    assert analyze(plan, flow, Index(plan, frozenset())).reachable  # none healthy: all of them
    assert analyze(plan, flow).reachable  # health unknown: the first that answers


def test_a_destination_port_range_narrows_to_what_the_groups_admit() -> None:
    web = p.SecurityRules((p.SgRule("tcp", 80, 90, group_id="sg-web"),))
    admin = p.SecurityRules((p.SgRule("tcp", 8050, 8050, group_id="sg-admin"),))
    flow = Flow("i-a", "i-b", "tcp", None, port_range=(8000, 8100))
    for rules, reachable in ((web, False), (admin, True)):
        plan = p.DataplanePlan((vpc(1),), (host("a", 1, 0, 10), host("b", 1, 1, 10, rules)))
        verdict = analyze(plan, flow)
        assert verdict.reachable is reachable
    assert [h.header.ports for h in verdict.forward if h.header][-1] == ((8050, 8050),)


def impaired(verdict: Verdict) -> tuple[str, str, str, tuple[str, ...]]:
    [why] = verdict.explanations
    return why.code, why.component.id, why.state, why.zones


def test_a_failed_zone_stops_what_enters_it() -> None:
    """Each component the kernel silences in a failed zone stops the flow there: the
    destination instance, the source instance, an endpoint interface, an NLB node."""
    plan = service_plan(cross_zone=True)
    down_a = replace(plan, failed_zones=frozenset({A}))
    down_b = replace(plan, failed_zones=frozenset({B}))
    assert impaired(analyze(down_a, Flow("i-client", "eni-ea", "tcp", 80))) == (
        "BAD_STATE", "i-client", "impaired", (A,),
    )  # fmt: skip
    both = p.DataplanePlan((vpc(1),), (host("a", 1, 0, 10), host("b", 1, 1, 10)))
    to_b = Flow("i-a", "i-b", "tcp", 22)
    assert analyze(both, to_b).reachable
    assert impaired(analyze(replace(both, failed_zones=frozenset({B})), to_b)) == (
        "BAD_STATE", "i-b", "impaired", (B,),
    )  # fmt: skip
    # the client in a, the interface asked about in b
    assert impaired(analyze(down_b, Flow("i-client", "eni-eb", "tcp", 80))) == (
        "BAD_STATE", "eni-eb", "impaired", (B,),
    )  # fmt: skip
    # straight to the NLB's node in b from a client in VPC 2's zone a
    direct = replace(down_b, instances=plan.instances + (host("near", 2, 0, 30),))
    flow = Flow("i-near", "", "tcp", 80, destination_ip="10.2.2.50")
    assert analyze(replace(direct, failed_zones=frozenset()), flow).reachable
    assert impaired(analyze(direct, flow)) == ("BAD_STATE", "arn:nlb", "impaired", (B,))


def test_the_nlb_skips_targets_in_a_failed_zone() -> None:
    """Cross-zone, targets in a and b: with a failed, the NLB sends b's flows to b's
    target (a's turns unhealthy, whatever was reported last); with only a's target left,
    the NLB fails open to it and the flow dies at the impaired instance."""
    plan = service_plan(cross_zone=True)
    in_b = host("target-b", 2, 1, 20)
    both = (p.Target("10.2.1.20", 8080, A), p.Target("10.2.2.20", 8080, B))
    group = replace(plan.nlbs[0].listeners[0].target_group, targets=both)
    nlb = replace(plan.nlbs[0], listeners=(replace(plan.nlbs[0].listeners[0], target_group=group),))
    two = replace(
        plan, nlbs=(nlb,), instances=plan.instances + (in_b,), failed_zones=frozenset({A})
    )
    client_b = host("client-b", 1, 1, 10)
    two = replace(two, instances=two.instances + (client_b,))
    flow = Flow("i-client-b", "vpce-1", "tcp", 80)
    reported = frozenset({("tg", "10.2.1.20", 8080), ("tg", "10.2.2.20", 8080)})
    verdict = analyze(two, flow, Index(two, reported))
    assert verdict.reachable
    assert verdict.forward[-1].component.id == "i-target-b"
    assert "eni-eb" in [h.component.id for h in verdict.forward]  # the live zone's interface
    # b's target closed: the NLB still sends only there, so that is what stops the flow
    closed = replace(in_b, security=p.SecurityRules((), OPEN.egress))
    shut = replace(two, instances=tuple(closed if i is in_b else i for i in two.instances))
    [why] = analyze(shut, flow, Index(shut, reported)).explanations
    assert (why.code, why.component.id) == ("ENI_SG_RULES_MISMATCH", "eni-target-b")
    one = replace(plan, instances=plan.instances + (client_b,), failed_zones=frozenset({A}))
    assert impaired(analyze(one, flow)) == ("BAD_STATE", "i-target", "impaired", (A,))


def test_a_nat_gateway_in_a_failed_zone_passes_nothing() -> None:
    routes = (r.RouteNet("0.0.0.0/0", "igw-1"),)
    net = vpc(1, routes, "igw-1")
    private = r.RouteTableNet("rtb-p", (r.RouteNet("0.0.0.0/0", "nat-1"),))
    inside = (net.subnets[0], replace(net.subnets[1], route_table="rtb-p"))
    net = replace(net, route_tables=net.route_tables + (private,), subnets=inside)
    natted = p.DataplanePlan(
        (net,), (host("b", 1, 1, 10),),
        nat_gateways=(r.NatGatewayNet("nat-1", "vpc-1", "subnet-10", "10.1.1.100"),),
        internet=r.InternetNet((r.PublicAddress("198.19.0.6", "vpc-1", "10.1.1.100"),)),
    )  # fmt: skip
    flow = Flow("i-b", "igw-1", "tcp", 443)
    assert analyze(natted, flow).reachable
    down = replace(natted, failed_zones=frozenset({A}))
    assert impaired(analyze(down, flow)) == ("BAD_STATE", "nat-1", "impaired", (A,))
