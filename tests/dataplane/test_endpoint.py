"""Interface endpoints end to end: consumer instance -> ENI -> NLB -> provider target.

Consumer and provider VPCs are both 10.0.0.0/16 unless a test says otherwise.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import links, netns, rtdump
from privlink.dataplane.plan import SgRule
from tests.dataplane.conftest import (
    Lab,
    connect,
    hello,
    ns_socket,
    read_line,
    refused_or_timeout,
    run_in_ns,
    udp_hello,
)
from tests.dataplane.scenarios import ENDPOINT_ID, privatelink, with_endpoint
from tests.harness import wait_until

pytestmark = pytest.mark.dataplane


def record_health(driver: Any) -> list[Any]:
    """Health changes as the driver reports them: after traffic already follows them."""
    events: list[Any] = []
    driver.on_target_health = events.append
    return events


def wait_health(events: list[Any], ip: str, state: TargetState) -> None:
    wait_until(
        lambda: any(e.ip == ip and e.state == state for e in events),
        timeout=10,
        message=f"{ip} {state.value}",
    )


def test_tcp_and_udp_reach_the_provider_from_the_nlb_address(driver: Any, lab: Lab) -> None:
    plan = privatelink(listeners=(("tcp", 80, 8080), ("udp", 53, 5353)), health=None)
    assert driver.apply(plan).ok
    tcp1, tcp2 = lab.tcp_server("plk-i-p1", 8080), lab.tcp_server("plk-i-p2", 8080)
    udp1, udp2 = lab.udp_server("plk-i-p1", 5353), lab.udp_server("plk-i-p2", 5353)
    for client in ("plk-i-c1", "plk-i-c2"):  # from both consumer subnets
        seen = hello(client, "10.0.1.50", 80)
        assert seen["peer"][0] == "10.0.1.100"  # the NLB node, never the consumer
    seen = udp_hello("plk-i-c1", "10.0.1.50", 53)
    assert seen["peer"][0] == "10.0.1.100"
    assert udp1.seen or udp2.seen
    for _ in range(4):
        hello("plk-i-c1", "10.0.1.50", 80)
    assert tcp1.seen and tcp2.seen  # both targets get flows (round robin)


def test_overlapping_cidrs_consumer_address_equals_target_address(driver: Any, lab: Lab) -> None:
    """i-c1 and i-p1 are both 10.0.1.10: the flow must still cross to the provider."""
    assert driver.apply(privatelink(health=None)).ok
    target = lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    for _ in range(4):
        with connect("plk-i-c1", "10.0.1.50", 80) as sock:
            assert read_line(sock)
            sock.sendall(b"ping\n")
            assert read_line(sock) == b"ping\n"
    assert target.seen and all(s["peer"][0] == "10.0.1.100" for s in target.seen)


def test_provider_cannot_open_connections_into_the_consumer(driver: Any, lab: Lab) -> None:
    plan = privatelink(consumer="10.1", provider="10.2", health=None)
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-c1", 9000)
    lab.tcp_server("plk-i-p1", 8080)
    assert hello("plk-i-c1", "10.1.1.50", 80)["peer"][0] == "10.2.1.100"
    for address in ("10.1.1.10", "10.1.1.50"):
        assert refused_or_timeout("plk-i-p1", address, 9000) is not None
    # even a provider that routes consumer space at the NLB node (where the ENIs are)
    # gets nowhere
    add = run_in_ns(
        names.vpc_netns("vpc-p0"), "ip", "route", "add", "10.1.0.0/16", "via", "10.2.1.100"
    )
    assert add.returncode == 0, add.stderr
    for address in ("10.1.1.10", "10.1.1.50"):
        assert refused_or_timeout("plk-i-p1", address, 9000, timeout=0.5) is not None


def test_endpoint_security_group_filters_consumers(driver: Any, lab: Lab) -> None:
    only_subnet1 = (SgRule("tcp", 80, 80, ("10.0.1.0/24",)),)
    assert driver.apply(privatelink(eni_ingress=only_subnet1, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
    assert refused_or_timeout("plk-i-c2", "10.0.1.50", 80) == "timeout"
    ping = run_in_ns("plk-i-c1", "ping", "-c", "1", "-W", "1", "10.0.1.50")
    assert ping.returncode != 0  # ENIs never answer ping


@pytest.mark.parametrize("proxy_protocol", [False, True], ids=["plain", "proxy_v2"])
def test_inactive_endpoint_refuses_and_cuts_open_flows(
    driver: Any, lab: Lab, proxy_protocol: bool
) -> None:
    plan = privatelink(health=None, proxy_protocol=proxy_protocol)
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=proxy_protocol)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=proxy_protocol)
    sock = connect("plk-i-c1", "10.0.1.50", 80)
    assert read_line(sock)
    sock.sendall(b"one\n")
    assert read_line(sock) == b"one\n"

    report = driver.apply(with_endpoint(plan, active=False))
    assert any(c.endswith("flushed") and "conntrack" in c for c in report.changes), report.changes
    sock.settimeout(3)
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        sock.sendall(b"two\n")
        if not sock.recv(100):
            raise ConnectionResetError("closed")
    sock.close()
    assert refused_or_timeout("plk-i-c1", "10.0.1.50", 80) == "refused"

    assert driver.apply(plan).ok  # available again
    assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"


def test_unhealthy_target_gets_no_traffic(driver: Any, lab: Lab) -> None:
    events = record_health(driver)
    assert driver.apply(privatelink()).ok
    alive = lab.tcp_server("plk-i-p1", 8080)  # i-p2 runs nothing on 8080
    wait_health(events, "10.0.1.10", TargetState.HEALTHY)
    wait_health(events, "10.0.1.11", TargetState.UNHEALTHY)
    states = {h.ip: h.state for h in driver.target_health("tg-tcp80")}
    assert states == {"10.0.1.10": TargetState.HEALTHY, "10.0.1.11": TargetState.UNHEALTHY}
    before = len(alive.seen)
    for _ in range(8):  # a flow sent to i-p2 would be refused: every one must succeed
        assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
    assert len(alive.seen) >= before + 8  # (health checks connect too)
    assert {(e.ip, e.state) for e in events} >= {
        ("10.0.1.10", TargetState.HEALTHY),
        ("10.0.1.11", TargetState.UNHEALTHY),
    }
    # health checks come from the NLB node address too
    assert all(s["peer"][0] == "10.0.1.100" for s in alive.seen)


def test_zonal_without_targets_fails_unless_cross_zone(driver: Any, lab: Lab) -> None:
    """Targets live in AZ1 only; the AZ2 ENI is 10.0.2.50."""
    assert driver.apply(privatelink(health=None)).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    assert refused_or_timeout("plk-i-c2", "10.0.2.50", 80) == "refused"
    assert driver.apply(privatelink(health=None, cross_zone=True)).ok
    assert hello("plk-i-c2", "10.0.2.50", 80)["peer"][0] == "10.0.2.100"  # AZ2's node


def test_proxy_protocol_v2_carries_consumer_and_endpoint_id(driver: Any, lab: Lab) -> None:
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=True)
    with connect("plk-i-c1", "10.0.1.50", 80) as sock:
        seen = json.loads(read_line(sock))
        client_port = sock.getsockname()[1]
        sock.sendall(b"after header\n")
        assert read_line(sock) == b"after header\n"
    assert seen["peer"][0] == "10.0.1.100"
    assert seen["proxy"] == {
        "command": "PROXY",
        "src": ["10.0.1.10", client_port],
        "dst": ["10.0.1.50", 80],
        "vpce_id": ENDPOINT_ID,
    }


def echo_bulk(sock: socket.socket, payload: bytes, secs: float = 20.0) -> bytes:
    """Send `payload` to an echoing server while reading what comes back; what came."""
    received = bytearray()
    sent = 0
    sock.setblocking(False)
    deadline = time.monotonic() + secs
    while len(received) < len(payload) and time.monotonic() < deadline:
        if sent < len(payload):
            try:
                sent += sock.send(payload[sent : sent + 65536])
            except BlockingIOError:
                pass
            if sent == len(payload):
                sock.shutdown(socket.SHUT_WR)
        try:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        except BlockingIOError:
            time.sleep(0.001)
    return bytes(received)


BIG = 100_000  # bytes: more than a packet built from 17 pages (MAX_SKB_FRAGS x 4 KiB)


def count_big_packets(ns: str) -> None:
    """Count, in `ns`, the bytes that arrive in TCP packets over BIG bytes (GSO packets)."""
    rules = (
        "add table ip plktest; add counter ip plktest big;"
        " add chain ip plktest input { type filter hook input priority 0; };"
        f" add rule ip plktest input meta l4proto tcp meta length > {BIG} counter name big"
    )
    assert run_in_ns(ns, "nft", rules).returncode == 0


def big_packet_bytes(ns: str) -> int:
    out = run_in_ns(ns, "nft", "-j", "list", "counter", "ip", "plktest", "big").stdout
    items = json.loads(out)["nftables"]
    return sum(item["counter"]["bytes"] for item in items if "counter" in item)


def echo_both_ways(sock: socket.socket, payload: bytes) -> bytes:
    """Send `payload` from a thread as fast as the path takes it while this one reads the
    echo; what came back."""

    def send() -> None:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = bytearray()
    while chunk := sock.recv(1 << 20):
        received += chunk
    sender.join(timeout=10)
    return bytes(received)


def test_proxy_protocol_bulk_flow_keeps_the_kernel_path(driver: Any, lab: Lab) -> None:
    """16 MiB echo byte for byte through a PROXY v2 listener (every packet's sequence or
    acknowledgement number moved past the header, both ways), no proxy process on the
    path, and most bytes reach the target in packets over 64 KiB (BIG TCP, as on the
    plain kernel path; a copying proxy's splice could not build them)."""
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=True)
    for target in ("plk-i-p1", "plk-i-p2"):
        count_big_packets(target)
    payload = bytes(range(251)) * (64 * 1024 + 7)  # ~16 MiB, no period of 64 KiB
    with connect("plk-i-c1", "10.0.1.50", 80, timeout=10) as sock:
        assert json.loads(read_line(sock))["proxy"]["vpce_id"] == ENDPOINT_ID
        assert echo_both_ways(sock, payload) == payload
    assert driver.proxy_stats(ENDPOINT_ID) is None  # no proxy serves the endpoint
    big = sum(big_packet_bytes(target) for target in ("plk-i-p1", "plk-i-p2"))
    assert big >= len(payload) // 2, big


