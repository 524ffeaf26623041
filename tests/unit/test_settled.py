"""Which namespaces a pass converges (dataplane/linux/settled.py), with namespace inodes
faked: the driver's rule, not the kernel, is what is under test here (the data-plane
tests show the kernel side: test_dataplane_restart, test_endpoint)."""

from __future__ import annotations

import pytest

from privlink.dataplane.linux import settled
from privlink.dataplane.linux.settled import Settled
from privlink.dataplane.linux.spec import LinkSpec, NamespaceSpec, VethPeer

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
