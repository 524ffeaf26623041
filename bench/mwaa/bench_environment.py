"""MWAA environments end to end: create-environment to AVAILABLE, the /aws_mwaa/cli round
trip, memory per environment.

Runs a real privlink with the Linux data plane (root; take the data-plane lock):
    flock /tmp/privlink-dataplane-tests.lock .venv/bin/python bench/mwaa/bench_environment.py

Environments are created one after another (`--environments N`), each in its own VPC,
the earlier ones still running: the k-th creation time and the host's available memory
after it give the trend as environments pile up. The CLI round trip is `curl` from an
instance in the first environment's VPC, through the web server endpoint, timed by curl
itself (time_total), for `dags list`, with all N running. `--json FILE` keeps the numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from privlink.mwaa.processes import descendants  # noqa: E402
from privlink.mwaa.runner import Environment  # noqa: E402
from tests.api.test_mwaa import prerequisites  # noqa: E402
from tests.harness import VENV_BIN, Server, free_port  # noqa: E402

ACCOUNT = "135791357913"


def pss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def mem_available_mib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


def create(server: Server, name: str, index: int) -> float:
    prereq = prerequisites(server, ACCOUNT, cidr=f"10.{40 + index}.0.0/16")
    mwaa = server.client("mwaa", ACCOUNT)
    started = time.monotonic()
    mwaa.create_environment(**prereq.create_args(name))
    while (status := mwaa.get_environment(Name=name)["Environment"]["Status"]) == "CREATING":
        time.sleep(0.2)
    if status != "AVAILABLE":
        raise SystemExit(f"{name} ended {status}")
    if index == 0:
        create.first = prereq  # type: ignore[attr-defined]
    return time.monotonic() - started


def cli_round_trips(server: Server, count: int) -> list[float]:
    prereq = create.first  # type: ignore[attr-defined]
    ec2 = server.client("ec2", ACCOUNT)
    instance = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=prereq.subnets[0],
        SecurityGroupIds=[prereq.group],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    time.sleep(3)
    mwaa = server.client("mwaa", ACCOUNT)
    ca = str(server.state_dir / "tls" / "ca.pem")
    times = []
    for _ in range(count):
        token = mwaa.create_cli_token(Name="Bench0")
        done = subprocess.run(
            [str(VENV_BIN / "privlink"), "exec", instance, "--", "curl", "-sS", "-o", "/dev/null",
             "-w", "%{time_total}", "--cacert", ca, "-X", "POST",
             "-H", f"Authorization: Bearer {token['CliToken']}", "-H", "Content-Type: text/plain",
             "--data-raw", "dags list", f"https://{token['WebServerHostname']}/aws_mwaa/cli"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        times.append(float(done.stdout))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--environments", type=int, default=2)
    parser.add_argument("--cli-calls", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, object] = {"mem_available_mib_before": mem_available_mib()}
    state = Path(tempfile.mkdtemp(prefix="bench-mwaa-", dir="/tmp"))
    state.chmod(0o711)
    server = Server(state, extra_args=["--dataplane", "linux", "--dns-port", str(free_port())])
    server.start(timeout=60)
    try:
        created, available = [], []
        for i in range(args.environments):
            created.append(create(server, f"Bench{i}", i))
            available.append(mem_available_mib())
            print(f"Bench{i}: AVAILABLE in {created[-1]:.1f} s with {i} others running; "
                  f"host MemAvailable {available[-1]} MiB", flush=True)  # fmt: skip
        print(f"create-environment -> AVAILABLE: median {statistics.median(created):.1f} s")
        trips = cli_round_trips(server, args.cli_calls)
        print(f"/aws_mwaa/cli `dags list` round trip: median {statistics.median(trips):.3f} s, "
              f"max {max(trips):.3f} s over {len(trips)} calls")  # fmt: skip
        pss = {}
        for folder in sorted((state / "mwaa").glob("Bench*")):
            running = Environment.from_state_dir(folder).running().values()
            kib = pss_kib([p for pid in running for p in descendants(pid)])
            pss[folder.name.split("-")[0]] = round(kib / 1024)
            print(f"{folder.name.split('-')[0]}: {kib / 1024:.0f} MiB PSS")
        mwaa = server.client("mwaa", ACCOUNT)
        statuses = [mwaa.get_environment(Name=n)["Environment"]["Status"] for n in pss]
        print("statuses with all running:", statuses)
        results.update(create_seconds=created, mem_available_mib_after_each=available,
                       cli_seconds=trips, pss_mib=pss, statuses=statuses)  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
    finally:
        server.stop(timeout=120)


if __name__ == "__main__":
    main()