def test_proxy_protocol_header_goes_before_data_sent_with_the_handshake(
    driver: Any, lab: Lab
) -> None:
    """A client that holds back the handshake's last ACK (TCP_DEFER_ACCEPT on a client
    socket) sends it with its first data: the header goes in between, the data behind it
    arrives whole, and the server's answer comes back."""
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=True)
    sock = ns_socket("plk-i-c1")
    with contextlib.closing(sock):
        sock.settimeout(3)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
        sock.connect(("10.0.1.50", 80))
        sock.sendall(b"first words\n")
        seen = json.loads(read_line(sock))
        assert seen["proxy"]["src"] == ["10.0.1.10", sock.getsockname()[1]]
        assert read_line(sock) == b"first words\n"


def lose_first_headers(ns: str) -> None:
    """In a target's namespace: drop, once per flow, a segment that starts with a PROXY v2
    signature (the header's segment lost on its way), counting the drops."""
    rules = (
        "add table ip plktest; add counter ip plktest lost;"
        " add chain ip plktest input { type filter hook input priority 0; };"
        " add rule ip plktest input tcp dport 8080 @ih,0,32 0x0d0a0d0a ct mark 0"
        " ct mark set 1 counter name lost drop"
    )
    assert run_in_ns(ns, "nft", rules).returncode == 0


