"""Benchmark the Reachability Analyzer (privlink/dataplane/analysis.py) on a 100-VPC plan.

The plan is synthesised (frozen plan data, no server, no store): 100 VPCs of two subnets
in two zones, a route table each, a network ACL on every other VPC's second subnet (ten
entries), four instances per VPC with security groups of a few rules, a peering between
each pair of neighbours (routes both ways), an internet gateway on every tenth VPC, and
ten provider VPCs, each with an NLB (nodes in both zones, two listeners, a target per
zone) that the other VPCs reach through an interface endpoint (two interfaces).

Each query is one whole analysis, as StartNetworkInsightsAnalysis runs it: index the
plan, walk the flow, walk the answer back. Flows: instance -> instance in its VPC (the
other subnet), -> its peer's instance, -> its endpoint (through the NLB to a target), ->
a blocked port, -> the internet. Goal: under 50 ms per analysis at 100 VPCs.

Usage: python bench/analyzer/bench_analyzer.py [--json bench/analyzer/results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from privlink.dataplane import plan as p  # noqa: E402
from privlink.dataplane import routing as r  # noqa: E402
from privlink.dataplane.analysis import Flow, Index, analyze  # noqa: E402

VPCS = 100
PROVIDERS = 10
ZONES = ("us-east-1a", "us-east-1b")


def _rules(n: int) -> p.SecurityRules:
    ingress = (
        p.SgRule("tcp", 22, 22, ("10.0.0.0/8",), f"sg-{n:08x}"),
        p.SgRule("tcp", 80, 80, ("0.0.0.0/0",), f"sg-{n:08x}"),
        p.SgRule("tcp", 8000, 8100, ("10.0.0.0/8",), f"sg-{n:08x}"),
    )
    return p.SecurityRules(ingress, (p.SgRule("all", group_id=f"sg-{n:08x}"),))


def _acl(n: int) -> r.AclNet:
    rules = tuple(
        r.AclRule(10 * i, True, "tcp", "10.0.0.0/8", 7000 + i, 7000 + i) for i in range(8)
    )
    allow = (r.AclRule(100, True, "all", "0.0.0.0/0"),)
    deny = (r.AclRule(5, False, "tcp", "0.0.0.0/0", 23, 23),)
    return r.AclNet(f"acl-{n:08x}", deny + rules + allow, allow)


def _vpc(n: int) -> tuple[p.VpcNet, list[p.InstanceNet], list[r.PeeringNet]]:
    vpc_id, cidr = f"vpc-{n:08x}", f"10.{n}.0.0/16"
    subnets = tuple(
        p.SubnetNet(f"subnet-{n:04x}{z:04x}", f"10.{n}.{z + 1}.0/24", zone, f"rtb-{n:08x}",
                    _acl(n) if (z == 1 and n % 2 == 0) else None)
        for z, zone in enumerate(ZONES)
    )  # fmt: skip
    peers = [m for m in (n - 1, n + 1) if 0 <= m < VPCS]
    routes = tuple(
        r.RouteNet(f"10.{m}.0.0/16", f"pcx-{min(n, m):04x}{max(n, m):04x}") for m in peers
    )
    igw = f"igw-{n:08x}" if n % 10 == 0 else ""
    if igw:
        routes += (r.RouteNet("0.0.0.0/0", igw),)
    vpc = p.VpcNet(vpc_id, cidr, subnets, route_tables=(r.RouteTableNet(f"rtb-{n:08x}", routes),),
                   internet_gateway=igw)  # fmt: skip
    hosts = [
        p.InstanceNet(
            f"i-{n:06x}{k:02x}",
            vpc_id,
            subnets[k % 2].subnet_id,
            f"10.{n}.{k % 2 + 1}.{10 + k}",
            _rules(n),
            eni_id=f"eni-{n:06x}{k:02x}",
            groups=(f"sg-{n:08x}",),
        )  # fmt: skip
        for k in range(4)
    ]
    peerings = (
        [r.PeeringNet(f"pcx-{n:04x}{n + 1:04x}", vpc_id, f"vpc-{n + 1:08x}")]
        if n + 1 < VPCS
        else []
    )
    return vpc, hosts, peerings


def _provider(n: int, hosts: list[p.InstanceNet]) -> p.NlbNet:
    targets = tuple(p.Target(h.ip, 8080, ZONES[i % 2]) for i, h in enumerate(hosts[:2]))
    group = p.TargetGroupNet(f"tg-{n}", "tcp", targets)
    nodes = tuple(
        p.NlbNode(f"subnet-{n:04x}{z:04x}", zone, f"10.{n}.{z + 1}.50")
        for z, zone in enumerate(ZONES)
    )
    listeners = (p.NlbListener("tcp", 80, group), p.NlbListener("tcp", 443, group))
    return p.NlbNet(f"arn:nlb/{n}", f"vpc-{n:08x}", nodes, listeners)


def build() -> p.DataplanePlan:
    vpcs, instances, peerings, nlbs, endpoints = [], [], [], [], []
    for n in range(VPCS):
        vpc, hosts, links = _vpc(n)
        vpcs.append(vpc)
        instances += hosts
        peerings += links
        if n < PROVIDERS:
            nlbs.append(_provider(n, hosts))
    for n in range(PROVIDERS, VPCS):
        provider = n % PROVIDERS
        enis = tuple(
            p.EniNet(f"eni-e{n:06x}{z:02x}", f"subnet-{n:04x}{z:04x}", zone, f"10.{n}.{z + 1}.5")
            for z, zone in enumerate(ZONES)
        )
        endpoints.append(
            p.EndpointNet(
                f"vpce-{n:017x}",
                f"vpc-{n:08x}",
                f"arn:nlb/{provider}",
                enis,
                (p.SgRule("tcp", 80, 443, ("10.0.0.0/8",), f"sg-e{n:07x}"),),
                state="available",
                service_id=f"vpce-svc-{provider:017x}",
            )  # fmt: skip
        )
    public = tuple(
        r.PublicAddress(f"198.19.0.{n // 10 + 1}", f"vpc-{n:08x}", f"10.{n}.1.10")
        for n in range(0, VPCS, 10)
    )
    return p.DataplanePlan(tuple(vpcs), tuple(instances), tuple(nlbs), tuple(endpoints),
                           peerings=tuple(peerings), internet=r.InternetNet(public))  # fmt: skip


def flows() -> list[tuple[str, Flow]]:
    out = []
    for n in range(PROVIDERS, VPCS, 7):
        me = f"i-{n:06x}00"
        out += [
            ("same VPC", Flow(me, f"i-{n:06x}01", "tcp", 8080)),
            ("peer VPC", Flow(me, f"i-{n + 1 if n + 1 < VPCS else n - 1:06x}01", "tcp", 22)),
            ("endpoint -> NLB -> target", Flow(me, f"vpce-{n:017x}", "tcp", 80)),
            ("blocked port", Flow(me, f"i-{n:06x}01", "tcp", 23)),
            ("internet", Flow(f"i-{n // 10 * 10:06x}00", f"igw-{n // 10 * 10:08x}", "tcp", 443)),
        ]
    return out


def run(rounds: int) -> dict[str, object]:
    plan = build()
    cases = flows()
    times: dict[str, list[float]] = {}
    verdicts: dict[str, bool] = {}
    for _ in range(rounds):
        for label, flow in cases:
            started = time.perf_counter()
            verdict = analyze(plan, flow)
            times.setdefault(label, []).append((time.perf_counter() - started) * 1000)
            verdicts[label] = verdict.reachable
    started = time.perf_counter()
    Index(plan)
    index_ms = (time.perf_counter() - started) * 1000
    every = [t for ts in times.values() for t in ts]
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "vpcs": VPCS,
        "instances": len(plan.instances),
        "endpoints": len(plan.endpoints),
        "analyses": len(every),
        "index_ms": round(index_ms, 2),
        "median_ms": round(statistics.median(every), 2),
        "p95_ms": round(statistics.quantiles(every, n=20)[18], 2),
        "by_flow": {
            label: {"median_ms": round(statistics.median(ts), 2), "reachable": verdicts[label]}
            for label, ts in times.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.rounds)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
