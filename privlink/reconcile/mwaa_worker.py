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
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from privlink.mwaa import postgres
from privlink.mwaa.processes import call_in
from privlink.mwaa.runner import Environment, StartError
from privlink.mwaa.spec import EnvironmentSpec

log = logging.getLogger("privlink.reconcile.mwaa")

START_TIMEOUT = 180.0
PROBE_SECONDS = 3.0


@dataclass(frozen=True)
class Job:
    env_id: str
    action: str  # "start" | "restart" | "stop"
    spec: EnvironmentSpec
    # Where the components reach the database, by address (probed when a start fails).
    database_probe: tuple[str, int] | None = None


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


def run(job: Job) -> Result:
    started = time.monotonic()
    runtime = Environment(job.spec)
    try:
        if job.action in ("stop", "restart"):
            runtime.stop()
        if job.action in ("start", "restart"):
            runtime.start(START_TIMEOUT)
            runtime.wait_healthy(START_TIMEOUT)
    except (StartError, OSError, RuntimeError, ValueError) as exc:
        fault = (
            job.database_probe is not None
            and postgres.is_ready(job.spec)
            and not _reachable(job.spec, job.database_probe)
        )
        log.warning("environment %s: %s failed: %s", job.spec.name, job.action, exc)
        if job.action != "stop":
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