def headers_lost(ns: str) -> int:
    out = run_in_ns(ns, "nft", "-j", "list", "counter", "ip", "plktest", "lost").stdout
    items = json.loads(out)["nftables"]
    return sum(item["counter"]["packets"] for item in items if "counter" in item)


@pytest.mark.parametrize("client_speaks", [False, True], ids=["server_first", "client_first"])
def test_proxy_protocol_header_lost_on_its_way_is_sent_again(
    driver: Any, lab: Lab, client_speaks: bool
) -> None:
    """The header's segment dropped before the target: the target, still waiting for the
    handshake, sends its SYN-ACK again and the client's answer carries the header again;
    or the client's data completed the handshake and left a hole, and its retransmission
    gets the header in front. Either way the flow recovers, header first."""
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    for target in ("plk-i-p1", "plk-i-p2"):
        lab.tcp_server(target, 8080, proxy_protocol=True)
        lose_first_headers(target)
    with connect("plk-i-c1", "10.0.1.50", 80, timeout=10) as sock:
        if client_speaks:
            sock.sendall(b"hello\n")
        lines = read_line(sock)  # the hello and its echo may come in one segment
        while client_speaks and lines.count(b"\n") < 2:
            lines += read_line(sock)
        seen = json.loads(lines.splitlines()[0])
        assert seen["proxy"]["src"] == ["10.0.1.10", sock.getsockname()[1]]
        assert lines.splitlines()[1:] == ([b"hello"] if client_speaks else [])
        sock.sendall(b"and more\n")
        assert read_line(sock) == b"and more\n"
    assert sum(headers_lost(t) for t in ("plk-i-p1", "plk-i-p2")) == 1


