"""Starts and stops MWAA environments' runtimes off the store thread.

Bringing Airflow up takes tens of seconds (PostgreSQL, `airflow db migrate`,
five processes becoming healthy), so the MWAA controller only submits jobs
here and reads their results on a later pass, as the data-plane controller
does with its plan worker. Each job runs on a pool thread; at most one job per
environment is in flight.

A start that fails is classified the way MWAA reports it: when the metadata
database runs but the scheduler's namespace cannot open a TCP connection to
the database endpoint, the network is at fault (INCORRECT_CONFIGURATION, the
most common real MWAA failure); anything else is an internal error with the
runtime's own message.

An update's steps are jobs too: "snapshot" dumps the metadata database while
Airflow runs, "restart" brings Airflow up with the new spec, and "rollback" stops
it, restores the snapshot and starts the previous spec again.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from privlink.mwaa import postgres
from privlink.mwaa.processes import call_in
from privlink.mwaa.runner import Environment, StartError
from privlink.mwaa.spec import EnvironmentSpec

log = logging.getLogger("privlink.reconcile.mwaa")

START_TIMEOUT = 180.0
PROBE_SECONDS = 3.0
RESOLVE_SECONDS = 30.0


@dataclass(frozen=True)
class Job:
    env_id: str
    action: str  # "start" | "restart" | "stop" | "snapshot" | "rollback"
    spec: EnvironmentSpec
    # Where the components reach the database, by address (probed when a start fails).
    database_probe: tuple[str, int] | None = None
    snapshot: Path | None = None  # the update's database snapshot (snapshot, rollback)


@dataclass(frozen=True)
class Result:
    env_id: str
    action: str
    ok: bool
    network_fault: bool = False
    message: str = ""
    seconds: float = 0.0


def _reachable(spec: EnvironmentSpec, probe: tuple[str, int]) -> bool:
    """Whether the scheduler's namespace can open a TCP connection to the database."""

    def connect() -> bool:
        try:
            socket.create_connection(probe, timeout=PROBE_SECONDS).close()
            return True
        except OSError:
            return False

    return call_in(spec.netns.get("scheduler"), connect)


def _names_resolve(spec: EnvironmentSpec) -> None:
    """Wait until the scheduler's namespace resolves the endpoints' names. The data plane
    writes a VPC's DNS records in a pass after the endpoint became available, so Airflow
    started at once could miss them; after RESOLVE_SECONDS the start goes on and fails
    on its own if the names are still unknown."""
    netns = spec.netns.get("scheduler")
    names = [e.host for e in (spec.database_address, spec.web_address) if e is not None]
    deadline = time.monotonic() + RESOLVE_SECONDS
    for name in names:
        try:
            ipaddress.ip_address(name)
            continue
        except ValueError:
            pass
        while netns and time.monotonic() < deadline:
            probe = ["ip", "netns", "exec", netns, "getent", "hosts", name]
            if subprocess.run(probe, capture_output=True).returncode == 0:
                break
            time.sleep(0.25)


def _steps(runtime: Environment, job: Job) -> None:
    if job.action == "snapshot" and job.snapshot is not None:
        runtime.snapshot(job.snapshot)
        return
    if job.action in ("stop", "restart", "rollback"):
        runtime.stop()
    if job.action == "rollback" and job.snapshot is not None and job.snapshot.exists():
        runtime.restore(job.snapshot)
    if job.action in ("start", "restart", "rollback"):
        _names_resolve(job.spec)
        runtime.start(START_TIMEOUT)
        runtime.wait_healthy(START_TIMEOUT)


def run(job: Job) -> Result:
    started = time.monotonic()
    runtime = Environment(job.spec)
    try:
        _steps(runtime, job)
    except (StartError, OSError, RuntimeError, ValueError) as exc:
        fault = (
            job.database_probe is not None
            and postgres.is_ready(job.spec)
            and not _reachable(job.spec, job.database_probe)
        )
        log.warning("environment %s: %s failed: %s", job.spec.name, job.action, exc)
        if job.action not in ("stop", "snapshot"):
            runtime.stop()
        return Result(job.env_id, job.action, False, fault, str(exc), time.monotonic() - started)
    return Result(job.env_id, job.action, True, seconds=time.monotonic() - started)


class RuntimeWorker:
    """Runs jobs on pool threads; `on_done` wakes the controller when one finishes."""

    def __init__(self, on_done: Callable[[], None], threads: int = 4) -> None:
        self.on_done = on_done
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="privlink-mwaa")
        self.jobs: dict[str, Future[Result]] = {}

    def busy(self, env_id: str) -> bool:
        return env_id in self.jobs

    def submit(self, job: Job) -> bool:
        if job.env_id in self.jobs:
            return False
        future = self.pool.submit(run, job)
        self.jobs[job.env_id] = future
        future.add_done_callback(lambda _: self.on_done())
        return True

    def take_results(self) -> list[Result]:
        done = [env_id for env_id, future in self.jobs.items() if future.done()]
        results = []
        for env_id in done:
            future = self.jobs.pop(env_id)
            try:
                results.append(future.result())
            except Exception as exc:  # run() catches what it expects; anything else is a bug
                log.exception("runtime job of %s crashed", env_id)
                results.append(Result(env_id, "?", False, message=f"internal error: {exc}"))
        return results

    def stop_all(self, specs: list[EnvironmentSpec]) -> None:
        """privlink is shutting down: stop every environment's processes (the data plane
        removes their namespaces next; a restart starts them again on the same data)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        for spec in specs:
            started = time.monotonic()
            try:
                Environment(spec).stop()
            except Exception:
                log.exception("could not stop environment %s", spec.name)
            log.info("environment %s stopped in %.1fs", spec.name, time.monotonic() - started)
