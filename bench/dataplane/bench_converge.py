"""What the Linux driver itself costs at scale, without the API in front of it.

Builds a synthetic plan of N consumer VPCs (one subnet, one instance, one interface
endpoint each, every VPC resolving its own names plus an S3-style wildcard) in front of
one provider VPC with an NLB, applies it with LinuxDriver directly, and times: the first
apply, a re-apply of the same plan in the same driver, a re-apply by a *new* driver (what a
restart does), and teardown. It counts privlink's open file descriptors (this process) and
the daemons left running after each phase, and checks that teardown leaves no namespace.

The API-driven scale benchmark (API latency while the network converges) is bench/scale/.

    sudo .venv/bin/python bench/dataplane/bench_converge.py --sizes 50 200 --json out.json
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from privlink.dataplane import names
from privlink.dataplane.linux import LinuxDriver, netns
from privlink.dataplane.linux.procs import marked_processes
from privlink.dataplane.plan import (
    DataplanePlan,
    DnsRecord,
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

AZ = "use1-az1"
NLB_ID = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/bench/0123abcd"
OPEN = SecurityRules(ingress=(SgRule("all", cidrs=("0.0.0.0/0",)),))


def provider() -> tuple[VpcNet, InstanceNet, NlbNet]:
    vpc = VpcNet("vpc-p0", "10.0.0.0/16", (SubnetNet("subnet-p0", "10.0.1.0/24", AZ),))
    target = InstanceNet("i-p0", "vpc-p0", "subnet-p0", "10.0.1.10", OPEN)
    group = TargetGroupNet("tg-bench", "tcp", (Target("10.0.1.10", 8080, AZ),))
    nlb = NlbNet(
        NLB_ID,
        "vpc-p0",
        (NlbNode("subnet-p0", AZ, "10.0.1.100"),),
        (NlbListener("tcp", 80, group),),
    )
    return vpc, target, nlb


def consumer(index: int) -> tuple[VpcNet, InstanceNet, EndpointNet]:
    """Consumer VPC number `index`. They all use 10.1.0.0/16: PrivateLink consumers
    normally overlap, and each VPC is its own set of namespaces anyway."""
    vpc_id, subnet_id = f"vpc-c{index:05d}", f"subnet-c{index:05d}"
    endpoint_id = f"vpce-{index:017x}"
    records = (
        DnsRecord(f"ip-10-1-1-10.{vpc_id}.internal", ("10.1.1.10",)),
        DnsRecord(f"{endpoint_id}.vpce-svc-bench.us-east-1.vpce.amazonaws.com", ("10.1.1.50",)),
        DnsRecord("s3.us-east-1.amazonaws.com", ("3.5.0.10", "3.5.0.11"), wildcard=True),
    )
    vpc = VpcNet(
        vpc_id,
        "10.1.0.0/16",
        (SubnetNet(subnet_id, "10.1.1.0/24", AZ),),
        dns_records=records,
    )
    instance = InstanceNet(f"i-c{index:05d}", vpc_id, subnet_id, "10.1.1.10", OPEN)
    eni = EniNet(f"eni-c{index:05d}", subnet_id, AZ, "10.1.1.50")
    endpoint = EndpointNet(endpoint_id, vpc_id, NLB_ID, (eni,), ingress=OPEN.ingress)
    return vpc, instance, endpoint


def plan_of(count: int) -> DataplanePlan:
    pvpc, target, nlb = provider()
    consumers = [consumer(i) for i in range(count)]
    return DataplanePlan(
        (pvpc, *(c[0] for c in consumers)),
        (target, *(c[1] for c in consumers)),
        (nlb,),
        tuple(c[2] for c in consumers),
    )


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def ours() -> tuple[int, int]:
    """(our namespaces, our marked daemons) on the host right now."""
    spaces = sum(1 for name in netns.list_names() if names.is_ours(name))
    return spaces, len(marked_processes())


def timed(what: str, fn: Any) -> tuple[float, Any]:
    started = time.monotonic()
    result = fn()
    elapsed = time.monotonic() - started
    logging.info("%s: %.2f s", what, elapsed)
    return elapsed, result


def run(count: int, state: Path) -> dict[str, Any]:
    plan = plan_of(count)
    result: dict[str, Any] = {"vpcs": count, "fds_before": fds()}
    driver = LinuxDriver(state)
    result["first_apply_s"], report = timed(f"N={count} first apply", lambda: driver.apply(plan))
    result["first_apply_errors"] = len(report.errors)
    result["first_apply_error_sample"] = sorted(report.errors.items())[:3]
    result["namespaces"], result["daemons"] = ours()
    result["fds_after_apply"] = fds()
    result["reapply_s"], report = timed(f"N={count} re-apply", lambda: driver.apply(plan))
    result["reapply_changes"] = len(report.changes)
    driver.close()  # a restart: a new driver finds everything in place
    result["fds_after_close"] = fds()
    restarted = LinuxDriver(state)
    restarted.resync()  # nothing remembered in this process is trusted, as after a restart
    result["restart_apply_s"], report = timed(
        f"N={count} restart apply", lambda: restarted.apply(plan)
    )
    result["restart_changes"] = len(report.changes)
    result["restart_errors"] = len(report.errors)
    result["fds_after_restart"] = fds()
    result["teardown_s"], _ = timed(f"N={count} teardown", restarted.teardown)
    result["left_namespaces"], result["left_daemons"] = ours()
    result["fds_after_teardown"] = fds()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--label", default="", help="recorded with the results (e.g. 'before')")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("privlink.dataplane").setLevel(logging.ERROR)
    if os.geteuid() != 0:
        print("needs root", file=sys.stderr)
        return 2
    results = []
    for count in args.sizes:
        with tempfile.TemporaryDirectory(prefix="plk-bench-") as tmp:
            results.append(run(count, Path(tmp) / "dataplane"))
        print(json.dumps(results[-1]), flush=True)
    if args.json:
        existing = json.loads(args.json.read_text()) if args.json.exists() else {}
        existing[args.label or "latest"] = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "results": results,
        }
        args.json.write_text(json.dumps(existing, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
