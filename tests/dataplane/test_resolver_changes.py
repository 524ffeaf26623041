"""A VPC's resolver never refuses or drops a query while its records change.

AWS's resolver never goes away. A client inside the VPC asks continuously (one query every
10 ms, bounded) while the driver adds and changes A records, CNAMEs and wildcards, and
removes them: every query must be answered (NOERROR or NXDOMAIN), none refused, and each
change must answer as soon as apply() returns. A query is asked again once if the first
try goes unanswered, as every stub resolver does: a CNAME or wildcard query in flight at
the moment the front switches to a new back loses its reply (dnsmasq drops replies from a
server it no longer has; linux/dnsmasq.py), and at most a few may.
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
