"""Child processes the driver owns (dnsmasq, proxies, user data), tracked by pidfiles.

A pidfile holds "PID STARTTIME" (field 22 of /proc/PID/stat), so a restarted driver finds
its daemons again and never signals an unrelated process that reused a PID. Processes are
started in their own session so they outlive a driver restart; they are stopped by PID only.

Every process also carries its key in the environment (MARKER), inherited by whatever it
starts. If a state dir is lost (a crash, then a restart elsewhere), its pidfiles go with it;
the marker still lets the next driver find those daemons -- a host-namespace dnsmasq holding
a port, a proxy -- and stop them by PID. The host lock (hostlock.py) guarantees that a
marked process whose key the running driver does not want is an orphan.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path


def _starttime(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return None
    if fields[0] == "Z":
        return None
    return fields[19]


MARKER = "PRIVLINK_DATAPLANE_PROCESS"


def marked_processes() -> dict[int, str]:
    """PID -> key of every live process carrying the marker."""
    found: dict[int, str] = {}
    prefix = f"{MARKER}=".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:  # gone meanwhile, or a kernel thread
            continue
        for item in environ.split(b"\0"):
            if item.startswith(prefix):
                found[int(entry)] = item[len(prefix) :].decode(errors="replace")
                break
    return found


class ProcessTable:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()  # resolvers start in parallel (converge.py)

    def _pidfile(self, key: str) -> Path:
        return self.run_dir / f"{key}.pid"

    def keys(self) -> list[str]:
        if not self.run_dir.exists():
            return []
        return sorted(p.stem for p in self.run_dir.glob("*.pid"))

    def start(self, key: str, argv: list[str], log: Path) -> int:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                env={**os.environ, MARKER: key},
            )
        with self._lock:
            self._children[proc.pid] = proc
        self._pidfile(key).write_text(f"{proc.pid} {_starttime(proc.pid) or ''}\n")
        return proc.pid

    def alive(self, key: str, pid: int) -> bool:
        """Whether `pid`, recorded for `key`, still runs: for a child of this table a
        waitpid, no file read (what a pass asks of every daemon it left alone)."""
        child = self._children.get(pid)
        if child is None:
            return self.pid(key) == pid
        return child.poll() is None

    def pid(self, key: str) -> int | None:
        """The live PID recorded for `key`, or None (an exited child of ours is reaped
        here, so it never lingers as a zombie)."""
        try:
            recorded = self._pidfile(key).read_text().split()
        except FileNotFoundError:
            return None
        if len(recorded) != 2:
            return None
        pid = int(recorded[0])
        child = self._children.get(pid)
        if child is not None and child.poll() is not None:
            with self._lock:
                self._children.pop(pid, None)
            return None
        return pid if _starttime(pid) == recorded[1] else None

    def signal(self, key: str, sig: int) -> bool:
        pid = self.pid(key)
        if pid is None:
            return False
        os.kill(pid, sig)
        return True

    def stop(self, key: str, grace: float = 3.0) -> bool:
        """SIGTERM, then SIGKILL after `grace`; forget the pidfile. True if it was running."""
        return bool(self.stop_all([key], grace))

    def stop_all(self, keys: Iterable[str], grace: float = 3.0) -> list[str]:
        """Stop many at once: SIGTERM to all, one shared wait of at most `grace`, SIGKILL
        to whatever is left, reap our children. Returns the keys that were running."""
        keys = list(keys)
        running = {key: pid for key in keys if (pid := self.pid(key)) is not None}
        _terminate(set(running.values()), grace)
        self._reap(wait=set(running.values()))
        for key in keys:
            self._pidfile(key).unlink(missing_ok=True)
        return list(running)

    def stop_orphans(self, wanted: set[str], grace: float = 3.0) -> list[str]:
        """Stop marked processes whose key is not wanted (their owner's state is gone)."""
        victims = {
            pid: key
            for pid, key in marked_processes().items()
            if key not in wanted and pid != os.getpid()
        }
        _terminate(set(victims), grace)
        self._reap(wait=set(victims))
        return [f"orphan process {pid} ({key}): stopped" for pid, key in victims.items()]

    def _reap(self, wait: set[int] | frozenset[int] = frozenset()) -> None:
        """Collect exited children (a zombie is not running, and must not stay one)."""
        with self._lock:
            children = list(self._children.items())
        for pid, proc in children:
            if pid in wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=2)
            if proc.poll() is not None:
                with self._lock:
                    self._children.pop(pid, None)


def _terminate(pids: set[int], grace: float) -> None:
    """SIGTERM every PID, wait until all are gone (zombies count as gone) or `grace`
    has passed, then SIGKILL the rest: one wait for all, not one per process."""
    started = {pid: _starttime(pid) for pid in pids}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    left = {pid for pid in pids if started[pid] is not None}
    deadline = time.monotonic() + grace
    delay = 0.002
    while left and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
        left = {pid for pid in left if _starttime(pid) == started[pid]}
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
