"""The proxy processes (proxy.py) of the endpoints to privlink's own API and of the S3
gateway relays: started, or told to reload (SIGHUP) when their config changed, and
waited for until they say they serve it (the ready file holds the config's generation).
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
from pathlib import Path

from privlink.dataplane.linux import proxyconfig
from privlink.dataplane.linux.files import read, write_if_changed
from privlink.dataplane.linux.procs import ProcessTable
from privlink.dataplane.linux.proxyconfig import ProxySpec

READY_TIMEOUT = 10.0


def ensure(procs: ProcessTable, root: Path, ps: ProxySpec) -> list[str]:
    """The proxy of `ps` running with its config (kept in `root`); what changed."""
    root.mkdir(parents=True, exist_ok=True)
    config, ready = root / "proxy.json", root / "proxy.ready"
    content = proxyconfig.dumps(ps)
    generation = hashlib.sha256(content.encode()).hexdigest()[:16]
    changed = write_if_changed(config, content)
    key = f"proxy-{ps.endpoint_id}"
    if procs.pid(key) is None:
        ready.unlink(missing_ok=True)
        procs.start(
            key,
            [sys.executable, "-m", "privlink.dataplane.linux.proxy", str(config), str(ready)],
            root / "proxy.log",
        )
        _wait_ready(procs, key, ready, generation, root / "proxy.log")
        return [f"proxy {ps.endpoint_id}: start"]
    if changed or read(ready) != generation:
        procs.signal(key, signal.SIGHUP)
        _wait_ready(procs, key, ready, generation, root / "proxy.log")
        return [f"proxy {ps.endpoint_id}: reload"]
    return []


def _wait_ready(
    procs: ProcessTable, key: str, ready: Path, generation: str, log_path: Path
) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if read(ready) == generation:
            return
        if procs.pid(key) is None:
            tail = (read(log_path) or "")[-800:]
            raise RuntimeError(f"{key} exited: {tail}")
        time.sleep(0.02)
    raise TimeoutError(f"{key} did not load its config")
