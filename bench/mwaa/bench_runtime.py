"""The MWAA runtime on this machine: start to healthy, the /aws_mwaa/cli round trip,
idle memory, stop time.

One real Airflow environment on 127.0.0.1 (no namespaces):
- start-to-healthy, fresh (initdb + db migrate + components) and warm (same state dir
  restarted: the path privlink takes after a restart);
- `dags list` through POST /aws_mwaa/cli (HTTPS, fresh token each call) vs a cold
  `airflow dags list` process, medians;
- idle memory: proportional set size (PSS) per component and its descendants, after IDLE s;
- how long a clean stop takes, per component.

    .venv/bin/python bench/mwaa/bench_runtime.py [--version 3.0.6] [--samples 20] [--json F]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script: the checkout's root (not the cwd) must be importable for tests.*.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from privlink.mwaa import airflow_config  # noqa: E402
from privlink.mwaa.processes import descendants  # noqa: E402
from privlink.mwaa.runner import Environment  # noqa: E402
from privlink.mwaa.spec import EnvironmentSpec  # noqa: E402
from tests.harness import wait_until  # noqa: E402
from tests.mwaa.environments import HELLO_DAG, Front, make_spec, state_root  # noqa: E402

IDLE = 30.0


def timed_start(spec: EnvironmentSpec) -> dict[str, float]:
    env = Environment(spec)
    began = time.monotonic()
    env.start(300)
    started = time.monotonic()
    env.wait_healthy(300)
    return {"processes_started_s": started - began, "healthy_s": time.monotonic() - began}


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except OSError:
        return 0


def memory(env: Environment) -> dict[str, Any]:
    groups = {c: descendants(pid) for c, pid in env.running().items()}
    per = {c: sum(pss_kib(p) for p in pids) // 1024 for c, pids in groups.items()}
    return {"pss_mib": per, "total_pss_mib": sum(per.values()),
            "processes": sum(len(p) for p in groups.values())}  # fmt: skip


def cli_round_trips(front: Front, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        began = time.monotonic()
        front.cli("dags list")
        times.append(time.monotonic() - began)
    return times


def cold_cli(spec: EnvironmentSpec, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        began = time.monotonic()
        subprocess.run(airflow_config.airflow(spec, "dags", "list"), check=True,
                       env=airflow_config.environment(spec), capture_output=True)  # fmt: skip
        times.append(time.monotonic() - began)
    return times


def timed_stop(env: Environment) -> dict[str, float]:
    times = {}
    for component in reversed(env.spec.components):
        began = time.monotonic()
        env.stop_component(component)
        times[component] = round(time.monotonic() - began, 2)
    return times


def run(version: str, samples: int) -> dict[str, Any]:
    with state_root() as root:
        spec = make_spec(root, version)
        result: dict[str, Any] = {"airflow_version": version}
        result["fresh_start"] = timed_start(spec)
        env = Environment(spec)
        front = Front.of(spec)
        (spec.dags_folder / "bench_hello.py").write_text(HELLO_DAG.format(dag_id="bench_hello"))
        wait_until(lambda: "bench_hello" in front.cli("dags list")[0], 120, 1.0, "the DAG")
        warm = cli_round_trips(front, samples)
        cold = cold_cli(spec, 3)
        result["cli_dags_list_s"] = {"front_median": statistics.median(warm),
                                     "front_max": max(warm),
                                     "cold_process_median": statistics.median(cold)}  # fmt: skip
        time.sleep(IDLE)
        result["idle_memory"] = memory(env)
        result["stop_s"] = timed_stop(env)
        result["warm_start"] = timed_start(spec)
        env.stop()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default="3.0.6")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.version, args.samples)
    text = json.dumps(result, indent=2, default=lambda v: round(v, 3))
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