def test_proxy_protocol_flow_past_2_gib_keeps_its_numbers(driver: Any, lab: Lab) -> None:
    """Numbers moved past the header hold beyond 2 GiB into a flow, where a signed
    comparison with its first number turns round: 2.25 GiB echo, every byte checked."""
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=True)
    chunk = bytes(range(256)) * 4096  # 1 MiB
    pattern, rounds = memoryview(chunk * 2), 2304  # 2.25 GiB
    with connect("plk-i-c1", "10.0.1.50", 80, timeout=30) as sock:
        assert read_line(sock)

        def send() -> None:
            for _ in range(rounds):
                sock.sendall(chunk)
            sock.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        buf, received = bytearray(1 << 20), 0
        while n := sock.recv_into(buf):
            at = received % 256
            assert buf[:n] == pattern[at : at + n], received
            received += n
        sender.join(timeout=10)
    assert received == rounds * len(chunk)


def segment_limits(ns: str) -> dict[str, int | None]:
    """Each veth end's and bridge's IPv4 GSO limit in `ns`, as the kernel reports it."""

    def dump() -> dict[str, int | None]:
        with contextlib.closing(rtdump.open_socket()) as sock:
            kinds = ("veth", "bridge")
            return {link[0]: link[6] for link in rtdump.links(sock) if link[2] in kinds}

    return netns.run_in(ns, dump)


def test_bulk_data_crosses_the_endpoint_intact_in_packets_over_64_kb(driver: Any, lab: Lab) -> None:
    """BIG TCP (links.SEGMENT_LIMIT) on every link of the path, and 32 MiB through
    the NLB's NAT (the ENI is in its namespace) come back byte for byte."""
    plan = privatelink(health=None)
    assert driver.apply(plan).ok
    path = ("plk-i-c1", names.vpc_netns("vpc-c0"), names.nlb_netns(plan.nlbs[0].nlb_id))
    path += (names.vpc_netns("vpc-p0"), "plk-i-p1")
    for ns in path:
        limits = segment_limits(ns)
        assert limits and set(limits.values()) == {links.SEGMENT_LIMIT}, (ns, limits)
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    payload = bytes(range(251)) * (128 * 1024 + 7)  # ~32 MiB, no period of 64 KiB
    with connect("plk-i-c1", "10.0.1.50", 80, timeout=10) as sock:
        assert read_line(sock)
        assert echo_bulk(sock, payload, secs=60) == payload


@pytest.mark.parametrize("proxy_protocol", [False, True], ids=["plain", "proxy_v2"])
def test_nlb_serves_clients_inside_its_own_vpc(driver: Any, lab: Lab, proxy_protocol: bool) -> None:
    """A client of the NLB itself (its node address); with PROXY v2 the target learns the
    client and the node address it reached, and no endpoint TLV."""
    plan = privatelink(health=None, proxy_protocol=proxy_protocol)
    plan = replace(
        plan,
        instances=(
            *plan.instances,
            replace(plan.instances[2], instance_id="i-p3", ip="10.0.2.20", subnet_id="subnet-p02"),
        ),
    )
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080, proxy_protocol=proxy_protocol)
    lab.tcp_server("plk-i-p2", 8080, proxy_protocol=proxy_protocol)
    with connect("plk-i-p3", "10.0.1.100", 80) as sock:
        seen = json.loads(read_line(sock))
        sock.sendall(b"more\n")
        assert read_line(sock) == b"more\n"
        port = sock.getsockname()[1]
    assert seen["peer"][0] == "10.0.1.100"
    if proxy_protocol:
        assert seen["proxy"] == {
            "command": "PROXY",
            "src": ["10.0.2.20", port],
            "dst": ["10.0.1.100", 80],
            "vpce_id": None,
        }
    assert netns.exists(names.nlb_netns(plan.nlbs[0].nlb_id))


