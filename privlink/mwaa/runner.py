"""Run one MWAA environment's processes: start, adopt after a restart, stop, report health.

`Environment(spec).start()` brings up, in order: the private PostgreSQL cluster,
`airflow db migrate`, the Airflow components (3.x: api-server, scheduler,
dag-processor, triggerer; 2.x: webserver, scheduler, triggerer, all LocalExecutor),
the warm CLI fork server and the HTTPS front. Starting is idempotent: a component
whose recorded process still runs is adopted, any other is (re)started. So after
privlink is killed, `Environment.from_state_dir(dir).start()` adopts or replaces every
process from the state dir alone, and `stop()` leaves none behind.

`netns` in the spec puts a component inside a network namespace (`ip netns exec`);
creating the namespaces and their addresses is the data plane's job, not this module's.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from privlink.mwaa import airflow_config, postgres
from privlink.mwaa.cli import run_command
from privlink.mwaa.processes import ProcessGroup, belonging, call_in, wrap
from privlink.mwaa.spec import EnvironmentSpec


class StartError(RuntimeError):
    """An environment that could not be brought up; the message says which step failed."""


@dataclass(frozen=True)
class Health:
    """What Airflow's health endpoint says, per component ('healthy' / 'unhealthy' / None)."""

    reachable: bool
    components: dict[str, str | None]

    @property
    def healthy(self) -> bool:
        return self.reachable and all(s == "healthy" for s in self.components.values())


