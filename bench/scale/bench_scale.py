"""Scale of the control side: N endpoints built through the API while the data plane runs.

Starts `privlink up --dataplane linux` (under the data-plane lock: only one process per
machine may run a Linux data plane), publishes one endpoint service (a TCP server
instance behind an NLB, auto-accepting), then builds consumer VPCs through the API, each
with a subnet, an instance and endpoints to that service (all under the VPC's default
security group, whose self-reference the plan expands). Measured:

- API latency during the build: a background thread times DescribeAvailabilityZones
  and DescribeVpcEndpoints (filtered by one VPC) back to back; every create call is
  timed too (percentiles per operation);
- time from the last create until every endpoint is `available`, and until a sample of
  endpoints carries traffic (a TCP exchange through `privlink exec INSTANCE`);
- restart with no changes: privlink SIGKILLed (the network stays), started again on the
  same state; time until its first apply is done, and how many changes it made;
- `privlink down`: its time, and what is left behind (plk namespaces, daemons);
- privlink's RSS and open descriptors, dnsmasq's and HAProxy's PSS (smaps_rollup).

With --profile PHASE, py-spy records privlink during that phase (build, settle or
restart) in py-spy's raw (collapsed stacks) format next to the results.

    flock /tmp/privlink-dataplane-tests.lock timeout 600 \\
        .venv/bin/python bench/scale/bench_scale.py --endpoints 200 [--per-vpc 1]

(SIGTERM, as `timeout` sends, stops privlink and its network before the bench exits.)

N=2000 (500 VPCs x 4 endpoints) is a long run: --endpoints 2000 --per-vpc 4.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script: the checkout's root (not the cwd) must be importable for tests.harness.
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.harness import VENV_BIN, Server, wait_until  # noqa: E402

PROVIDER = "111111111111"
VPCS_PER_ACCOUNT = 50  # under privlink's per-account VPC limit
SAMPLES = 5  # endpoints whose traffic is checked
SERVER = """#!/bin/bash
exec python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(128)
while True:
    c, _ = s.accept(); c.sendall(b"hello\\n"); c.close()
'
"""
CLIENT = (
    "import socket,sys\n"
    "s = socket.create_connection((sys.argv[1], 80), timeout=3)\n"
    "print(s.recv(64).decode().strip())\n"
)
APPLIED = re.compile(r"applied plan in (\d+) ms: (\d+) changes")


@dataclass
class Latencies:
    """Call durations (seconds) per operation, kept from several threads."""

    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, op: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            with self.lock:
                self.calls[op].append(time.monotonic() - started)

    def summary(self) -> dict[str, dict[str, float]]:
        return {op: percentiles(values) for op, values in sorted(self.calls.items())}


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(ordered),
        "p50_ms": at(0.5),
        "p90_ms": at(0.9),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


class Prober(threading.Thread):
    """Times a read-only call pair back to back until stopped (the API's answer time
    while the world grows)."""

    def __init__(self, ec2: Any, vpc_id: str, latencies: Latencies) -> None:
        super().__init__(daemon=True)
        self.ec2, self.vpc_id, self.latencies = ec2, vpc_id, latencies
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.latencies.timed("DescribeAvailabilityZones", self.ec2.describe_availability_zones)
            self.latencies.timed(
                "DescribeVpcEndpoints",
                self.ec2.describe_vpc_endpoints,
                Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}],
            )
            self.stopped.wait(0.05)


def provider(server: Server) -> str:
    """A TCP server instance behind an NLB, published as an auto-accepting service open to
    every account. Returns the service name."""
    ec2, elb = server.client("ec2", PROVIDER), server.client("elbv2", PROVIDER)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    subnet_id = subnet["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpProtocol="tcp", FromPort=8080, ToPort=8080, CidrIp="10.0.0.0/16"
    )
    backend = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        SecurityGroupIds=[group],
        UserData=SERVER,
    )["Instances"][0]["InstanceId"]
    nlb = elb.create_load_balancer(
        Name="svc", Type="network", Scheme="internal", Subnets=[subnet_id]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="svc",
        Protocol="TCP",
        Port=8080,
        VpcId=vpc,
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": backend}])
    elb.create_listener(
        LoadBalancerArn=nlb,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb], AcceptanceRequired=False
    )["ServiceConfiguration"]
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service["ServiceId"], AddAllowedPrincipals=["*"]
    )
    return str(service["ServiceName"])


@dataclass
class Consumer:
    account: str
    ec2: Any
    vpc_id: str
    instance_id: str
    endpoint_ids: list[str]


def consumer_vpc(
    server: Server, index: int, per_vpc: int, service: str, latencies: Latencies
) -> Consumer:
    """One consumer VPC: a subnet, an instance and `per_vpc` endpoints, every call timed."""
    account = f"2{index // VPCS_PER_ACCOUNT:011d}"
    ec2 = server.client("ec2", account)
    t = latencies.timed
    vpc = t("CreateVpc", ec2.create_vpc, CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = t(
        "CreateSubnet",
        ec2.create_subnet,
        VpcId=vpc,
        CidrBlock="10.0.1.0/24",
        AvailabilityZone="us-east-1a",
    )["Subnet"]["SubnetId"]
    instance = t(
        "RunInstances",
        ec2.run_instances,
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
    )["Instances"][0]["InstanceId"]
    endpoints = [
        t(
            "CreateVpcEndpoint",
            ec2.create_vpc_endpoint,
            VpcId=vpc,
            ServiceName=service,
            VpcEndpointType="Interface",
            SubnetIds=[subnet],
        )["VpcEndpoint"]["VpcEndpointId"]
        for _ in range(per_vpc)
    ]
    return Consumer(account, ec2, vpc, instance, endpoints)


def states(consumers: list[Consumer]) -> dict[str, str]:
    """Every endpoint's state, read per consumer account (paged)."""
    found: dict[str, str] = {}
    for ec2 in {c.account: c.ec2 for c in consumers}.values():
        for page in ec2.get_paginator("describe_vpc_endpoints").paginate():
            found.update({e["VpcEndpointId"]: e["State"] for e in page["VpcEndpoints"]})
    return found


def carries_traffic(consumer: Consumer, endpoint_id: str) -> bool:
    """A TCP exchange from the VPC's instance to the endpoint's address."""
    described = consumer.ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    eni = described["VpcEndpoints"][0]["NetworkInterfaceIds"][0]
    address = consumer.ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])[
        "NetworkInterfaces"
    ][0]["PrivateIpAddress"]
    done = subprocess.run(
        [str(VENV_BIN / "privlink"), "exec", consumer.instance_id, "--"]
        + ["python3", "-c", CLIENT, address],
        capture_output=True,
        text=True,
        timeout=20,
    )
    return done.stdout.strip() == "hello"


def settle(consumers: list[Consumer], timeout: float) -> dict[str, float]:
    """Seconds from now until every endpoint is available, then until a sample carries
    traffic (both None-free: a timeout raises)."""
    started = time.monotonic()
    wanted = {e for c in consumers for e in c.endpoint_ids}

    def all_available() -> bool:
        found = states(consumers)  # once per look: it reads every account's endpoints
        return all(found.get(e) == "available" for e in wanted)

    wait_until(
        all_available,
        timeout,
        1.0,
        "every endpoint to be available",
    )
    available = time.monotonic() - started
    sample = random.Random(7).sample(consumers, min(SAMPLES, len(consumers)))
    for consumer in sample:
        check = functools.partial(carries_traffic, consumer, consumer.endpoint_ids[0])
        wait_until(check, timeout, 0.5, "traffic")
    return {"available_s": round(available, 2), "traffic_s": round(time.monotonic() - started, 2)}


def pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


