"""One Linux data plane per host.

Kernel names derive from resource ids and every driver sweeps the `plk*`
objects its plan does not own, so two drivers on one host would tear down
each other's networks. An flock on a host-wide file makes the second one
fail at start with a clear message instead; the kernel drops the lock when
its holder exits, even by SIGKILL, so a crashed privlink never blocks the next.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

LOCK_PATH = Path("/run/privlink-dataplane.lock")


class DataplaneBusy(RuntimeError):
    pass


# Within one process the lock is shared (a driver rebuilt over another's state, as a restart
# does, is not a second data plane): path -> [descriptor, holders].
_HELD: dict[Path, list[int]] = {}
_GUARD = threading.Lock()


class HostLock:
    def __init__(self, path: Path = LOCK_PATH) -> None:
        self.path = path
        self._held = False

    def acquire(self, wait: float = 10.0) -> None:
        """Take the lock, waiting a little (a previous holder may still be stopping)."""
        with _GUARD:
            if self.path in _HELD:
                _HELD[self.path][1] += 1
                self._held = True
                return
            _HELD[self.path] = [self._lock_file(wait), 1]
            self._held = True

    def release(self) -> None:
        with _GUARD:
            if not self._held:
                return
            self._held = False
            entry = _HELD[self.path]
            entry[1] -= 1
            if entry[1] == 0:
                os.close(entry[0])  # closing the descriptor drops the flock
                del _HELD[self.path]

    def _lock_file(self, wait: float) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    raise DataplaneBusy(
                        f"another privlink Linux data plane is running on this host (pid "
                        f"{holder}); only one may own the plk* namespaces. Stop it first."
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd
