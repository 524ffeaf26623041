"""Benchmark the endpoint data paths against plain routing inside one VPC.

Paths (all built by LinuxDriver from one plan; consumer and provider VPCs overlap):
  direct  provider instance in subnet 2 -> target in subnet 1, through the VPC router
          (the baseline: plain forwarding, no NAT, no conntrack rules)
  kernel  consumer -> endpoint ENI :80 -> nft DNAT/SNAT (the ENI is in the NLB's
          namespace) -> target
  proxy   consumer -> endpoint ENI :81 -> PROXY v2 listener: the kernel path with the
          header put in by the tc program on the ENI's link (proxy_header.bpf.c) -> target
          (until 2026-11-30: a userspace proxy, uvloop, copying through 1 MiB buffers)
  haproxy consumer -> endpoint ENI :82 -> HAProxy 2.6 (TCP mode, 1 MB buffers,
          send-proxy-v2) -> target: a reference TCP proxy listening on the ENI, in the
          NLB's namespace, where privlink's proxy listened: the cost of ending TCP twice
  haproxy_splice  the same on :83 with splice forced (1 MB pipes): the zero-copy way,
          which sends packets of at most 17 pages (see privlink/dataplane/linux/relay.py)

Tests (nb.c): rr = 1-byte ping-pong latency, up = single-stream bulk upload,
cr = new connections per second (server closes first).
Ratios are against `direct`, like ../shared/research/dataplane-baseline/README.md.

Usage (root): python bench/dataplane/bench.py [--secs 3] [--reps 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from privlink.dataplane.linux import LinuxDriver
from privlink.dataplane.names import eni_link, nlb_netns
from privlink.dataplane.plan import (
    DataplanePlan,
    EndpointNet,
    EniNet,
    InstanceNet,
    NlbListener,
    NlbNet,
    NlbNode,
    SecurityRules,
    SgRule,
    SubnetNet,
    Target,
    TargetGroupNet,
    VpcNet,
)

HERE = Path(__file__).resolve().parent
AZ = "use1-az1"
OPEN = SecurityRules(ingress=(SgRule("all", cidrs=("10.0.0.0/16",)),))
PATHS = {
    "direct": ("plk-i-b3", "10.0.1.10", 7777),
    "kernel": ("plk-i-b1", "10.0.1.50", 80),
    "proxy": ("plk-i-b1", "10.0.1.50", 81),
    "haproxy": ("plk-i-b1", "10.0.1.50", 82),
    "haproxy_splice": ("plk-i-b1", "10.0.1.50", 83),
}
NLB_NS = nlb_netns("nlb-bench")
HAPROXY_CFG = f"""global
  maxconn 4096
  tune.bufsize 1048576
  tune.pipesize 1048576
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend endpoint
  bind 10.0.1.50:82 interface {eni_link("eni-bench")} namespace {NLB_NS}
  default_backend target
backend target
  server t 10.0.1.10:7779 namespace {NLB_NS} send-proxy-v2
frontend endpoint_splice
  bind 10.0.1.50:83 interface {eni_link("eni-bench")} namespace {NLB_NS}
  option splice-request
  option splice-response
  default_backend target_splice
backend target_splice
  option splice-request
  option splice-response
  server t 10.0.1.10:7779 namespace {NLB_NS} send-proxy-v2
