"""A layout for the endpoint path that privlink does not build yet, measured on bench.py's
plan: the endpoint's ENI in the NLB's namespace instead of a namespace of its own.

Today a consumer's packet to an endpoint crosses the endpoint's namespace (conntrack,
DNAT to the transit peer, SNAT) and the NLB's (conntrack, DNAT to a target, SNAT). Here
the ENI link is moved into the NLB's namespace, where one conntrack and NAT stage does
both jobs:
  * the ENI address is put there without a prefix route (several ENIs of one NLB may hold
    the same address, in overlapping consumer VPCs), its subnet in a table of its own;
  * an ENI's flows get a conntrack zone of their own in the original direction only (so
    equal consumer tuples behind two ENIs stay apart, while replies, which all arrive on
    the node's link, are found in the default zone);
  * forwarded packets from the ENI are marked to use the main table (the provider's
    side); everything else that concerns the ENI, replies included, carries the ENI's
    conntrack mark and is routed by it to the ENI's table (fwmark_reflect and
    tcp_fwmark_accept extend that to resets and local listeners).
The merged path's DNAT goes to a target port of its own (7779), so the target's
TIME_WAIT sockets from today's path never meet the merged path's flows (their NAT ports
differ, and the target would drop reused ones by PAWS).

Usage (root): python bench/dataplane/bench_layout.py [--secs 3] [--reps 5] [--json out]
Results: docs/benchmarks.md ("where the rest of the gap is").
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench import ENDPOINT_NS, NLB_NS, Bench, options, plan, run  # bench.py, next to this
from privlink.dataplane import names

ENI = names.eni_link("eni-bench")
NODE = names.nlb_node_link("nlb-bench", "subnet-b11")
ENI_TABLE = 101
FORWARD_MARK = 0x1000
MERGED_RULESET = f"""
table inet plkmerged {{
  map zones {{ typeof iifname : ct zone; elements = {{ "{ENI}" : 1 }} }}
  map marks {{ typeof iifname : ct mark; elements = {{ "{ENI}" : {ENI_TABLE} }} }}
  chain raw {{
    type filter hook prerouting priority raw; policy accept;
    ct original zone set iifname map @zones
  }}
  chain pre_nat {{
    type nat hook prerouting priority dstnat - 1; policy accept;
    iifname "{ENI}" ip daddr 10.0.1.50 tcp dport 80 dnat ip to 10.0.1.10:7779
  }}
  chain marks_in {{
    type filter hook prerouting priority dstnat + 10; policy accept;
    iifname "{ENI}" ct state new ct mark set iifname map @marks
    iifname "{ENI}" ct status dnat meta mark set {FORWARD_MARK} accept
    iifname "{ENI}" meta mark set ct mark accept
    ct direction reply meta mark set ct mark
  }}
  chain post_nat {{
    type nat hook postrouting priority srcnat - 1; policy accept;
    oifname "{NODE}" ct status dnat snat ip to 10.0.1.100
  }}
}}
"""
# (path, namespace the client runs in, address, port)
PATHS = {
    "direct": ("plk-i-b3", "10.0.2.10", "10.0.1.10", 7777),
    "today": ("plk-i-b1", "10.0.1.10", "10.0.1.50", 80),
    "merged": ("plk-i-b1", "10.0.1.10", "10.0.1.50", 80),
}


def ip(*argv: str) -> None:
    subprocess.run(["ip", *argv], check=True)


def merge() -> None:
    """Move the ENI into the NLB's namespace and give it the rules above."""
    ip("-n", ENDPOINT_NS, "link", "set", ENI, "netns", NLB_NS)
    ip("-n", NLB_NS, "addr", "add", "10.0.1.50/24", "dev", ENI, "noprefixroute")
    ip("-n", NLB_NS, "link", "set", ENI, "up")
    ip("-n", NLB_NS, "route", "add", "10.0.1.0/24", "dev", ENI, "table", str(ENI_TABLE))
    ip("-n", NLB_NS, "rule", "add", "pref", "500", "fwmark", hex(FORWARD_MARK), "lookup", "main")
    mark = str(ENI_TABLE)
    ip("-n", NLB_NS, "rule", "add", "pref", "501", "fwmark", mark, "lookup", mark)
    for key in ("fwmark_reflect", "tcp_fwmark_accept"):
        subprocess.run(
            ["ip", "netns", "exec", NLB_NS, "sysctl", "-qw", f"net.ipv4.{key}=1"], check=True
        )
    subprocess.run(["ip", "netns", "exec", NLB_NS, "nft", "-f", "-"], input=MERGED_RULESET,
                   text=True, check=True)  # fmt: skip


def measure(nb: str, path: str, test: str, secs: float) -> float:
    ns, _, address, port = PATHS[path]
    if test == "up":
        args = ("up", address, str(port), str(secs), "1")
        return run(ns, nb, *args, timeout=secs + 30).get("gbps", 0.0)
    args = ("cr", address, str(port), str(secs), "16")
    return run(ns, nb, *args, timeout=secs + 30).get("per_s", 0.0)


def rounds(nb: str, paths: tuple[str, str], reps: int, secs: float) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for _ in range(reps):
        for test in ("up", "cr"):
            for path in paths:
                value = measure(nb, path, test, secs)
                found.setdefault(f"{path} {test}", []).append(value)
                print(f"  {path:7s} {test}: {value:.2f}", flush=True)
                time.sleep(1)
    return found


def main() -> int:
    args = options(3.0, 5)
    with Bench() as b:
        b.driver.apply(plan())
        b.server("7777")
        b.server("7779")
        time.sleep(0.5)
        results = rounds(b.nb, ("direct", "today"), args.reps, args.secs)
        merge()
        merged = rounds(b.nb, ("direct", "merged"), args.reps, args.secs)
        results.update({f"{key} (merged phase)": values for key, values in merged.items()})
    medians = {key: statistics.median(values) for key, values in results.items()}
    print("\n| layout | bulk (x direct) | new conn/s (x direct) |\n|---|---|---|")
    for path, suffix in (("today", ""), ("merged", " (merged phase)")):
        up = medians[f"{path} up{suffix}"] / medians[f"direct up{suffix}"]
        cr = medians[f"{path} cr{suffix}"] / medians[f"direct cr{suffix}"]
        print(f"| {path} | {up:.2f}x | {cr:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
