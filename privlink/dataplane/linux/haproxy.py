"""HAProxy processes for load balancers: one per ALB (or per NLB with TLS listeners).

Each runs in master-worker mode (`-W -db`, so the pidfile's PID is the master, which stays
in the foreground and in its own session, like every daemon the driver owns) inside the
load balancer's namespace, with its files under <state>/lb/<key>/. A configuration change
is checked (`haproxy -c`) and then loaded by SIGUSR2: the master starts a new worker, which
takes the listening sockets over (expose-fd listeners), and the old worker finishes the
connections it has, so a reload drops nothing. A restarted driver finds the process by its
pidfile and leaves it alone when the configuration is unchanged.

Health: each worker's stats socket answers `show stat`; `health()` turns it into ELB's
target states and reasons (haproxycfg.parse_stat).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from privlink.dataplane.base import PermanentFailure, TargetHealth, TargetState
from privlink.dataplane.linux.files import write_if_changed
from privlink.dataplane.linux.haproxycfg import (
    HaproxySpec,
    ServerHealth,
    backend_name,
    key_for,
    parse_stat,
    render,
)
from privlink.dataplane.linux.procs import ProcessTable
from privlink.dataplane.plan import DataplanePlan

READY_TIMEOUT = 10.0
BINARY = "haproxy"


def ask(sock_path: Path, command: str, timeout: float = 2.0) -> str:
    """One command on an HAProxy stats socket; its whole answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(sock_path))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def _worker_pid(sock_path: Path) -> str | None:
    try:
        info = ask(sock_path, "show info", timeout=0.5)
    except OSError:
        return None
    for line in info.splitlines():
        if line.startswith("Pid:"):
            return line.split(":", 1)[1].strip()
    return None


class HaproxyManager:
    def __init__(self, state_dir: Path, procs: ProcessTable) -> None:
        self.root = state_dir / "lb"
        self.procs = procs
        self._specs: dict[str, HaproxySpec] = {}

    def dir(self, key: str) -> Path:
        return self.root / key

    def ensure(self, spec: HaproxySpec) -> list[str]:
        """Start the load balancer's HAProxy, or reload it when its configuration changed."""
        root = self.dir(spec.key)
        root.mkdir(parents=True, exist_ok=True)
        text, files = render(spec, root)
        changed = False
        for name, content in files.items():
            changed |= write_if_changed(root / name, content, 0o600)
        config = root / "haproxy.cfg"
        changed |= write_if_changed(config, text)
        self._specs[spec.key] = spec
        sock = root / "stats.sock"
        if self.procs.pid(spec.key) is None:
            self._check(config)
            sock.unlink(missing_ok=True)
            argv = ["ip", "netns", "exec", spec.netns, BINARY, "-W", "-db", "-f", str(config)]
            self.procs.start(spec.key, argv, root / "haproxy.log")
            self._wait(spec.key, sock, None, root)
            return [f"haproxy {spec.owner}: start"]
        if not changed:
            return []
        self._check(config)
        before = _worker_pid(sock)
        self.procs.signal(spec.key, signal.SIGUSR2)
        self._wait(spec.key, sock, before, root)
        return [f"haproxy {spec.owner}: reload"]

    def prune(self, keep: set[str]) -> None:
        """Forget and remove the files of load balancers no longer served."""
        for key in list(self._specs):
            if key not in keep:
                del self._specs[key]
        if self.root.exists():
            for path in self.root.iterdir():
                if path.name not in keep:
                    shutil.rmtree(path, ignore_errors=True)

    def health(self, key: str) -> list[ServerHealth]:
        """What the load balancer's checks say of each target now ([] if not running)."""
        try:
            return parse_stat(ask(self.dir(key) / "stats.sock", "show stat"))
        except OSError:
            return []

    def target_health(
        self, plan: DataplanePlan, target_group_id: str | None = None
    ) -> list[TargetHealth]:
        """Every ALB target's health as its HAProxy's checks see it (initial until the
        first check), with ELB's reason code."""
        result = []
        for alb in plan.albs:
            seen = {(h.backend, h.ip, h.port): h for h in self.health(key_for(alb.alb_id))}
            for tg in alb.target_groups():
                if target_group_id not in (None, tg.target_group_id):
                    continue
                backend = backend_name(tg.target_group_id)
                for t in tg.targets:
                    found = seen.get((backend, t.ip, t.port))
                    state, code, text = (
                        (found.state, found.reason, found.description)
                        if found is not None
                        else ("initial", "Elb.InitialHealthChecking", "")
                    )
                    health = TargetHealth(tg.target_group_id, t.ip, t.port, TargetState(state))
                    result.append(replace(health, reason=text, code=code))
        return result

    def _check(self, config: Path) -> None:
        done = subprocess.run(
            [BINARY, "-c", "-q", "-f", str(config)], capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            raise PermanentFailure(f"haproxy rejects its configuration: {done.stderr[-600:]}")

    def _wait(self, key: str, sock: Path, before: str | None, root: Path) -> None:
        """Until a worker (a new one, after a reload) answers on the stats socket."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            pid = _worker_pid(sock)
            if pid is not None and pid != before:
                return
            if self.procs.pid(key) is None:
                tail = ""
                with contextlib.suppress(OSError):
                    tail = (root / "haproxy.log").read_text()[-600:]
                raise RuntimeError(f"{key} exited: {tail}")
            time.sleep(0.02)
        raise TimeoutError(f"{key} did not load its configuration")
