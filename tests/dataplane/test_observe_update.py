"""The flow-counting table changed in place (observe_tables.update_script) is the table a
fresh render would make, and the ports that stayed keep their counts. Real nftables in
namespaces of the test's own; nothing else is touched."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from privlink.dataplane.linux import libnft
from privlink.dataplane.linux import observe_tables as observe
from tests.dataplane.conftest import nft_objects, scratch_namespaces

pytestmark = pytest.mark.dataplane

SCRATCH = ("plk-test-obs-a", "plk-test-obs-b")


@pytest.fixture
def namespaces() -> Iterator[tuple[str, ...]]:
    with scratch_namespaces(*SCRATCH) as names:
        yield names


def port(n: int, logged: bool) -> observe.Port:
    return observe.Port(f"eni-{n}", f"plk{n:08x}e", "10.0.1.5", "subnet-1", logged, f"vpce-{n}", n)


def install(ns: str, watch: observe.Watch, kept: observe.Kept = observe.NOTHING_KEPT) -> None:
    libnft.run(ns, f"table inet {observe.TABLE} {{\n{observe.render(watch, kept)}\n}}\n")


@pytest.mark.parametrize("kind", ["endpoint", "instance"])
def test_ports_coming_and_going_change_the_table_in_place(
    namespaces: tuple[str, ...], kind: Any
) -> None:
    in_place, fresh = namespaces
    before = observe.Watch(
        "plk-nlb-x", kind, "plk-nlb-x", (port(1, True), port(2, True), port(3, False))
    )
    after = observe.Watch(
        "plk-nlb-x", kind, "plk-nlb-x", (port(2, True), port(3, False), port(4, True))
    )
    counted = {"eni_2_ok": (5, 500)} if kind == "endpoint" else {}
    install(in_place, before, observe.Kept(counters=counted))
    script = observe.update_script(before, after)
    assert script is not None
    libnft.run(in_place, script)
    install(fresh, after, observe.Kept(counters=counted))
    assert nft_objects(in_place, f"inet {observe.TABLE}") == nft_objects(
        fresh, f"inet {observe.TABLE}"
    )
    if kind == "endpoint":  # eni-2 stayed: its count went on (5 packets before the change)
        assert nft_objects(in_place, f"inet {observe.TABLE}")["counter eni_2_ok"]["packets"] == 5


def test_a_port_that_changed_replaces_the_table() -> None:
    before = observe.Watch("plk-nlb-x", "endpoint", "plk-nlb-x", (port(1, False),))
    logged = observe.Watch("plk-nlb-x", "endpoint", "plk-nlb-x", (port(1, True),))
    assert observe.update_script(before, logged) is None
    other = observe.Watch("plk-nlb-x", "instance", "plk-nlb-x", (port(1, False),))
    assert observe.update_script(before, other) is None
    # The first port a flow log names brings the flow-log chains: a new table too.
    first_logged = observe.Watch(
        "plk-nlb-x", "endpoint", "plk-nlb-x", (port(1, False), port(2, True))
    )
    assert observe.update_script(before, first_logged) is None
    unlogged = observe.Watch("plk-nlb-x", "endpoint", "plk-nlb-x", (port(1, False), port(3, False)))
    assert observe.update_script(before, unlogged) is not None
