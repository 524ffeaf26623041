"""A second Linux data plane on the same host is refused instead of fighting the first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from privlink.dataplane.linux.hostlock import DataplaneBusy, HostLock


def test_second_holder_is_refused_and_lock_returns_after_exit(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from privlink.dataplane.linux.hostlock import HostLock\n"
            f"HostLock(Path({str(path)!r})).acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(30)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(DataplaneBusy, match=str(holder.pid)):
            HostLock(path).acquire(wait=0.3)
    finally:
        holder.kill()  # SIGKILL: the kernel releases the flock
        holder.wait()
    lock = HostLock(path)
    lock.acquire(wait=2)
    assert path.read_text().strip() == str(os.getpid())
    lock.release()


def test_one_process_may_hold_it_twice(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    first, second = HostLock(path), HostLock(path)
    first.acquire(wait=0.3)
    second.acquire(wait=0.3)  # a rebuilt driver in the same process
    first.release()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path\n"
            "from privlink.dataplane.linux.hostlock import HostLock\n"
            f"HostLock(Path({str(path)!r})).acquire(wait=0.2)\n",
        ],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0 and "DataplaneBusy" in probe.stderr  # still held by `second`
    second.release()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path\n"
            "from privlink.dataplane.linux.hostlock import HostLock\n"
            f"HostLock(Path({str(path)!r})).acquire(wait=0.2)\n",
        ],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr
