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
import time
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
        self._children[proc.pid] = proc
        self._pidfile(key).write_text(f"{proc.pid} {_starttime(proc.pid) or ''}\n")
        return proc.pid

    def pid(self, key: str) -> int | None:
        """The live PID recorded for `key`, or None."""
        self._reap()
        try:
            recorded = self._pidfile(key).read_text().split()
        except FileNotFoundError:
            return None
        if len(recorded) != 2:
            return None
        pid = int(recorded[0])
        return pid if _starttime(pid) == recorded[1] else None

    def signal(self, key: str, sig: int) -> bool:
        pid = self.pid(key)
        if pid is None:
            return False
        os.kill(pid, sig)
        return True

    def stop(self, key: str, grace: float = 3.0) -> bool:
        """SIGTERM, then SIGKILL after `grace`; forget the pidfile. True if it was running."""
        pid = self.pid(key)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.pid(key) is not None and time.monotonic() < deadline:
                time.sleep(0.02)
            if self.pid(key) is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._reap(wait=pid)
        self._pidfile(key).unlink(missing_ok=True)
        return pid is not None

    def stop_orphans(self, wanted: set[str], grace: float = 3.0) -> list[str]:
        """Stop marked processes whose key is not wanted (their owner's state is gone)."""
        stopped = []
        for pid, key in marked_processes().items():
            if key in wanted or pid == os.getpid():
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while _starttime(pid) is not None and time.monotonic() < deadline:
                time.sleep(0.02)
            if _starttime(pid) is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self._reap(wait=pid)
            stopped.append(f"orphan process {pid} ({key}): stopped")
        return stopped

    def _reap(self, wait: int | None = None) -> None:
        for pid, proc in list(self._children.items()):
            if pid == wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=2)
            if proc.poll() is not None:
                del self._children[pid]
