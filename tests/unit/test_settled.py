"""Which namespaces a pass converges (dataplane/linux/settled.py), with namespace inodes
faked: the driver's rule, not the kernel, is what is under test here (the data-plane
tests show the kernel side: test_dataplane_restart, test_endpoint)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from privlink.dataplane.linux import settled
from privlink.dataplane.linux.delta import Delta, between, shape
from privlink.dataplane.linux.settled import Settled
from privlink.dataplane.linux.spec import LinkSpec, NamespaceSpec, RouteSpec, RuleSpec, VethPeer

INODES: dict[str, int] = {}


@pytest.fixture(autouse=True)
def fake_inodes(monkeypatch: pytest.MonkeyPatch) -> None:
    INODES.clear()
    monkeypatch.setattr(settled, "inode_of", lambda name: INODES.get(name, -1))


def hub(*endpoints: str) -> NamespaceSpec:
    """A namespace with the far end of a veth from each of `endpoints`' namespaces."""
    return NamespaceSpec(
        "plk-nlb-1", "nlb", links=tuple(LinkSpec(f"t-{e}", "peer") for e in endpoints)
    )


def endpoint(name: str) -> NamespaceSpec:
    veth = LinkSpec(
        f"x-{name}", "veth", VethPeer(f"t-{name}", "plk-nlb-1"), addresses=("169.254.0.0/31",)
    )
    return NamespaceSpec(f"plk-vpce-{name}", name, links=(veth,))


def world(*endpoints: str) -> list[NamespaceSpec]:
    spaces = [hub(*endpoints), *(endpoint(e) for e in endpoints)]
    for ns in spaces:
        INODES.setdefault(ns.name, len(INODES) + 1)
    return spaces


def test_a_new_endpoint_sends_itself_and_its_nlb_for_a_look_not_the_nlbs_other_endpoints() -> None:
    known = Settled()
    before = world("a", "b", "c")
    assert known.unsettled(before) == {ns.name for ns in before}  # nothing known yet
    known.remember(before, {ns.name for ns in before})
    assert known.unsettled(before) == set()

    after = world("a", "b", "c", "d")
    assert known.unsettled(after) == {"plk-nlb-1", "plk-vpce-d"}


def test_a_recreated_namespace_sends_every_namespace_joined_to_it() -> None:
    known = Settled()
    spaces = world("a", "b")
    known.remember(spaces, {ns.name for ns in spaces})
    INODES["plk-nlb-1"] = 99  # deleted and made again: every veth into it died
    assert known.unsettled(spaces) == {"plk-nlb-1", "plk-vpce-a", "plk-vpce-b"}
    INODES["plk-nlb-1"] = 98
    known.remember(spaces, {ns.name for ns in spaces})
    INODES["plk-vpce-b"] = 97
    assert known.unsettled(spaces) == {"plk-vpce-b", "plk-nlb-1"}


def test_the_trickle_skips_what_was_looked_at_and_takes_the_oldest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = Settled()
    spaces = world(*"abcdefghijkl")
    clock = [1000.0]
    monkeypatch.setattr(settled.time, "monotonic", lambda: clock[0])
    for index, ns in enumerate(spaces):  # remembered one second apart, hub first
        clock[0] = 1000.0 + index
        known.remember([ns], {n.name for n in spaces})
    clock[0] = 1000.0 + settled.VERIFY_AFTER  # only the first few are old enough yet
    assert known.trickle(spaces, set()) == {"plk-nlb-1"}
    clock[0] += 100
    due = known.trickle(spaces, {"plk-nlb-1"})
    assert len(due) == settled.VERIFY_BATCH
    assert due == {f"plk-vpce-{e}" for e in "abcdefgh"}


def test_a_changed_namespace_gets_its_change_alone_and_a_new_ones_peer_a_whole_look() -> None:
    known = Settled()
    spaces = world("a", "b")
    routes = (RouteSpec("10.0.1.0/24", "", 1001, "t-a"),)
    spaces[0] = replace(spaces[0], routes=routes, rules=(RuleSpec(1000, 1001, fwmark=1),))
    known.remember(spaces, {ns.name for ns in spaces})

    # The NLB's namespace loses b's link and gains c's, with c's route and rule: a delta.
    # Its own new peer (c) is new, so the NLB is joined to a new namespace: a whole look.
    grown = replace(
        hub("a", "c"),
        routes=(*routes, RouteSpec("10.0.2.0/24", "", 1002, "t-c")),
        rules=(RuleSpec(1000, 1002, fwmark=2),),
    )
    INODES.setdefault("plk-vpce-c", 50)
    after = [grown, spaces[1], endpoint("c")]
    assert known.unsettled(after) == {"plk-nlb-1", "plk-vpce-c"}
    assert known.delta(grown) is None  # joined to new plk-vpce-c: looked at whole

    # The same change where the far ends are old namespaces: the delta names it alone.
    INODES["plk-vpce-c"] = 50
    known.remember([endpoint("c")], {ns.name for ns in after})
    assert known.unsettled(after) == {"plk-nlb-1"}
    change = known.delta(grown)
    assert change == Delta(
        removed=("t-b",),
        added=(LinkSpec("t-c", "peer"),),
        routes_new=(RouteSpec("10.0.2.0/24", "", 1002, "t-c"),),
        rules_gone=(RuleSpec(1000, 1001, fwmark=1),),
        rules_new=(RuleSpec(1000, 1002, fwmark=2),),
    )
    assert known.delta(spaces[1]) is None  # unchanged: not looked at at all


def test_a_link_changed_in_place_or_a_bridge_means_a_whole_look() -> None:
    before = shape(hub("a"))
    moved = replace(hub("a"), links=(LinkSpec("t-a", "peer", addresses=("10.0.0.9/32",)),))
    assert between(before, shape(moved)) is None
    bridged = replace(hub("a"), links=(*hub("a").links, LinkSpec("br", "bridge")))
    assert between(before, shape(bridged)) is None
    assert between(before, shape(replace(hub("a"), loopback=("10.9.9.9/32",)))) is None
    assert between(before, shape(hub("a"))) == Delta()
