"""Pure parts of flow logs and PrivateLink metrics: reading what nft and conntrack print,
where the counting chains sit around the security groups, and the record format."""

from __future__ import annotations

import re

import pytest

from privlink import errors
from privlink.dataplane.linux import nlb_rulesets, rulesets
from privlink.dataplane.linux import observe_tables as observe
from privlink.dataplane.plan import SgRule, Target
from privlink.services.ec2.flowlogs import format

# What `nft -j list table inet observe` printed in a namespace after one TCP exchange.
LISTING = {
    "nftables": [
        {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "observe", "handle": 1}},
        {"counter": {"family": "inet", "name": "eni_1_ok", "packets": 11, "bytes": 1601}},
        {
            "set": {
                "family": "inet",
                "name": "eni_1_in_seen",
                "table": "observe",
                "timeout": 600,
                "elem": [
                    {
                        "elem": {
                            "val": {"concat": ["10.0.1.4", "10.0.1.5", "tcp", 36674, 80]},
                            "expires": 590,
                            "counter": {"packets": 5, "bytes": 273},
                        }
                    }
                ],
            }
        },
        {"set": {"family": "inet", "name": "eni_1_in_ok", "table": "observe"}},
    ]
}
CONNTRACK = """\
tcp      6 431999 ESTABLISHED src=10.0.1.4 dst=10.0.1.5 sport=1 dport=80 src=169.254.0.1 \
dst=169.254.0.0 sport=80 dport=1 [ASSURED] mark=0 use=1
tcp      6 119 SYN_SENT src=10.0.2.4 dst=10.0.2.5 sport=2 dport=80 [UNREPLIED] src=x dst=y
tcp      6 100 TIME_WAIT src=10.0.1.4 dst=10.0.1.5 sport=3 dport=80 src=x dst=y
tcp      6 431999 ESTABLISHED src=10.0.1.9 dst=10.0.3.3 sport=4 dport=80 src=x dst=y
tcp      6 431999 ESTABLISHED src=10.0.1.4 dst=10.0.1.5 sport=5 dport=80 src=10.0.9.9 \
dst=10.0.9.100 sport=80 dport=5 [ASSURED] mark=1007 zone-orig=7 use=1
tcp      6 431999 ESTABLISHED src=10.0.1.4 dst=10.0.1.5 sport=6 dport=80 src=10.0.9.9 \
dst=10.0.9.100 sport=80 dport=6 [ASSURED] mark=1008 zone-orig=8 use=1
"""


def test_parse_reads_named_counters_and_set_elements() -> None:
    counters, sets = observe.parse(LISTING)
    assert counters == {"eni_1_ok": (11, 1601)}
    assert sets["eni_1_in_ok"] == []
    (element,) = sets["eni_1_in_seen"]
    assert element.key == ("10.0.1.4", "10.0.1.5", 6, 36674, 80)
    assert (element.packets, element.bytes, element.idle) == (5, 273, 10)


def test_open_connections_counts_open_states_per_eni() -> None:
    """In an endpoint's own namespace by the ENI's address; in an NLB's, where ENIs of
    several endpoints may share an address, by the ENI's conntrack zone."""
    own = [
        observe.Port("eni-1", "plk1e", "10.0.1.5", "subnet-1", False),
        observe.Port("eni-2", "plk2e", "10.0.2.5", "subnet-2", False),
    ]
    assert observe.open_connections(CONNTRACK, own) == {"eni-1": 1, "eni-2": 1}
    shared = [
        observe.Port("eni-7", "plk7e", "10.0.1.5", "subnet-1", False, "vpce-7", zone=7),
        observe.Port("eni-8", "plk8e", "10.0.1.5", "subnet-1", False, "vpce-8", zone=8),
        observe.Port("eni-9", "plk9e", "10.0.1.5", "subnet-1", False, "vpce-9", zone=9),
    ]
    assert observe.open_connections(CONNTRACK, shared) == {"eni-7": 1, "eni-8": 1, "eni-9": 0}


def _priority(body: str, chain: str) -> int:
    match = re.search(rf"chain {chain} {{\s*type filter hook \w+ priority ([^;]+);", body)
    assert match, chain
    named = {"filter": 0, "dstnat": -100}
    return sum(named[w] if w in named else int(w) for w in match.group(1).split(" + "))


def _nlb_with_one_eni() -> str:
    eni = nlb_rulesets.Eni("plk1e", "10.0.1.5", 1, nlb_rulesets.ENI_MARK | 1)
    zone = nlb_rulesets.NlbZone("10.0.9.100", ("plk1e",), (nlb_rulesets.ENI_MARK | 1,))
    return nlb_rulesets.nlb(
        [zone],
        [nlb_rulesets.NlbForward("tcp", 80, zone, (Target("10.0.9.9", 80, "az"),))],
        endpoints=[nlb_rulesets.NlbEndpoint("vpce-1", (eni,), (SgRule("tcp", 80, 80),), True)],
    )


