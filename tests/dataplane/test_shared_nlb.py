"""Two consumers behind one NLB, in VPCs with the same CIDR: their endpoints' ENIs hold
the same address in the NLB's namespace (topology.py), and even flows with equal tuples
must stay apart: each reaches the provider, answers go back to the right consumer, one
endpoint turning inactive cuts its flows only, and the PROXY v2 header names the right
endpoint."""

from __future__ import annotations

import socket
from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import topology
from privlink.dataplane.plan import DataplanePlan, EniNet, InstanceNet
from tests.dataplane.conftest import Lab, ns_socket, read_line, refused_or_timeout, run_in_ns
from tests.dataplane.scenarios import (
    AZ1,
    ENDPOINT_ID,
    FAST_CHECK,
    open_to,
    privatelink,
    two_subnet_vpc,
)
from tests.harness import wait_until

pytestmark = pytest.mark.dataplane

OTHER_ID = "vpce-0d0d0d0d0d0d0d0d1"
SOURCE_PORT = 40123


def two_consumers(**kwargs: Any) -> DataplanePlan:
    """privatelink() plus vpc-d0, also 10.0.0.0/16: i-d1 is 10.0.1.10 like i-c1, and its
    endpoint's ENI 10.0.1.50 like the first endpoint's."""
    plan = privatelink(health=None, **kwargs)
    vpc = two_subnet_vpc("vpc-d0", "10.0")
    first = plan.endpoints[0]
    other = replace(
        first,
        endpoint_id=OTHER_ID,
        vpc_id="vpc-d0",
        enis=(EniNet("eni-0d1", "subnet-d01", AZ1, "10.0.1.50"),),
    )
    instance = InstanceNet("i-d1", "vpc-d0", "subnet-d01", "10.0.1.10", open_to(vpc.cidr))
    return replace(
        plan,
        vpcs=(*plan.vpcs, vpc),
        instances=(*plan.instances, instance),
        endpoints=(first, other),
    )


def open_from(
    ns: str, port: int = 80, address: str = "10.0.1.50", sport: int = SOURCE_PORT
) -> socket.socket:
    """A connection to an ENI from the same source port in every consumer."""
    sock = ns_socket(ns)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.settimeout(3)
    sock.bind(("10.0.1.10", sport))
    sock.connect((address, port))
    return sock


def echo(sock: socket.socket, text: bytes) -> bytes:
    sock.sendall(text)
    return read_line(sock)


def test_equal_tuples_behind_one_nlb_stay_apart(driver: Any, lab: Lab) -> None:
    plan = two_consumers()
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    c, d = open_from("plk-i-c1"), open_from("plk-i-d1")  # the same 5-tuple, twice
    assert read_line(c) and read_line(d)
    assert echo(c, b"from c\n") == b"from c\n"
    assert echo(d, b"from d\n") == b"from d\n"

    # The second endpoint turns inactive: its flow is cut, the first one's lives on.
    inactive = replace(
        plan, endpoints=(plan.endpoints[0], replace(plan.endpoints[1], active=False))
    )
    report = driver.apply(inactive)
    assert f"{names.nlb_netns(plan.nlbs[0].nlb_id)}: conntrack of {OTHER_ID} flushed" in (
        report.changes
    ), report.changes
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        if not echo(d, b"again\n"):
            raise ConnectionResetError("closed")
    assert refused_or_timeout("plk-i-d1", "10.0.1.50", 80) == "refused"
    assert echo(c, b"still c\n") == b"still c\n"
    c.close()
    d.close()


def test_proxy_protocol_names_each_endpoint_behind_one_address(driver: Any, lab: Lab) -> None:
    """Two flows with the same 5-tuple at once, one behind each ENI: each PROXY v2 header
    names its endpoint and the client's own source port, as it arrived on the ENI (the
    program keys flows by the ENI link's MAC and reads the port before any NAT)."""
    plan = two_consumers(proxy_protocol=True)
    assert driver.apply(plan).ok
    targets = [lab.tcp_server(ns, 8080, proxy_protocol=True) for ns in ("plk-i-p1", "plk-i-p2")]
    with open_from("plk-i-c1") as c, open_from("plk-i-d1") as d:
        for sock in (c, d):
            assert read_line(sock)
            assert echo(sock, b"ping\n") == b"ping\n"
    seen = [s["proxy"] for t in targets for s in t.seen]
    assert sorted(s["vpce_id"] for s in seen) == sorted((ENDPOINT_ID, OTHER_ID))
    assert all(s["src"] == ("10.0.1.10", SOURCE_PORT) for s in seen), seen
    assert all(s["dst"] == ("10.0.1.50", 80) for s in seen), seen