class Environment:
    def __init__(self, spec: EnvironmentSpec) -> None:
        self.spec = spec
        layout = spec.layout
        self.processes = ProcessGroup(spec.state_dir, layout.run_dir, layout.logs)

    @classmethod
    def from_state_dir(cls, state_dir: Path) -> Environment:
        return cls(EnvironmentSpec.load(state_dir))

    # -- start ---------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Bring every component up (adopting those still running); return once the
        database accepts connections and every process is started. `wait_healthy` tells
        when Airflow itself reports healthy."""
        spec = self.spec
        if not (spec.venv / "bin" / "airflow").exists():
            raise StartError(f"Airflow {spec.airflow_version} is not installed "
                             f"(scripts/install-airflow {spec.airflow_version})")  # fmt: skip
        spec.save()
        spec.dags_folder.mkdir(parents=True, exist_ok=True)
        airflow_config.write_files(spec)
        deadline = time.monotonic() + timeout
        self._database(deadline)
        postgres.ensure_database(spec)
        airflow_components = [c for c in spec.components if c not in ("postgres", "front")]
        if any(self.processes.pid(c) is None for c in airflow_components):
            self.migrate()
        for component in airflow_components:
            self._ensure(component, airflow_config.component_argv(spec, component))
        if spec.major < 3:
            self._wait(self._admin_created, deadline, "the REST API's admin user (2.x)")
        self._ensure("front", airflow_config.component_argv(spec, "front"), env=dict(os.environ))

    def _database(self, deadline: float) -> None:
        """The metadata database running (adopted or started), accepting connections."""
        spec = self.spec
        postgres.initialize(spec)
        self._ensure("postgres", postgres.server_argv(spec), postgres.server_user())
        self._wait(lambda: postgres.is_ready(spec), deadline, "PostgreSQL to accept connections")

    def snapshot(self, path: Path, timeout: float = 60.0) -> None:
        """Dump the metadata database to `path` (an update's first step); Airflow keeps
        running meanwhile."""
        self._database(time.monotonic() + timeout)
        postgres.dump(self.spec, path)

    def restore(self, path: Path, timeout: float = 60.0) -> None:
        """Put the metadata database back as `path` has it (a rollback): every Airflow
        component stops first; `start` brings them up again."""
        for component in reversed(self.spec.components):
            if component != "postgres":
                self.stop_component(component)
        self._database(time.monotonic() + timeout)
        postgres.restore(self.spec, path)

    def _admin_created(self) -> bool:
        """Airflow 2 only: the FAB user rest.py signs in as (`users create`, idempotent),
        run by the warm CLI once it listens; False while it does not yet."""
        argv = ["users", "create", "--username", airflow_config.ADMIN_USER,
                "--password", self.spec.secrets.admin_password, "--role", "Admin",
                "--firstname", "privlink", "--lastname", "MWAA",
                "--email", "admin@privlink.invalid"]  # fmt: skip
        try:
            result = asyncio.run(run_command(self.spec.layout.cli_socket, argv))
        except OSError:  # not listening yet
            return False
        if result.exit_code != 0:
            raise StartError("creating the admin user failed: " + result.stderr.decode()[-500:])
        return True

    def _ensure(
        self,
        component: str,
        argv: list[str],
        user: str | None = None,
        env: dict[str, str] | None = None,
    ) -> int:
        pid = self.processes.pid(component)
        if pid is not None:
            return pid
        netns = self.spec.netns.get(component)
        return self.processes.start(
            component,
            wrap(argv, netns, user),
            env if env is not None else airflow_config.environment(self.spec),
            cwd=self.spec.state_dir,
        )

    def migrate(self) -> None:
        """`airflow db migrate` (idempotent), from the scheduler's namespace if it has one."""
        argv = wrap(
            airflow_config.airflow(self.spec, "db", "migrate"),
            self.spec.netns.get("scheduler"),
            None,
        )
        done = subprocess.run(
            argv,
            env=airflow_config.environment(self.spec),
            capture_output=True,
            text=True,
            cwd=self.spec.state_dir,
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise StartError("airflow db migrate failed: " + " | ".join(tail))

    @staticmethod
    def _wait(predicate: Callable[[], bool], deadline: float, what: str) -> None:
        while not predicate():
            if time.monotonic() > deadline:
                raise StartError(f"timed out waiting for {what}")
            time.sleep(0.1)

    # -- observe -------------------------------------------------------------------------

    def running(self) -> dict[str, int]:
        """component -> PID of every component process alive now."""
        return self.processes.running()

    def health(self) -> Health:
        """Airflow's own health report (unauthenticated, as load balancers probe it)."""
        url = self.spec.web.url() + airflow_config.health_path(self.spec)

        def fetch() -> object:
            with urllib.request.urlopen(url, timeout=3) as answer:
                return json.load(answer)

        try:
            report = call_in(self.spec.netns.get(self.spec.web_component), fetch)
            if not isinstance(report, dict):
                return Health(False, {})
        except (OSError, ValueError, urllib.error.URLError):
            return Health(False, {})
        components = {
            name: (value or {}).get("status") if isinstance(value, dict) else None
            for name, value in report.items()
        }
        if self.spec.major < 3:
            components.pop("dag_processor", None)  # 2.x: parsing runs inside the scheduler
        return Health(True, components)

    def wait_healthy(self, timeout: float = 120.0) -> Health:
        deadline = time.monotonic() + timeout
        while True:
            health = self.health()
            if health.healthy:
                return health
            dead = [c for c in self.spec.components if self.processes.pid(c) is None]
            if dead:
                raise StartError(f"components exited: {', '.join(dead)} "
                                 f"(logs in {self.spec.layout.logs})")  # fmt: skip
            if time.monotonic() > deadline:
                raise StartError(f"not healthy after {timeout:g}s: {health}")
            time.sleep(0.25)

    # -- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every component, newest first, by process group; then any process of the
        environment still running (its pidfile lost in a crash)."""
        for component in reversed(self.spec.components):
            self.stop_component(component)
        self.processes.stop_pids(self.leftovers())

    def leftovers(self) -> list[int]:
        """Processes of this environment, with or without a pidfile (see `belonging`)."""
        executables = [self.spec.venv / "bin" / "python", postgres.bin_dir() / "postgres",
                       Path(sys.executable)]  # fmt: skip
        return belonging(self.spec.state_dir, executables)

    def stop_component(self, component: str) -> bool:
        """Stop one component; True if it was running."""
        # PostgreSQL: SIGINT is its fast shutdown (SIGTERM waits for clients to leave)
        sig = signal.SIGINT if component == "postgres" else signal.SIGTERM
        return self.processes.stop(component, sig=sig)
