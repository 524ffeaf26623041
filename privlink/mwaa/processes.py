"""The processes of one environment: started in their own process group, tracked by pidfile.

A pidfile holds "PID STARTTIME" (field 22 of /proc/PID/stat): after privlink is
killed, the next privlink reads the state dir and adopts the processes still
running without ever signalling an unrelated process that reused a PID. Airflow
components fork (API-server workers, LocalExecutor workers, task supervisors), so
each component is a session leader and is stopped by signalling its whole group.

Every process also carries MARKER=<state dir>#<component> in its environment, so an
environment whose pidfiles were lost can still be found (`marked`). The marker is not
the data plane's: its orphan sweep must never take Airflow down.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from privlink.dataplane.linux import netns as namespaces

MARKER = "PRIVLINK_MWAA_PROCESS"
T = TypeVar("T")


def starttime(pid: int) -> str | None:
    """Field 22 of /proc/PID/stat (None for a dead or zombie process)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def group_members(pgid: int) -> list[int]:
    """Live processes of process group `pgid` (field 5 of /proc/PID/stat)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def marked(state_dir: Path) -> dict[int, str]:
    """PID -> component of every live process carrying the marker of `state_dir`."""
    prefix = f"{MARKER}={state_dir}#".encode()
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        for item in environ.split(b"\0"):
            if item.startswith(prefix):
                found[int(entry)] = item[len(prefix) :].decode(errors="replace")
                break
    return found


def wrap(argv: Sequence[str], netns: str | None, user: str | None) -> list[str]:
    """argv run inside network namespace `netns` and as `user` (both optional); both
    wrappers exec, so the PID recorded is the component's own."""
    wrapped = list(argv)
    if user is not None:
        wrapped = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *wrapped]
    if netns is not None:
        wrapped = ["ip", "netns", "exec", netns, *wrapped]
    return wrapped


def call_in(netns: str | None, fn: Callable[[], T]) -> T:
    """Call `fn` with its sockets in network namespace `netns` (None: right here): how the
    runtime itself reaches a component that listens inside a namespace."""
    return fn() if netns is None else namespaces.run_in(netns, fn)


class ProcessGroup:
    """The components of the environment in `state_dir`, one pidfile each under run_dir."""

    def __init__(self, state_dir: Path, run_dir: Path, log_dir: Path) -> None:
        self.state_dir = state_dir
        self.run_dir = run_dir
        self.log_dir = log_dir
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def _pidfile(self, component: str) -> Path:
        return self.run_dir / f"{component}.pid"

    def start(
        self,
        component: str,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: Path | None = None,
    ) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{component}.log", "ab") as out:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                cwd=cwd,
                env={**env, MARKER: f"{self.state_dir}#{component}"},
            )
        self._children[proc.pid] = proc
        self._pidfile(component).write_text(f"{proc.pid} {starttime(proc.pid) or ''}\n")
        return proc.pid

    def pid(self, component: str) -> int | None:
        """The live PID recorded for `component`, or None."""
        self._reap()
        try:
            recorded = self._pidfile(component).read_text().split()
        except FileNotFoundError:
            return None
        if len(recorded) != 2:
            return None
        pid = int(recorded[0])
        return pid if starttime(pid) == recorded[1] else None

    def running(self) -> dict[str, int]:
        if not self.run_dir.exists():
            return {}
        pids = {p.stem: self.pid(p.stem) for p in self.run_dir.glob("*.pid")}
        return {component: pid for component, pid in pids.items() if pid is not None}

    def stop(self, component: str, grace: float = 10.0, sig: int = signal.SIGTERM) -> bool:
        """Stop the component's process group (see stop_group); forget the pidfile. True if
        it was running."""
        pid = self.pid(component)
        if pid is not None:
            self.stop_group(pid, grace, sig)
        self._pidfile(component).unlink(missing_ok=True)
        return pid is not None

    def stop_group(self, pgid: int, grace: float, sig: int = signal.SIGTERM) -> None:
        """Signal the group's leader first: Airflow components shut their own children
        down (signalling the whole group at once makes the triggerer wait out its grace).
        Whatever is left once the leader is gone, or after `grace`, gets SIGTERM, then
        SIGKILL."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pgid, sig)
        self._wait(lambda: starttime(pgid) is None, grace)
        if group_members(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            self._wait(lambda: not group_members(pgid), 2.0)
        if group_members(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        self._reap(wait=pgid)

    def _wait(self, done: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done() and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)

    def _reap(self, wait: int | None = None) -> None:
        for pid, proc in list(self._children.items()):
            if pid == wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            if proc.poll() is not None:
                del self._children[pid]
