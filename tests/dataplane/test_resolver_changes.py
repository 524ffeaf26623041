"""A VPC's resolver never refuses or drops a query while its records change.

AWS's resolver never goes away. A client inside the VPC asks continuously (one query every
10 ms, bounded) while the driver adds and changes A records, CNAMEs and wildcards, and
removes them: every query must be answered (NOERROR or NXDOMAIN), none refused, and each
change must answer as soon as apply() returns. A query is asked again once if the first
try goes unanswered, as every stub resolver does: a CNAME or wildcard query in flight at
the moment a VPC's last CNAME and wildcard go loses its reply (its back stops;
linux/dnsmasq.py), and at most a few may. Moving to a new back loses none (the last test).
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from privlink.dataplane.plan import DataplanePlan, DnsRecord, InstanceNet
from tests.dataplane.conftest import ns_socket, run_in_ns
from tests.dataplane.scenarios import open_to, two_subnet_vpc

pytestmark = pytest.mark.dataplane

CLIENT = "plk-i-r1"
QUERIES, EVERY = 200, 0.01
NAMES = ("svc.example.internal", "x.y.bucket.s3.us-east-1.amazonaws.com", "alias.example.internal")


def plan(*records: DnsRecord) -> DataplanePlan:
    vpc = two_subnet_vpc("vpc-r0", "10.0", records)
    instance = InstanceNet("i-r1", "vpc-r0", "subnet-r01", "10.0.1.10", open_to(vpc.cidr))
    return DataplanePlan((vpc,), (instance,))


def query(sock: socket.socket, name: str) -> str:
    """One A query to the VPC resolver: its rcode name, "refused" or "unanswered"."""
    qid = random.randrange(1 << 16)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    sock.send(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + labels + b"\0\0\1\0\1")
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            reply = sock.recv(512)
        except ConnectionRefusedError:  # ICMP port unreachable: nothing listening
            return "refused"
        except TimeoutError:
            break
        if struct.unpack("!H", reply[:2])[0] == qid:
            return {0: "NOERROR", 3: "NXDOMAIN", 5: "REFUSED"}.get(reply[3] & 0xF, "other")
    return "unanswered"


def dig(name: str) -> list[str]:
    out = run_in_ns(CLIENT, "dig", "+time=1", "+tries=1", "+short", "@10.0.0.2", name).stdout
    return sorted(out.split())


def test_queries_are_answered_while_records_and_wildcards_change(driver: Any) -> None:
    a = DnsRecord("svc.example.internal", ("10.0.1.50",))
    assert driver.apply(plan(a)).ok
    front = driver.procs.pid(driver.dns.key("vpc-r0"))
    outcomes: Counter[str] = Counter()
    done = threading.Event()

    def ask() -> None:
        with ns_socket(CLIENT, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.connect(("10.0.0.2", 53))
            for i in range(QUERIES):
                outcome = query(sock, NAMES[i % len(NAMES)])
                if outcome == "unanswered":  # the stub resolver's retry
                    outcomes["retried"] += 1
                    outcome = query(sock, NAMES[i % len(NAMES)])
                outcomes[outcome] += 1
                time.sleep(EVERY)
        done.set()

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    wild = DnsRecord("s3.us-east-1.amazonaws.com", ("3.5.0.10",), wildcard=True)
    alias = DnsRecord("alias.example.internal", cname="svc.example.internal")
    steps = [
        ((a, wild), {NAMES[1]: ["3.5.0.10"]}),  # a first wildcard: a back starts
        ((replace(a, addresses=("10.0.1.51",)), wild), {NAMES[0]: ["10.0.1.51"]}),
        (
            (a, replace(wild, addresses=("10.0.1.5",)), alias),
            {NAMES[1]: ["10.0.1.5"], NAMES[2]: ["10.0.1.50", "svc.example.internal."]},
        ),
        ((a, alias), {NAMES[1]: []}),  # wildcard gone, the CNAME stays on the back
        ((a,), {NAMES[2]: []}),  # nothing for a back: it stops
        ((a, wild), {NAMES[1]: ["3.5.0.10"]}),
    ]
    rounds = 0
    while not done.is_set() and rounds < 30:
        records, expected = steps[rounds % len(steps)]
        report = driver.apply(plan(*records))
        assert report.ok, report.errors
        for name, answer in expected.items():
            assert dig(name) == answer, (rounds, name)
        rounds += 1
    asker.join(30)
    assert rounds >= len(steps)
    assert outcomes["NOERROR"] + outcomes["NXDOMAIN"] == QUERIES, outcomes
    assert outcomes["retried"] <= 3, outcomes
    assert driver.procs.pid(driver.dns.key("vpc-r0")) == front  # never restarted


def test_no_reply_is_lost_when_the_front_moves_to_a_new_back(driver: Any) -> None:
    """Four askers without pause (bounded: at most 5,000 queries each) for a wildcard name
    while its address changes ten times: each change starts a new back and moves the
    front to it. A query the front forwarded to the old back just before must still be
    answered (before the two-step handover, dnsmasq dropped that reply: 8 of ~1,200 went
    unanswered, a stub resolver's timeout each)."""
    a = DnsRecord("svc.example.internal", ("10.0.1.50",))
    wild = DnsRecord("s3.us-east-1.amazonaws.com", ("3.5.0.10",), wildcard=True)
    assert driver.apply(plan(a, wild)).ok
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    done = threading.Event()

    def ask() -> None:
        with ns_socket(CLIENT, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.connect(("10.0.0.2", 53))
            for _ in range(5000):
                if done.is_set():
                    return
                outcome = query(sock, NAMES[1])
                with lock:
                    outcomes[outcome] += 1

    askers = [threading.Thread(target=ask, daemon=True) for _ in range(4)]
    for asker in askers:
        asker.start()
    try:
        for change in range(10):
            address = f"3.5.0.{20 + change}"
            assert driver.apply(plan(a, replace(wild, addresses=(address,)))).ok
            assert dig(NAMES[1]) == [address]
    finally:
        done.set()
        for asker in askers:
            asker.join(30)
    assert set(outcomes) == {"NOERROR"}, outcomes
    assert outcomes["NOERROR"] >= 400, outcomes  # the askers were busy during the changes
