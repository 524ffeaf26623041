"""Daemons whose state dir is gone (a crash, then a restart elsewhere) are found and stopped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from privlink.dataplane.linux import LinuxDriver
from privlink.dataplane.linux.procs import MARKER
from privlink.dataplane.plan import DataplanePlan
from tests.harness import wait_until

pytestmark = pytest.mark.dataplane


def alive(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is None


def test_marked_orphans_are_stopped_and_strangers_are_not(tmp_path: Path) -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    orphan = subprocess.Popen(sleeper, env={**os.environ, MARKER: "dnsmasq-host-resolver"})
    stranger = subprocess.Popen(sleeper)  # not ours: no marker
    driver = LinuxDriver(tmp_path / "dataplane")
    try:
        report = driver.apply(DataplanePlan())
        wait_until(lambda: not alive(orphan), 10, 0.05, f"orphan {orphan.pid} to stop")
        assert any(f"orphan process {orphan.pid}" in change for change in report.changes)
        assert alive(stranger)
    finally:
        driver.teardown()
        for proc in (orphan, stranger):
            if alive(proc):
                proc.kill()
            proc.wait()
