"""Child processes the driver owns (dnsmasq, proxies, user data), tracked by pidfiles.

A pidfile holds "PID STARTTIME" (field 22 of /proc/PID/stat), so a restarted driver finds
its daemons again and never signals an unrelated process that reused a PID. Processes are
started in their own session so they outlive a driver restart; they are stopped by PID only.
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
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    close_fds=True)
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

    def _reap(self, wait: int | None = None) -> None:
        for pid, proc in list(self._children.items()):
            if pid == wait:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=2)
            if proc.poll() is not None:
                del self._children[pid]