"""


def plan() -> DataplanePlan:
    def vpc(vpc_id: str, tag: str) -> VpcNet:
        return VpcNet(
            vpc_id,
            "10.0.0.0/16",
            (
                SubnetNet(f"subnet-{tag}1", "10.0.1.0/24", AZ),
                SubnetNet(f"subnet-{tag}2", "10.0.2.0/24", AZ),
            ),
        )

    def tg(name: str, port: int, ppv2: bool) -> TargetGroupNet:
        return TargetGroupNet(
            name, "tcp", (Target("10.0.1.10", port, AZ),), health_check=None, proxy_protocol_v2=ppv2
        )

    nlb = NlbNet(
        "nlb-bench",
        "vpc-b1",
        (NlbNode("subnet-b11", AZ, "10.0.1.100"),),
        (
            NlbListener("tcp", 80, tg("tg-plain", 7777, False)),
            NlbListener("tcp", 81, tg("tg-ppv2", 7778, True)),
        ),
    )
    endpoint = EndpointNet(
        "vpce-0bbbbbbbbbbbbbbb1",
        "vpc-c1",
        "nlb-bench",
        (EniNet("eni-bench", "subnet-c11", AZ, "10.0.1.50"),),
        ingress=OPEN.ingress,
    )
    return DataplanePlan(
        (vpc("vpc-c1", "c1"), vpc("vpc-b1", "b1")),
        (
            InstanceNet("i-b1", "vpc-c1", "subnet-c11", "10.0.1.10", OPEN),
            InstanceNet("i-b2", "vpc-b1", "subnet-b11", "10.0.1.10", OPEN),
            InstanceNet("i-b3", "vpc-b1", "subnet-b12", "10.0.2.10", OPEN),
        ),
        (nlb,),
        (endpoint,),
    )


def run(ns: str, *argv: str, timeout: float) -> dict[str, float]:
    out = subprocess.run(
        ["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        return {"error": out.returncode}
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def measure(nb: str, path: str, test: str, secs: float) -> float:
    ns, ip, port = PATHS[path]
    port_s = str(port)
    limit = secs + 30
    if test == "rr":
        return run(ns, nb, "rr", ip, port_s, str(secs), timeout=limit).get("p50_us", 0.0)
    if test == "up":
        return run(ns, nb, "up", ip, port_s, str(secs), "1", timeout=limit).get("gbps", 0.0)
    return run(ns, nb, "cr", ip, port_s, str(secs), "16", timeout=limit).get("per_s", 0.0)


def start_haproxy(work: Path) -> subprocess.Popen[bytes]:
    """HAProxy for the reference rows, on the ENI like privlink's proxy. Ports 82 and 83
    are no listeners of the plan, so the NLB namespace's input chain would reset it: the bench
    opens it by hand, after the chain's first rule (the ENI's mark, which routes the
    answers back to it). The driver runs no pass while the bench measures, so nothing
    takes the rule away. It sends to a target port of its own (7779): its connections
    leave the node address and ephemeral ports in TIME_WAIT at the target, and a proxy
    row's flow SNATed to the same tuple would wait out a rejected SYN (PAWS), 1 s each.
    Sharing 7778 cut the proxy row's connection rate from 10.6k to 0.9-3.6k/s from the
    second round on (nstat at the target: TcpExtPAWSTimewait)."""
    subprocess.run(
        ["ip", "netns", "exec", NLB_NS, "nft", "add", "rule", "inet", "plk", "filter_in",
         "index", "0", "ip", "daddr", "10.0.1.50", "tcp", "dport", "{ 82, 83 }", "accept"],
        check=True,
    )  # fmt: skip
    cfg = work / "haproxy.cfg"
    cfg.write_text(HAPROXY_CFG)
    return subprocess.Popen(["haproxy", "-db", "-f", str(cfg)], stderr=subprocess.DEVNULL)


def compile_nb(work: Path) -> str:
    """nb.c built into `work`; the path of the binary."""
    nb = str(work / "nb")
    subprocess.run(["gcc", "-O2", "-pthread", "-o", nb, str(HERE / "nb.c")], check=True)
    return nb


def options(secs: float, reps: int, **more: int) -> argparse.Namespace:
    """The data-plane benches' command line: --secs, --reps, --json and integer options of
    their own (max_hops=4 is --max-hops); exits with 2 unless run as root."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--secs", type=float, default=secs)
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--json", type=Path)
    for name, default in more.items():
        ap.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        sys.exit(2)
    return args


class Bench:
    """A work directory with nb built in it and a driver whose state lives there, and the
    processes a bench starts (`server`); on the way out they are stopped, the network
    torn down and the directory removed."""

    def __init__(self) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="plk-bench-"))
        self.driver = LinuxDriver(self.work / "state")
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Bench:
        try:
            self.nb = compile_nb(self.work)
        except BaseException:
            shutil.rmtree(self.work, ignore_errors=True)
            raise
        return self

    def server(self, *argv: str) -> None:
        """nb's server with `argv` in the target's namespace."""
        cmd = ["ip", "netns", "exec", "plk-i-b2", self.nb, "server", *argv]
        self.procs.append(subprocess.Popen(cmd, stderr=subprocess.DEVNULL))

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait(timeout=5)
        self.driver.teardown()
        shutil.rmtree(self.work, ignore_errors=True)


def main() -> int:
    args = options(3.0, 1)
    results: dict[str, dict[str, list[float]]] = {}
    with Bench() as b:
        started = time.monotonic()
        report = b.driver.apply(plan())
        print(
            f"apply: {time.monotonic() - started:.2f}s, {len(report.changes)} changes,"
            f" errors {report.errors}"
        )
        b.server("7777")
        b.server("7778", "--ppv2")
        b.server("7779", "--ppv2")  # HAProxy's own: see start_haproxy
        b.procs.append(start_haproxy(b.work))
        time.sleep(0.5)
        for _ in range(args.reps):
            for test in ("rr", "up", "cr"):
                for path in PATHS:
                    value = measure(b.nb, path, test, args.secs)
                    results.setdefault(path, {}).setdefault(test, []).append(value)
                    print(f"  {path:7s} {test}: {value:.2f}", flush=True)
                    time.sleep(1)
    base = {t: statistics.median(v) for t, v in results["direct"].items()}
    print("\n| path | RTT p50 us (added) | 1 stream Gbit/s (x direct) | new conn/s (x direct) |")
    print("|---|---|---|---|")
    for path, tests in results.items():
        rr, up, cr = (statistics.median(tests[t]) for t in ("rr", "up", "cr"))
        print(
            f"| {path} | {rr:.1f} (+{rr - base['rr']:.1f}) | {up:.2f} "
            f"({up / base['up']:.2f}) | {cr:,.0f} ({cr / base['cr']:.2f}) |"
        )
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