def test_two_overlapping_consumer_vpcs_share_one_nlb(driver: Any, lab: Lab) -> None:
    plan = privatelink(health=None)
    second_vpc = replace(
        plan.vpcs[0],
        vpc_id="vpc-d0",
        subnets=tuple(
            replace(s, subnet_id=s.subnet_id.replace("c0", "d0")) for s in plan.vpcs[0].subnets
        ),
    )
    second_client = replace(
        plan.instances[0], instance_id="i-d1", vpc_id="vpc-d0", subnet_id="subnet-d01"
    )
    second_endpoint = replace(
        plan.endpoints[0],
        endpoint_id="vpce-0d0d0d0d0d0d0d0d1",
        vpc_id="vpc-d0",
        enis=tuple(
            replace(e, eni_id=e.eni_id + "d", subnet_id=e.subnet_id.replace("c0", "d0"))
            for e in plan.endpoints[0].enis
        ),
    )
    plan = replace(
        plan,
        vpcs=(*plan.vpcs, second_vpc),
        instances=(*plan.instances, second_client),
        endpoints=(*plan.endpoints, second_endpoint),
    )
    assert driver.apply(plan).ok
    lab.tcp_server("plk-i-p1", 8080)
    lab.tcp_server("plk-i-p2", 8080)
    # same client address, same ENI address, different VPCs: both reach the provider
    for _ in range(3):
        assert hello("plk-i-c1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
        assert hello("plk-i-d1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"
    # turning one endpoint off leaves the other alone
    plan = replace(plan, endpoints=(replace(plan.endpoints[0], active=False), plan.endpoints[1]))
    assert driver.apply(plan).ok
    assert refused_or_timeout("plk-i-c1", "10.0.1.50", 80) == "refused"
    assert hello("plk-i-d1", "10.0.1.50", 80)["peer"][0] == "10.0.1.100"


def test_proxy_protocol_health_checks_send_local_headers(driver: Any, lab: Lab) -> None:
    events = record_health(driver)
    assert driver.apply(privatelink(proxy_protocol=True)).ok
    first = lab.tcp_server("plk-i-p1", 8080, proxy_protocol=True)
    wait_health(events, "10.0.1.10", TargetState.HEALTHY)
    wait_until(
        lambda: any(s.get("proxy", {}).get("command") == "LOCAL" for s in first.seen),
        timeout=5,
        message="a LOCAL header",
    )
    # i-p2 is down, so every PROXY flow lands on i-p1 (the proxy follows target health)
    wait_health(events, "10.0.1.11", TargetState.UNHEALTHY)
    for _ in range(4):
        seen = hello("plk-i-c1", "10.0.1.50", 80)
        assert seen["proxy"]["vpce_id"] == ENDPOINT_ID


def test_proxy_path_relays_a_server_that_speaks_first(driver: Any, lab: Lab) -> None:
    """A target that writes before reading (SSH, SMTP banners) through the PROXY path."""
    assert driver.apply(privatelink(proxy_protocol=True, health=None)).ok
    lab.tcp_server("plk-i-p1", 8080)  # greets at once, then echoes (the header too)
    lab.tcp_server("plk-i-p2", 8080)
    with connect("plk-i-c1", "10.0.1.50", 80) as sock:
        data = b""
        while data.count(b"\n") < 2 or len(data.partition(b"\n")[2]) < 16:
            chunk = sock.recv(256)
            assert chunk, data
            data += chunk
    line, _, echoed = data.partition(b"\n")
    greeting = json.loads(line)
    assert greeting["peer"][0] == "10.0.1.100"
    assert echoed.startswith(b"\r\n\r\n\x00\r\nQUIT\n")  # the PROXY v2 header, echoed back
