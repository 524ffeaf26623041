"""privlink vs moto's server on the same PrivateLink workload, side by side in one run.

Workload (issue: "PrivateLink control plane"): 50 VPCs with one subnet each,
1,000 interface endpoints across them (20 per VPC), then DescribeVpcEndpoints
with no filter (all 1,000) and with a vpc-id filter (20). Both servers run on
loopback, privlink with its default SQLite store (state persisted), moto in
memory. Describe rounds alternate between the two servers so machine noise
hits both alike; the table reports medians and privlink/moto ratios.

    .venv/bin/python bench/api/bench_endpoints.py [--endpoints 1000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

# Run as a script: the checkout's root (not the cwd) must be importable for tests.harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.harness import VENV_BIN, Server, free_port, http_answers, wait_until  # noqa: E402

REGION = "us-east-1"
SERVICE = f"com.amazonaws.{REGION}.sns"


def start_privlink(state: Path) -> Server:
    """privlink with its default SQLite store; plain output, as users run it."""
    server = Server(state, https_port=0, log=Path(os.devnull), strict_output=False)
    return server.start(timeout=60)


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_answers(url + "/moto-api/"), 60, 0.2, f"moto on {url}")
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def client(url: str) -> Any:
    return boto3.client(
        "ec2",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="123456789012",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def populate(ec2: Any, vpcs: int, endpoints: int) -> tuple[list[str], float]:
    """Create the VPCs and subnets (untimed), then the endpoints (timed): (vpc ids, seconds)."""
    layout = []
    for i in range(vpcs):
        vpc = ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.{i}.1.0/24", AvailabilityZone=f"{REGION}a"
        )["Subnet"]["SubnetId"]
        layout.append((vpc, subnet))
    start = time.perf_counter()
    for n in range(endpoints):
        vpc, subnet = layout[n % vpcs]
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=SERVICE,
            VpcEndpointType="Interface",
            SubnetIds=[subnet],
            PrivateDnsEnabled=False,
        )
    return [v for v, _ in layout], time.perf_counter() - start


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=50)
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="privlink-bench-"))
    privlink: Server | None = None
    moto: subprocess.Popen[bytes] | None = None
    try:
        privlink = start_privlink(state)
        moto, moto_url = start_moto()
        targets = {"privlink": client(privlink.url), "moto": client(moto_url)}

        created: dict[str, tuple[list[str], float]] = {}
        for name, ec2 in targets.items():
            created[name] = populate(ec2, args.vpcs, args.endpoints)
            count = len(ec2.describe_vpc_endpoints()["VpcEndpoints"])
            assert count >= args.endpoints, f"{name}: {count} endpoints"

        samples: dict[str, dict[str, list[float]]] = {
            n: {"all": [], "filtered": []} for n in targets
        }
        for r in range(args.rounds):
            order = list(targets) if r % 2 == 0 else list(reversed(targets))
            for name in order:
                ec2 = targets[name]
                vpc = created[name][0][r % args.vpcs]
                samples[name]["all"].append(timed(lambda e=ec2: e.describe_vpc_endpoints()))
                samples[name]["filtered"].append(
                    timed(
                        lambda e=ec2, v=vpc: e.describe_vpc_endpoints(
                            Filters=[{"Name": "vpc-id", "Values": [v]}]
                        )
                    )
                )

        result: dict[str, Any] = {
            "endpoints": args.endpoints,
            "vpcs": args.vpcs,
            "rounds": args.rounds,
            "servers": {},
        }
        for name in targets:
            result["servers"][name] = {
                "create_per_s": args.endpoints / created[name][1],
                "describe_all_ms": statistics.median(samples[name]["all"]) * 1000,
                "describe_filtered_ms": statistics.median(samples[name]["filtered"]) * 1000,
            }
        p, m = result["servers"]["privlink"], result["servers"]["moto"]
        result["ratios"] = {
            "create_throughput": p["create_per_s"] / m["create_per_s"],
            "describe_all_throughput": m["describe_all_ms"] / p["describe_all_ms"],
            "describe_filtered_throughput": m["describe_filtered_ms"] / p["describe_filtered_ms"],
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(table(result))
    finally:
        if privlink is not None:
            privlink.stop()
        if moto is not None:
            stop(moto)
        shutil.rmtree(state, ignore_errors=True)


def table(result: dict[str, Any]) -> str:
    p, m, r = result["servers"]["privlink"], result["servers"]["moto"], result["ratios"]
    rows = [
        "| measure | privlink | moto server | privlink / moto |",
        "|---|---|---|---|",
        f"| CreateVpcEndpoint, calls/s | {p['create_per_s']:.0f} | {m['create_per_s']:.0f} "
        f"| {r['create_throughput']:.2f}x |",
        f"| DescribeVpcEndpoints, all {result['endpoints']}, ms (median) "
        f"| {p['describe_all_ms']:.1f} | {m['describe_all_ms']:.1f} "
        f"| {r['describe_all_throughput']:.2f}x throughput |",
        f"| DescribeVpcEndpoints, vpc-id filter, ms (median) | {p['describe_filtered_ms']:.1f} "
        f"| {m['describe_filtered_ms']:.1f} "
        f"| {r['describe_filtered_throughput']:.2f}x throughput |",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    main()
