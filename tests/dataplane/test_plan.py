"""Pure parts of the data plane: plan validation, names, rendering, PROXY v2. No root."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from privlink.dataplane import names, proxyproto
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import nlb_rulesets, proxy_header, rulesets, subnet_shortcut, topology
from privlink.dataplane.linux.links import Observed
from privlink.dataplane.linux.spec import LOCAL_TABLE, MAIN_TABLE, HeaderSpec, PortSpec, RuleSpec
from privlink.dataplane.null import NullDriver
from privlink.dataplane.plan import (
    DataplanePlan,
    EniNet,
    InstanceNet,
    SgRule,
    VpcNet,
    normalize_protocol,
)
from privlink.dataplane.plan_checks import validate
from tests.dataplane.scenarios import ENDPOINT_ID, NLB_ID, privatelink, with_endpoint


def test_valid_scenario_has_no_problems() -> None:
    assert validate(privatelink()) == {}


def test_validation_names_the_broken_resource_and_drops_dependents() -> None:
    plan = privatelink()
    bad = replace(plan.instances[0], ip="10.0.2.10")  # not in its subnet (10.0.1.0/24)
    reserved = replace(plan.instances[1], ip="10.0.2.1")  # base+1 is the router's
    plan = replace(plan, instances=(bad, reserved, *plan.instances[2:]))
    problems = validate(plan)
    assert set(problems) == {"i-c1", "i-c2"}
    assert "not in subnet" in problems["i-c1"][0]
    assert "reserved" in problems["i-c2"][0]
    kept = plan.without(problems)
    assert [i.instance_id for i in kept.instances] == ["i-p1", "i-p2"]
    # a broken VPC takes its instances and endpoints with it
    broken_vpc = replace(plan.vpcs[0], cidr="10.0.0.0/33")
    plan = replace(plan, vpcs=(broken_vpc, plan.vpcs[1]))
    kept = plan.without(validate(plan))
    assert [v.vpc_id for v in kept.vpcs] == ["vpc-p0"]
    assert kept.endpoints == ()


def test_duplicate_address_in_one_vpc_is_rejected() -> None:
    vpc = VpcNet("vpc-1", "10.9.0.0/16", (privatelink().vpcs[0].subnets[0],))
    vpc = replace(vpc, subnets=(replace(vpc.subnets[0], cidr="10.9.1.0/24"),))
    plan = DataplanePlan(
        (vpc,),
        (
            InstanceNet("i-1", "vpc-1", vpc.subnets[0].subnet_id, "10.9.1.5"),
            InstanceNet("i-2", "vpc-1", vpc.subnets[0].subnet_id, "10.9.1.5"),
        ),
    )
    assert "already used by i-1" in validate(plan)["i-2"][0]


def test_protocol_aliases() -> None:
    assert normalize_protocol("-1") == "all"
    assert normalize_protocol("6") == "tcp"
    assert normalize_protocol("UDP") == "udp"


def test_names_fit_ifnamsiz_and_carry_the_prefix() -> None:
    ids = ["subnet-0123456789abcdef0", "i-0123456789abcdef0", "eni-0123456789abcdef0", NLB_ID]
    links = [
        names.subnet_bridge(ids[0]),
        names.instance_port(ids[1]),
        names.eni_port(ids[2]),
        names.eni_link(ids[2]),
        names.nlb_node_port(ids[3], ids[0]),
        names.nlb_node_link(ids[3], ids[0]),
        names.INSTANCE_IFNAME,
    ]
    assert all(len(n) <= names.IFNAMSIZ and n.startswith("plk") for n in links)
    assert len(set(links)) == len(links)
    assert names.vpc_netns("vpc-0a1b") == "plk-vpc-0a1b"
    assert names.instance_netns("i-0123") == "plk-i-0123"
    assert names.endpoint_netns(ENDPOINT_ID) == f"plk-{ENDPOINT_ID}"
    assert re.fullmatch(r"plk-nlb-[0-9a-f]{12}", names.nlb_netns(NLB_ID))


def test_eni_slots_are_stable_unique_and_fit_a_conntrack_zone() -> None:
    ids = [f"eni-{i:017x}" for i in range(300)]
    first = names.eni_slots(ids)
    assert first == names.eni_slots(reversed(ids))
    assert len(set(first.values())) == len(ids)
    assert all(1 <= slot <= 65534 for slot in first.values())


def test_topology_overlapping_vpcs_stay_apart() -> None:
    """The ENIs live in the NLB's namespace, consumer and provider CIDRs overlap: the ENI
    addresses are /32s (no consumer subnet in the main table, which holds the provider's),
    each ENI's subnet is in a table of its own that only its mark reaches."""
    spec = topology.build(privatelink())
    assert names.endpoint_netns(ENDPOINT_ID) not in spec.namespaces
    nlb_ns = spec.namespaces[names.nlb_netns(NLB_ID)]
    addrs = {a for link in nlb_ns.links for a in link.addresses}
    assert addrs == {"10.0.1.100/24", "10.0.2.100/24", "10.0.1.50/32", "10.0.2.50/32"}
    main = {r.dst for r in nlb_ns.routes if r.table == MAIN_TABLE}
    assert main == {"0.0.0.0/0"}
    tables = {r.table for r in nlb_ns.routes if r.table != MAIN_TABLE}
    assert len(tables) == 2
    for eni in spec.endpoints[ENDPOINT_ID].zones:  # each ENI's mark leads to its table
        assert walk(nlb_ns.rules, nlb_rulesets.ENI_MARK | eni)[0] in tables
    ruleset = nlb_ns.ruleset or ""
    assert "ct original zone set iifname map" in ruleset
    assert "snat ip to 10.0.1.100" in ruleset
    state = spec.endpoints[ENDPOINT_ID]
    assert state.netns == names.nlb_netns(NLB_ID) and len(state.zones) == 2


def walk(rules: tuple[RuleSpec, ...], mark: int) -> tuple[int, int]:
    """The table the kernel's policy rules give a packet with `mark` (only marks and
    gotos, as in an NLB's namespace), and how many rules it looked at."""
    ordered = sorted(rules, key=lambda r: r.priority)  # stable: the order rules were added
    looked, at = 0, 0
    while at < len(ordered):
        rule = ordered[at]
        looked += 1
        if mark & (rule.fwmask or 0xFFFFFFFF) == rule.fwmark:
            if not rule.goto:
                return rule.table, looked
            at = next(i for i, r in enumerate(ordered) if r.priority >= rule.goto)
            continue
        at += 1
    return MAIN_TABLE, looked


def test_nlb_rules_lead_every_mark_to_its_table_in_a_bounded_walk() -> None:
    """2,000 ENIs behind one NLB (the scale benchmark's world): each ENI's mark reaches
    its own table after at most two groups of rules, the provider's mark the main table,
    the namespace's own mark and unmarked packets the local table, none an ENI's."""
    base = privatelink()
    enis = tuple(
        EniNet(f"eni-{i:017x}", "subnet-c01", "use1-az1", f"10.0.{1 + i // 250}.{i % 250 + 4}")
        for i in range(2000)
    )
    plan = replace(base, endpoints=(replace(base.endpoints[0], enis=enis),))
    spec = topology.build(plan)
    rules = spec.namespaces[names.nlb_netns(NLB_ID)].rules
    tables = {(r.dst, r.table) for r in spec.namespaces[names.nlb_netns(NLB_ID)].routes}
    longest = 0
    for zone in spec.endpoints[ENDPOINT_ID].zones:
        table, looked = walk(rules, nlb_rulesets.ENI_MARK | zone)
        assert table == names.ROUTE_TABLE_BASE + zone and ("0.0.0.0/0", table) in tables
        longest = max(longest, looked)
    assert longest <= 2 * 256 + 4, longest  # not one rule per ENI
    assert walk(rules, nlb_rulesets.PROVIDER_MARK)[0] == MAIN_TABLE
    assert walk(rules, nlb_rulesets.LOCAL_MARK)[0] == LOCAL_TABLE
    assert walk(rules, 0) == (LOCAL_TABLE, 4)


def test_inactive_endpoint_renders_reject_and_no_nat() -> None:
    spec = topology.build(with_endpoint(privatelink(), active=False))
    ruleset = spec.namespaces[names.nlb_netns(NLB_ID)].ruleset or ""
    eni = names.eni_link("eni-0c1")
    assert "meta l4proto tcp reject with tcp reset" in ruleset
    assert f'iifname "{eni}" tcp dport' not in ruleset  # no DNAT from its ENIs
    assert not spec.endpoints[ENDPOINT_ID].active


def test_candidates_prefer_healthy_then_fail_open() -> None:
    tg = privatelink().nlbs[0].listeners[0].target_group
    a, b = tg.targets
    health = {
        (tg.target_group_id, a.ip, a.port): TargetState.HEALTHY,
        (tg.target_group_id, b.ip, b.port): TargetState.UNHEALTHY,
    }
    assert topology.candidates(tg, "use1-az1", health) == (a,)
    assert topology.candidates(tg, "use1-az1", {}) == (a, b)  # nobody healthy: fail open
    assert topology.candidates(tg, "use1-az2", health) == ()  # no targets in AZ2
    assert topology.candidates(replace(tg, cross_zone=True), "use1-az2", health) == (a,)


def test_proxy_protocol_listeners_are_nat_with_headers_on_enis_and_nodes() -> None:
    """PROXY v2 listeners take the kernel path (DNAT, as any other); every node of the NLB
    and every ENI of the active endpoint names them for the header program, by the MAC
    its link is given."""
    spec = topology.build(privatelink(proxy_protocol=True))
    assert ENDPOINT_ID not in spec.proxies
    ns = spec.namespaces[names.nlb_netns(NLB_ID)]
    assert "dport 80 dnat" in (ns.ruleset or "")
    enis = ("eni-0c1", "eni-0c2")
    nodes = {n.subnet_id for n in privatelink(proxy_protocol=True).nlbs[0].nodes}
    assert set(ns.headers) == {
        HeaderSpec(names.eni_link(e), names.eni_mac(e), e, 80, ENDPOINT_ID) for e in enis
    } | {  # clients of the NLB itself: a header with no endpoint TLV; its nodes one scope
        HeaderSpec(names.nlb_node_link(NLB_ID, s), names.nlb_node_mac(NLB_ID, s), NLB_ID, 80, "")
        for s in nodes
    }
    macs = {link.name: link.mac for link in ns.links}
    assert all(macs[names.eni_link(e)] == names.eni_mac(e) for e in enis)
    assert all(macs[names.nlb_node_link(NLB_ID, s)] == names.nlb_node_mac(NLB_ID, s) for s in nodes)
    inactive = topology.build(with_endpoint(privatelink(proxy_protocol=True), active=False))
    assert {h.vpce_id for h in inactive.namespaces[names.nlb_netns(NLB_ID)].headers} == {""}


def test_proxy_header_templates_are_even_and_keyed_by_mac_and_port() -> None:
    """The program moves payload behind a header by an even count (checksum parity): an
    odd header gets a NOOP TLV; links are keyed by MAC, listeners by scope and port
    (network order), as the C structs lay them out."""
    for vpce_id in ("vpce-0a1b2c3d4e5f60718", "vpce-0a1b2c3d4e5f6071", ""):
        header = proxy_header.template(vpce_id)
        assert len(header) % 2 == 0 and len(header) <= proxy_header.HDR_MAX
        parsed = proxyproto.decode(header)
        assert parsed is not None and parsed.vpce_id == (vpce_id or None)
        assert parsed.src == ("0.0.0.0", 0) and parsed.length == len(header)
    mac = names.eni_mac("eni-0c1")
    assert mac.startswith("02:") and mac != names.eni_mac("eni-0c2")
    assert proxy_header.link_key(mac) == bytes.fromhex(mac.replace(":", "")) + bytes(2)
    scope = proxy_header.scope("eni-0c1")
    assert proxy_header.listener_key("eni-0c1", 80) == (
        scope.to_bytes(8, "little") + b"\x00\x50" + bytes(6)
    )
    assert scope != proxy_header.scope("eni-0c2")


def test_subnet_shortcut_serves_ports_of_known_hosts_per_bridge() -> None:
    """Only ports whose far end has a known MAC (instances, ENIs, NLB nodes), and only on
    bridges with two or more of them; the maps are keyed by the router's namespace and
    the bridge, so a frame never takes the shortcut out of its subnet."""
    spec = topology.build(privatelink())
    consumer = spec.namespaces[names.vpc_netns("vpc-c0")]
    subnet1 = names.subnet_bridge("subnet-c01")
    assert {p for p in consumer.shortcuts if p.bridge == subnet1} == {
        PortSpec(names.instance_port("i-c1"), subnet1, names.instance_mac("i-c1")),
        PortSpec(names.eni_port("eni-0c1"), subnet1, names.eni_mac("eni-0c1")),
    }
    instance = spec.namespaces[names.instance_netns("i-c1")]
    assert instance.links[0].mac == names.instance_mac("i-c1")
    provider = spec.namespaces[names.vpc_netns("vpc-p0")]
    # subnet 2 of the provider holds only the NLB's node: no pair, no shortcut there
    assert {p.bridge for p in provider.shortcuts} == {names.subnet_bridge("subnet-p01")}
    assert len(provider.shortcuts) == 3  # i-p1, i-p2, the node
    links = {
        names.instance_port("i-c1"): Observed(7, "veth", 2, True, 1),
        subnet1: Observed(2, "bridge", None, True, None),
    }
    ports = [p for p in consumer.shortcuts if p.bridge == subnet1]
    wanted = subnet_shortcut.entries(0x1122, ports, links)  # the ENI's port not there yet
    assert wanted["ports"] == {
        (0x1122).to_bytes(8, "little") + (7).to_bytes(4, "little") + bytes(4): b"\x02\0\0\0"
    }
    mac = bytes.fromhex(names.instance_mac("i-c1").replace(":", ""))
    key = (0x1122).to_bytes(8, "little") + (2).to_bytes(4, "little") + mac + bytes(6)
    assert wanted["hosts"] == {key: b"\x07\0\0\0"}


def test_a_shortcut_that_cannot_load_is_left_out(tmp_path: Path, monkeypatch: Any) -> None:
    """The shortcut only saves time: when its program cannot be built or loaded (no
    clang, no BTF), frames take the bridges and the pass goes on without an error."""

    def fail(*_: object) -> Path:
        raise RuntimeError("clang failed: no such file")

    monkeypatch.setattr(subnet_shortcut.bpfobj, "load", fail)
    shortcuts = subnet_shortcut.Shortcuts(tmp_path)
    assert shortcuts.load() is False and "clang" in shortcuts.broken
    port = PortSpec("plkport", "plkbr", names.instance_mac("i-1"))
    assert shortcuts.apply("plk-vpc-1", None, None, [port], {}) == []  # type: ignore[arg-type]
    assert shortcuts.forget(set()) == []


def test_sg_rule_rendering() -> None:
    assert rulesets.sg_rule(SgRule("tcp", 22, 22, ("10.0.0.0/16",)), "saddr") == (
        "ip saddr 10.0.0.0/16 tcp dport 22"
    )
    assert rulesets.sg_rule(SgRule("udp", 1000, 2000), "saddr") == "udp dport 1000-2000"
    assert (
        rulesets.sg_rule(SgRule("all", cidrs=("10.0.1.5/32", "10.0.1.0/24")), "daddr")
        == "ip daddr 10.0.1.0/24"
    )
    assert rulesets.sg_rule(SgRule("icmp", 8, -1), "saddr") == "icmp type 8"
    assert rulesets.sg_rule(SgRule("all", cidrs=("::/0",)), "saddr") is None


def test_proxy_v2_header_matches_the_aws_layout() -> None:
    header = proxyproto.encode(
        ("10.0.1.10", 40000), ("10.0.1.50", 80), vpce_id="vpce-0a1b2c3d4e5f60718"
    )
    assert header[:12] == b"\r\n\r\n\x00\r\nQUIT\n"
    assert header[12:14] == b"\x21\x11"
    tlv = header[16 + 12 :]
    assert tlv[:9] == bytes.fromhex("EA 00 17 01 76 70 63 65 2D")  # the spec's example
    assert tlv[4:] == b"vpce-0a1b2c3d4e5f60718"
    parsed = proxyproto.decode(header + b"GET /")
    assert parsed is not None and parsed.length == len(header)
    assert parsed.src == ("10.0.1.10", 40000) and parsed.dst == ("10.0.1.50", 80)
    assert parsed.vpce_id == "vpce-0a1b2c3d4e5f60718"
    assert proxyproto.decode(header[:10]) is None
    local = proxyproto.decode(proxyproto.encode_local())
    assert local is not None and local.command == "LOCAL"


def test_null_driver_reports_errors_and_unavailable_targets() -> None:
    driver = NullDriver()
    plan = privatelink()
    broken = replace(plan, instances=(replace(plan.instances[0], ip="192.168.0.1"),))
    assert "i-c1" in driver.apply(broken).errors
    assert driver.apply(plan).ok
    health = driver.target_health("tg-tcp80")
    assert {h.state for h in health} == {TargetState.UNAVAILABLE}
    assert driver.instance_netns("i-c1") is None


def test_an_eni_keeps_its_slot_when_a_colliding_one_arrives() -> None:
    """Slots come from a hash of the ENI id, collisions probed in id order: without the
    last build's slots a new ENI that sorts first would push an existing one off its
    slot (its conntrack zone, mark and table: its open flows would break)."""
    by_slot: dict[int, str] = {}
    for i in range(5000):  # two ids with the same hash slot
        eni = f"eni-{i:017x}"
        slot = names.eni_slots([eni])[eni]
        if slot in by_slot:
            first, second = sorted((by_slot[slot], eni))
            break
        by_slot[slot] = eni
    else:
        raise AssertionError("no collision among 5,000 ids")
    alone = names.eni_slots([second])
    assert names.eni_slots([first, second])[second] != alone[second]  # pushed off
    kept = names.eni_slots([first, second], alone)
    assert kept[second] == alone[second] and kept[first] != kept[second]
    spec = topology.build(privatelink())
    again = topology.build(privatelink(), slots={**spec.eni_slots, "eni-0c1": 777})
    assert again.eni_slots["eni-0c1"] == 777
    assert again.endpoints[ENDPOINT_ID].zones[0] == 777