def test_endpoint_counting_chains_surround_the_security_groups() -> None:
    """A flow log's 'seen' chain must run before the ENIs' security groups and its 'ok'
    chain after them, so REJECT = seen - ok; the NLB's groups run after DNAT, so 'ok' is
    keyed by the tuple as it arrived (the destination is the ENI). The ENIs' metrics count
    behind the namespace's own filters (priority 0): in an NLB's namespace and in an
    endpoint's own."""
    port = observe.Port("eni-1", "plk1e", "10.0.1.5", "subnet-1", logged=True)
    body = observe.render(observe.Watch("plk-nlb-1", "endpoint", "plk-nlb-1", (port,)))
    in_nlb = _nlb_with_one_eni()
    own = rulesets.endpoint(["plk1e"], ["10.0.1.5"], [], active=True, proxy_ports=[443])
    for sg in (_priority(in_nlb, "eni_in"), _priority(own, "sg_pre")):
        assert _priority(body, "in_first") < sg < _priority(body, "in_last") < 0
    assert "update @eni_1_in_ok { ct original ip saddr . ct original ip daddr" in body
    # With ENIs the NLB's namespace filters before routing (eni_in, provider_new): its
    # forward hook has no chain of ours, and the counting one runs behind the filters' place.
    assert "filter_fwd" not in in_nlb and "fib daddr type != local drop" in in_nlb
    assert _priority(body, "m_forward") > _priority(own, "filter_in")
    assert _priority(own, "filter_in") < _priority(body, "m_input")
    assert "update @eni_1_in_seen" in body and "update @eni_1_out_ok" in body
    assert '"plk1e" : jump eni_1_tx' in body  # the ENI's counters, picked by its link


def test_security_groups_count_what_they_drop_per_link() -> None:
    """PacketsDropped comes from the `plk` table: every drop of an ENI's security groups
    goes through the chain that counts it by link, and the drop is a rule of its own (a
    full set fails the count, never the drop)."""
    own = rulesets.endpoint(["plk1e"], ["10.0.1.5"], [], active=True, proxy_ports=[443])
    for body in (_nlb_with_one_eni(), own):
        chain = re.search(r"chain dropped \{\n(.*?)\n\}", body, re.S)
        assert chain and chain.group(1).splitlines() == [
            f"  update @{rulesets.DROPPED} {{ iifname }}",
            "  drop",
        ]
        groups = re.findall(r"chain (?:eni_in|sg_\w+) \{\n(.*?)\n\}", body, re.S)
        assert groups
        for rules in groups:
            assert "goto dropped" in rules
            assert not re.search(r"\bdrop$", rules, re.M), rules  # none drops uncounted
    listing = {
        "nftables": [
            {"metainfo": {"version": "1.0.6"}},
            {"set": {"name": rulesets.DROPPED, "elem": [
                {"elem": {"val": "plk1e", "counter": {"packets": 3, "bytes": 180}}},
            ]}},
        ]
    }  # fmt: skip
    assert observe.drops(listing) == {"plk1e": 3}


def test_unlogged_instances_are_not_watched_and_endpoints_always_are() -> None:
    port = observe.Port("eni-2", "plk-eth0", "10.0.1.4", "subnet-1", logged=False)
    body = observe.render(observe.Watch("plk-vpce-2", "endpoint", "vpce-2", (port,)))
    assert "set " not in body  # no per-flow sets without a flow log
    assert "prerouting" not in body and "postrouting" not in body  # nor their chains
    assert '"plk-eth0" : jump eni_2_rx' in body


def test_record_lines_in_default_and_custom_formats() -> None:
    values = {"srcaddr": "10.0.1.4", "dstaddr": "10.0.1.5", "vpc-id": "vpc-1", "action": "ACCEPT"}
    assert format.line("${version} ${srcaddr} ${action} ${tcp-flags}", values) == (
        "3 10.0.1.4 ACCEPT -"
    )
    assert format.line("${vpc-id} ${flow-direction} ${version}", values) == "vpc-1 - 5"
    assert format.line(format.DEFAULT_FORMAT, values).split()[0] == "2"


def test_unknown_format_fields_are_refused() -> None:
    with pytest.raises(errors.InvalidParameter) as info:
        format.fields("${srcaddr} ${color}")
    assert info.value.message == "Unknown fields provided in LogFormat: color"


def test_many_enis_cost_a_packet_one_lookup_per_chain() -> None:
    """An NLB's namespace counts for every endpoint's ENIs: the chains a packet crosses
    pick the ENI's counter (and its flow sets) from maps by link, whatever their number."""
    ports = tuple(
        observe.Port(f"eni-{i}", f"plk{i:08x}e", "10.0.1.5", "subnet-1", i % 2 == 0, f"vpce-{i}", i)
        for i in range(1, 201)
    )
    body = observe.render(observe.Watch("plk-nlb-1", "endpoint", "plk-nlb-1", ports))
    chains = re.findall(r"chain (\w+) \{\n  type (.*?)\n\}", body, re.S)
    assert {name for name, _ in chains} == {
        *("in_first", "in_last", "out_last"),
        *("m_forward", "m_input", "m_output"),
    }
    for _, text in chains:
        assert len(text.splitlines()) <= 3, text[:300]  # the hook line and 1-2 rules