def daemons(state_dir: Path) -> dict[str, dict[str, int]]:
    """dnsmasq and HAProxy processes serving this state dir: count and PSS."""
    out: dict[str, dict[str, int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        name = Path(argv[0].decode(errors="replace")).name
        if name in ("dnsmasq", "haproxy") and str(state_dir).encode() in b" ".join(argv):
            entry = out.setdefault(name, {"processes": 0, "pss_kib": 0})
            entry["processes"] += 1
            entry["pss_kib"] += pss_kib(int(proc.name))
    return out


def privlink_usage(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return {
        "rss_kib": int(rss.group(1)) if rss else 0,
        "pss_kib": pss_kib(pid),
        "open_fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


def namespaces() -> int:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return sum(1 for line in listed.splitlines() if line.startswith("plk"))


class Profile:
    """py-spy recording privlink for one phase (raw collapsed stacks, per thread)."""

    def __init__(self, pid: int, out: Path) -> None:
        spy = VENV_BIN / "py-spy"
        self.proc = (
            subprocess.Popen(
                [str(spy), "record", "--pid", str(pid), "--format", "raw", "--threads"]
                + ["--rate", "50", "--output", str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if spy.exists()
            else None
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)
            self.proc.wait(timeout=60)


def applied_after(log: Path, offset: int, timeout: float) -> dict[str, int]:
    """The first 'applied plan' line written to the log after `offset`."""
    found: dict[str, int] = {}

    def seen() -> bool:
        with open(log, "rb") as f:
            f.seek(offset)
            match = APPLIED.search(f.read().decode(errors="replace"))
        if match:
            found.update(apply_ms=int(match.group(1)), changes=int(match.group(2)))
        return bool(match)

    wait_until(seen, timeout, 0.2, "privlink's first apply")
    return found


def restart(server: Server, consumers: list[Consumer], args: argparse.Namespace) -> dict[str, Any]:
    """SIGKILL (the kernel state stays), start again on the same state: time to the end
    of the first apply, and whether the network still carries traffic."""
    assert server.proc is not None
    server.proc.kill()
    server.proc.wait()
    (server.state_dir / "privlink.pid").unlink(missing_ok=True)
    offset = server.log_path.stat().st_size
    started = time.monotonic()
    server.start(timeout=120)
    profile = (
        Profile(server.proc.pid, args.out.with_suffix(".restart.txt"))
        if (args.profile == "restart")
        else None
    )
    first = applied_after(server.log_path, offset, args.timeout)
    if profile:
        profile.stop()
    elapsed = round(time.monotonic() - started, 2)
    sample = consumers[len(consumers) // 2]
    wait_until(lambda: carries_traffic(sample, sample.endpoint_ids[0]), 30, 0.5, "traffic")
    return {"restart_s": elapsed, **first}


def down(server: Server) -> dict[str, Any]:
    """`privlink down`, timed until the server process exits (reaped here at once, as a
    shell would: an unreaped zombie is not a running privlink)."""
    assert server.proc is not None
    started = time.monotonic()
    cli = subprocess.Popen(
        [str(VENV_BIN / "privlink"), "down", "--state-dir", str(server.state_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server.proc.wait(timeout=120)
    elapsed = round(time.monotonic() - started, 2)
    server.proc = None
    return {
        "down_s": elapsed,
        "down_cli_ok": cli.wait(timeout=120) == 0,
        "left_namespaces": namespaces(),
        "left_daemons": daemons(server.state_dir),
    }


def build(server: Server, args: argparse.Namespace) -> tuple[list[Consumer], dict[str, Any]]:
    """The provider, then the consumer VPCs with the prober running; py-spy if asked."""
    service = provider(server)
    latencies = Latencies()
    vpcs = args.endpoints // args.per_vpc
    first = consumer_vpc(server, 0, args.per_vpc, service, latencies)
    prober = Prober(first.ec2, first.vpc_id, latencies)
    prober.start()
    assert server.proc is not None
    profile = (
        Profile(server.proc.pid, args.out.with_suffix(".build.txt"))
        if (args.profile == "build")
        else None
    )
    started = time.monotonic()
    consumers = [first] + [
        consumer_vpc(server, i, args.per_vpc, service, latencies) for i in range(1, vpcs)
    ]
    built = time.monotonic() - started
    profile_settle = (
        Profile(server.proc.pid, args.out.with_suffix(".settle.txt"))
        if (args.profile == "settle")
        else None
    )
    if profile:
        profile.stop()
    settled = settle(consumers, args.timeout)
    if profile_settle:
        profile_settle.stop()
    prober.stopped.set()
    prober.join()
    return consumers, {
        "build_s": round(built, 2),
        "create_calls_per_s": round(sum(len(v) for v in latencies.calls.values()) / built, 1),
        **settled,
        "latency": latencies.summary(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    state = Path(tempfile.mkdtemp(prefix="privlink-scale-"))
    server = Server(
        state,
        extra_args=["--dataplane", "linux"],
        log_level="info",
        log=state / "server.log",
        strict_output=False,
    )
    server.start(timeout=60)
    result: dict[str, Any] = {"endpoints": args.endpoints, "per_vpc": args.per_vpc}
    try:
        consumers, built = build(server, args)
        result.update(built, vpcs=len(consumers), namespaces=namespaces())
        assert server.proc is not None
        result.update(privlink=privlink_usage(server.proc.pid), daemons=daemons(state))
        result.update(restart(server, consumers, args))
        result.update(down(server))
    finally:
        server.stop(timeout=180)  # Ctrl-C tears the network down: give it time
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--per-vpc", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="per waiting phase")
    parser.add_argument("--profile", choices=("build", "settle", "restart"))
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    # `timeout`/kill -TERM: stop privlink (and its network) on the way out, never orphan it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # privlink inherits it
    result = run(args)
    result["nofile_limit"] = hard
    print(json.dumps(result, indent=2))
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results[str(args.endpoints)] = result
    args.out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
