"""An NLB's table changed in place when endpoints come, go or turn inactive (nft.apply with
nft_members.changes: members over netlink, nft_elements.py; chains through libnftables) is
the table a whole write makes. Real nftables in namespaces of the test's own; nothing
else is touched."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from privlink.dataplane.linux import nft, nft_elements, nft_members
from privlink.dataplane.linux import nlb_rulesets as nr
from privlink.dataplane.plan import SgRule, Target
from tests.dataplane.conftest import nft_objects, scratch_namespaces

pytestmark = pytest.mark.dataplane

SCRATCH = ("plk-test-nftm-a", "plk-test-nftm-b")
OPEN = (SgRule("tcp", 80, 81, ("10.0.0.0/16",)),)
CLOSED = (SgRule("tcp", 22, 22, ("10.9.0.0/16",)),)


@pytest.fixture
def namespaces() -> Iterator[tuple[str, ...]]:
    with scratch_namespaces(*SCRATCH) as names:
        yield names


def endpoint(n: int, active: bool = True, rules: tuple[SgRule, ...] = OPEN) -> nr.NlbEndpoint:
    eni = nr.Eni(f"plk{n:08x}e", "10.0.1.50", n, nr.ENI_MARK | n)
    return nr.NlbEndpoint(f"vpce-{n}", (eni,), rules, active)


def body(*endpoints: nr.NlbEndpoint) -> str:
    links = tuple(e.link for ep in endpoints for e in ep.enis)
    zone = nr.NlbZone("10.9.1.100", links, tuple(e.mark for ep in endpoints for e in ep.enis))
    forwards = [
        nr.NlbForward("tcp", 80, zone, (Target("10.9.1.10", 8080, "az"),)),
        nr.NlbForward("tcp", 81, zone, (Target("10.9.1.10", 8081, "az"),)),
    ]
    return nr.nlb([zone], forwards, [443], endpoints)


def comment(ns: str) -> str | None:
    return nft.observe(ns)[0]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((endpoint(1), endpoint(2)), (endpoint(1), endpoint(2), endpoint(3))),
        ((endpoint(1), endpoint(2), endpoint(3)), (endpoint(1), endpoint(3))),
        ((endpoint(1), endpoint(2)), (endpoint(1), endpoint(2, active=False))),
        ((endpoint(1),), (endpoint(1), endpoint(2, rules=CLOSED))),
        ((endpoint(1), endpoint(2, rules=CLOSED)), (endpoint(1),)),
    ],
    ids=["one-joins", "one-leaves", "one-turns-inactive", "rules-come", "rules-go"],
)
def test_members_change_in_place(
    namespaces: tuple[str, ...],
    before: tuple[Any, ...],
    after: tuple[Any, ...],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_place, whole = namespaces
    sent: list[int] = []
    send = nft_elements.send_here
    monkeypatch.setattr(nft_elements, "send_here", lambda m: (sent.append(len(m)), send(m)))
    assert nft.apply(in_place, body(*before)) == [f"{in_place}: nft ruleset"]
    assert nft.apply(in_place, body(*after)) == [f"{in_place}: nft ruleset"]
    assert sent and sent[0] > 0  # the members went over netlink
    assert comment(in_place) == nft.digest(body(*before))  # the comment lags: in place
    nft.apply(whole, body(*after))
    assert nft_objects(in_place, "inet plk") == nft_objects(whole, "inet plk")
    # A verifying look finds the lagging comment and writes the table whole once.
    assert nft.apply(in_place, body(*after), verify=True) == [f"{in_place}: nft ruleset"]
    assert comment(in_place) == nft.digest(body(*after))
    assert nft_objects(in_place, "inet plk") == nft_objects(whole, "inet plk")


def test_a_new_shape_is_written_whole(namespaces: tuple[str, ...]) -> None:
    """A listener more changes the table's shape: it is written whole."""
    ns = namespaces[0]
    nft.apply(ns, body(endpoint(1)))
    wider = body(endpoint(1)).replace("tcp dport 443 accept", "tcp dport { 443, 8443 } accept")
    assert nft_members.update("inet plk", body(endpoint(1)), wider) is None
    nft.apply(ns, wider)
    assert comment(ns) == nft.digest(wider)


def test_a_table_changed_by_hand_is_written_whole(namespaces: tuple[str, ...]) -> None:
    """Members are changed from what this process applied; if the kernel disagrees (the
    table was deleted), the transaction fails and the table is written whole."""
    ns = namespaces[0]
    nft.apply(ns, body(endpoint(1)))
    subprocess.run(["ip", "netns", "exec", ns, "nft", "delete", "table", "inet", "plk"], check=True)
    nft.apply(ns, body(endpoint(1), endpoint(2)))
    assert comment(ns) == nft.digest(body(endpoint(1), endpoint(2)))
