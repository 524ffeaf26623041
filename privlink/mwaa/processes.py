"""The processes of one environment: started in their own process group, tracked by pidfile.

A pidfile holds "PID STARTTIME" (field 22 of /proc/PID/stat): after privlink is
killed, the next privlink reads the state dir and adopts the processes still
running without ever signalling an unrelated process that reused a PID. Airflow
components fork (API-server workers, LocalExecutor workers, task supervisors), so
each component is a session leader and is stopped by signalling its whole group.

Every process runs with the state dir as its working directory (PostgreSQL moves into
its data directory below it), so an environment whose pidfiles were lost can still be
found (`belonging`): by working directory and executable, not by an environment
variable, which PostgreSQL and the API server overwrite with their process titles.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from privlink.dataplane.linux import netns as namespaces

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


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it. PostgreSQL's children start sessions of
    their own, so a process group does not hold them; the parent links do."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X"):
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid] if starttime(pid) is not None else []
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def belonging(state_dir: Path, executables: Iterable[Path]) -> list[int]:
    """Live processes working inside `state_dir` whose executable is one of `executables`
    (an environment's processes, found without their pidfiles)."""
    wanted = {os.path.realpath(e) for e in executables}
    root = os.path.realpath(state_dir)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{entry}/cwd")
            exe = os.readlink(f"/proc/{entry}/exe")
        except OSError:
            continue
        inside = cwd == root or cwd.startswith(root + "/")
        if inside and exe in wanted and starttime(int(entry)) is not None:
            found.append(int(entry))
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
                env=dict(env),
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

    def stop_pids(self, pids: list[int], grace: float = 5.0) -> None:
        """SIGTERM to each process, SIGKILL to those alive after `grace`."""
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        self._wait(lambda: all(starttime(pid) is None for pid in pids), grace)
        for pid in pids:
            if starttime(pid) is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

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
