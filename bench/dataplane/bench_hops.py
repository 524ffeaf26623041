"""What a namespace hop costs one TCP stream, with and without BIG TCP.

A chain client -- r1 -- ... -- rK -- server of network namespaces joined by veths (/31s
from 10.99.0.0/16, only inside the chain's own namespaces), plain IPv4 forwarding in the
routers: no nftables table, so no conntrack. For K = 1..--max-hops it measures one bulk
stream (nb.c `up`) once with the kernel's 64 KB packets and once with privlink's BIG TCP
limit (linux/links.py SEGMENT_LIMIT) on every link. All chains stand side by side (each
in its own namespaces), and every round measures each of them in turn. The
endpoint path crosses three more namespaces than the direct path (K = 4 against K = 1);
this separates what the hops cost from what the NAT stages on them cost.

Usage (root): python bench/dataplane/bench_hops.py [--max-hops 4] [--reps 5] [--secs 2]
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import compile_nb, options  # bench.py, next to this file
from privlink.dataplane.linux import netns
from privlink.dataplane.linux.links import SEGMENT_LIMIT
from privlink.dataplane.linux.rtdump import set_ipv4_segment_limits

PREFIX = "plk-hops"
SERVER = "10.99.255.1"  # the server's loopback address; the client's is 10.99.254.1


def ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True)


def build(hops: int) -> list[str]:
    """The chain's namespaces, client first, with routes both ways."""
    prefix = f"{PREFIX}{hops}-"
    spaces = [f"{prefix}c", *(f"{prefix}r{i}" for i in range(1, hops + 1)), f"{prefix}s"]
    for name in spaces:
        netns.create(name)
        ip("-n", name, "link", "set", "lo", "up")
        netns.write_sysctls(name, {"net.ipv4.ip_forward": "1"})
    ip("-n", spaces[0], "addr", "add", "10.99.254.1/32", "dev", "lo")
    ip("-n", spaces[-1], "addr", "add", f"{SERVER}/32", "dev", "lo")
    for i, (left, right) in enumerate(zip(spaces, spaces[1:], strict=False)):
        a, b = f"plkhop{hops}-{i}a", f"plkhop{hops}-{i}b"
        ip("link", "add", a, "netns", left, "type", "veth", "peer", "name", b, "netns", right)
        ip("-n", left, "addr", "add", f"10.99.{i}.0/31", "dev", a)
        ip("-n", right, "addr", "add", f"10.99.{i}.1/31", "dev", b)
        ip("-n", left, "link", "set", a, "up")
        ip("-n", right, "link", "set", b, "up")
        src = ["src", "10.99.254.1"] if i == 0 else []
        ip("-n", left, "route", "add", f"{SERVER}/32", "via", f"10.99.{i}.1", *src)
        ip("-n", right, "route", "add", "10.99.254.1/32", "via", f"10.99.{i}.0")
    return spaces


def segment_limit(spaces: list[str], size: int) -> None:
    def each() -> None:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as sock:
            sock.bind((0, 0))
            for index, name in socket.if_nameindex():
                if name != "lo":
                    set_ipv4_segment_limits(sock, index, size)

    for name in spaces:
        netns.run_in(name, each)


def stream(nb: str, client: str, secs: float) -> float:
    out = subprocess.run(
        ["ip", "netns", "exec", client, nb, "up", SERVER, "7777", str(secs), "1"],
        capture_output=True,
        text=True,
        timeout=secs + 30,
    )
    return float(json.loads(out.stdout)["gbps"]) if out.returncode == 0 else 0.0


def measure(nb: str, max_hops: int, reps: int, secs: float) -> dict[int, dict[str, list[float]]]:
    chains = {hops: build(hops) for hops in range(1, max_hops + 1)}
    servers = [
        subprocess.Popen(
            ["ip", "netns", "exec", spaces[-1], nb, "server", "7777"], stderr=subprocess.DEVNULL
        )
        for spaces in chains.values()
    ]
    found: dict[int, dict[str, list[float]]] = {hops: {"64k": [], "big": []} for hops in chains}
    try:
        time.sleep(0.3)
        for _ in range(reps):
            for hops, spaces in chains.items():
                for label, size in (("64k", 65536), ("big", SEGMENT_LIMIT)):
                    segment_limit(spaces, size)
                    found[hops][label].append(stream(nb, spaces[0], secs))
    finally:
        for server in servers:
            server.kill()
            server.wait(timeout=5)
        for spaces in chains.values():
            for name in spaces:
                netns.remove(name)
    return found


def main() -> int:
    args = options(2.0, 5, max_hops=4)
    work = Path(tempfile.mkdtemp(prefix="plk-bench-"))
    try:
        results = measure(compile_nb(work), args.max_hops, args.reps, args.secs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = {label: statistics.median(v) for label, v in results[1].items()}
    print("\n| routers | 64 KB packets, Gbit/s (x 1 router) | BIG TCP, Gbit/s (x 1 router) |")
    print("|---|---|---|")
    for hops, found in results.items():
        small, big = (statistics.median(found[label]) for label in ("64k", "big"))
        small_x, big_x = small / base["64k"], big / base["big"]
        print(f"| {hops} | {small:.1f} ({small_x:.2f}) | {big:.1f} ({big_x:.2f}) |")
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
