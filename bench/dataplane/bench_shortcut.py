"""What the subnet shortcut (privlink/dataplane/linux/subnet_shortcut.bpf.c) is worth on
the kernel endpoint path: bench.py's plan, measured with the program on the four bridge
ports the path crosses (consumer instance and ENI, NLB node and target) and with it
taken off them, the two alternating round by round (the order flipped every round),
each round measuring the direct path next to the kernel path. Reports medians of the
per-round ratios to the direct path (added microseconds for rr).

Usage (root): python bench/dataplane/bench_shortcut.py [--secs 3] [--reps 12] [--json out.json]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench import Bench, measure, options, plan  # bench.py, next to this file
from privlink.dataplane import names
from privlink.dataplane.linux import bpfobj, subnet_shortcut

PORTS = (
    (names.vpc_netns("vpc-c1"), names.instance_port("i-b1")),
    (names.vpc_netns("vpc-c1"), names.eni_port("eni-bench")),
    (names.vpc_netns("vpc-b1"), names.nlb_node_port("nlb-bench", "subnet-b11")),
    (names.vpc_netns("vpc-b1"), names.instance_port("i-b2")),
)


def shortcut(on: bool) -> None:
    """The program on the path's ports (as the driver attaches it), or off them."""
    pins = next(bpfobj.BPFFS.glob(f"{subnet_shortcut.PIN_PREFIX}*"))
    for ns, link in PORTS:
        tc = ["nsenter", f"--net=/run/netns/{ns}", "tc", "filter"]
        if on:
            tc += ["replace", "dev", link, "ingress", "prio", "1", "handle", "1", "bpf", "da"]
            tc += ["object-pinned", str(pins / "shortcut")]
        else:
            tc += ["del", "dev", link, "ingress"]
        subprocess.run(tc, check=True, capture_output=True)


def main() -> int:
    args = options(3.0, 12)
    results: dict[str, dict[str, dict[str, list[float]]]] = {"on": {}, "off": {}}
    with Bench() as b:
        report = b.driver.apply(plan())
        assert report.ok, report.errors
        b.server("7777")
        time.sleep(0.5)
        for rep in range(args.reps):
            for state in ("on", "off") if rep % 2 == 0 else ("off", "on"):
                shortcut(state == "on")
                for test in ("rr", "up", "cr"):
                    for path in ("direct", "kernel"):
                        value = measure(b.nb, path, test, args.secs)
                        results[state].setdefault(path, {}).setdefault(test, []).append(value)
                        time.sleep(0.3)
            print(f"  round {rep + 1} of {args.reps}", flush=True)
        shortcut(True)
    print("\n| shortcut | added RTT p50 | bulk, 1 stream (x direct) | new conn/s (x direct) |")
    print("|---|---|---|---|")
    for state, paths in results.items():
        direct, kernel = paths["direct"], paths["kernel"]
        added = statistics.median(k - d for d, k in zip(direct["rr"], kernel["rr"], strict=True))
        up, cr = (
            statistics.median(k / d for d, k in zip(direct[t], kernel[t], strict=True) if d)
            for t in ("up", "cr")
        )
        print(f"| {state} | +{added:.1f} us | {up:.2f}x | {cr:.2f}x |")
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