def test_arp_and_routes_keep_consumer_and_provider_apart(driver: Any) -> None:
    """The provider asks for 10.0.1.50 on its own subnet (where a provider host may hold
    it): the NLB's node never answers for an ENI's address; and the ENIs' routes are in
    their own tables, the main table has the provider's only."""
    plan = two_consumers()
    assert driver.apply(plan).ok
    nlb = names.nlb_netns(plan.nlbs[0].nlb_id)
    main = run_in_ns(nlb, "ip", "route", "show", "table", "main").stdout
    assert "10.0.1.50" not in main and names.eni_link("eni-0c1") not in main
    assert run_in_ns("plk-i-p1", "ping", "-c", "1", "-W", "1", "10.0.1.50").returncode != 0
    neighbour = run_in_ns("plk-i-p1", "ip", "neigh", "show", "10.0.1.50").stdout
    assert "lladdr" not in neighbour, neighbour


@pytest.mark.parametrize("proxy_protocol", [False, True], ids=["kernel", "proxy"])
def test_a_target_may_hold_an_eni_address(driver: Any, lab: Lab, proxy_protocol: bool) -> None:
    """The consumer's ENI is 10.0.1.11, like the provider's target i-p2: health checks
    from the NLB's node, the DNATed flows and the proxy's upstream all reach the target,
    never the ENI beside them in the namespace."""
    plan = privatelink(health=FAST_CHECK, proxy_protocol=proxy_protocol)
    first = plan.endpoints[0]
    enis = (replace(first.enis[0], ip="10.0.1.11"), *first.enis[1:])
    plan = replace(plan, endpoints=(replace(first, enis=enis),))
    assert driver.apply(plan).ok
    servers = [
        lab.tcp_server(ns, 8080, proxy_protocol=proxy_protocol) for ns in ("plk-i-p1", "plk-i-p2")
    ]
    wait_until(
        lambda: {h.state for h in driver.target_health("tg-tcp80")} == {TargetState.HEALTHY},
        20,
        0.2,
        "both targets healthy",
    )
    for n in range(6):  # a port each: the last one's tuple waits in TIME_WAIT
        with open_from("plk-i-c1", address="10.0.1.11", sport=SOURCE_PORT + 1 + n) as sock:
            assert read_line(sock)
            assert echo(sock, b"ping\n") == b"ping\n"
    assert all(s.seen for s in servers)  # round robin reached both, i-p2 included


def test_an_endpoint_joining_the_nlb_keeps_the_others_counts(driver: Any, lab: Lab) -> None:
    """The NLB's counting table is rewritten when an endpoint joins: what the first
    endpoint's ENI counted so far (PrivateLink metrics) carries over, it does not restart."""
    two = two_consumers()
    one = replace(two, endpoints=two.endpoints[:1])
    assert driver.apply(one).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    for n in range(3):
        with open_from("plk-i-c1", sport=SOURCE_PORT + 10 + n) as sock:
            assert read_line(sock)

    def counted() -> dict[str, tuple[int, int]]:
        return {c.eni_id: (c.new, c.bytes) for c in driver.observe().endpoints}

    before = counted()["eni-0c1"]
    assert before[0] == 3 and before[1] > 0
    report = driver.apply(two)  # the second endpoint joins: the table is replaced
    assert any("nft table observe" in c for c in report.changes), report.changes
    after = counted()
    assert after["eni-0c1"] >= before and after["eni-0d1"] == (0, 0)


def test_an_eni_table_routed_through_another_link_is_put_back(driver: Any, lab: Lab) -> None:
    """An ENI's table names its link in every route (its default route too): one found
    pointing through another ENI (by hand here; a table that changed hands would look the
    same) is replaced on the next look, and answers go back through the right ENI."""
    plan = two_consumers()
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    nlb = names.nlb_netns(plan.nlbs[0].nlb_id)
    slots = topology.build(plan).eni_slots
    table = str(names.ROUTE_TABLE_BASE + slots["eni-0c1"])
    wrong = names.eni_link("eni-0d1")
    moved = run_in_ns(
        nlb,
        "ip",
        "route",
        "replace",
        "default",
        "via",
        "10.0.1.1",
        "dev",
        wrong,
        "onlink",
        "table",
        table,
        "proto",
        "static",  # as privlink's own routes: it manages those
    )
    assert moved.returncode == 0, moved.stderr
    assert refused_or_timeout("plk-i-c2", "10.0.1.50", 80) is not None  # answers go astray
    driver.resync()
    report = driver.apply(plan)
    assert report.ok and any(f"table {table}" in c for c in report.changes), report.changes
    route = run_in_ns(nlb, "ip", "route", "show", "default", "table", table).stdout
    assert names.eni_link("eni-0c1") in route, route
    with open_from("plk-i-c1", sport=SOURCE_PORT + 20) as sock:
        assert read_line(sock)
