"""Long-running daemons the data plane runs inside a namespace (sshd for bastions,
OpenVPN for Client VPN endpoints), by spec: files, argv, a line that says it is ready.

Each daemon has a directory under the driver's state dir holding its files and log,
and a process key "<kind>-<owner>" in the ProcessTable (pidfile, stopped by PID only,
found again after a privlink restart, orphan-swept by its environment marker). An apply
writes the files, and (re)starts the daemon only when its generation (a digest of its
files and argv) changed or it is not running: an unchanged daemon keeps its sessions
across applies and privlink restarts. Control lines (OpenVPN's management commands) are
sent to its unix socket on every apply.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from privlink.dataplane.linux.files import read, write_if_changed
from privlink.dataplane.linux.procs import ProcessTable

READY_TIMEOUT = 10.0


@dataclass(frozen=True)
class DaemonSpec:
    kind: str  # "sshd" | "openvpn"
    owner: str  # the resource id failures are reported against
    netns: str
    directory: str  # relative to the driver's state dir
    argv: tuple[str, ...]  # run inside `netns`; "{dir}" is replaced by the directory
    files: tuple[tuple[str, str, int], ...] = ()  # (name, content, mode); "{dir}" too
    ready: str = ""  # a log line fragment that says it serves ("" = started is enough)
    control_socket: str = ""  # a unix socket (name in its directory) for control lines
    control: tuple[str, ...] = ()  # lines sent to it on every apply

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.owner}"

    def generation(self) -> str:
        digest = hashlib.sha256("\0".join(self.argv).encode())
        for name, content, mode in self.files:
            digest.update(f"\0{name}\0{mode}\0{content}".encode())
        return digest.hexdigest()[:16]


def ensure(procs: ProcessTable, state_dir: Path, daemon: DaemonSpec) -> list[str]:
    """Make `daemon` run its current generation; send its control lines."""
    root = state_dir / daemon.directory
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    for name, content, mode in daemon.files:
        write_if_changed(root / name, content.replace("{dir}", str(root)), mode)
    generation = daemon.generation()
    stamp = root / "generation"
    changes: list[str] = []
    if procs.pid(daemon.key) is None or read(stamp) != generation:
        restarted = procs.stop(daemon.key)
        log = root / "daemon.log"
        offset = log.stat().st_size if log.exists() else 0
        argv = [a.replace("{dir}", str(root)) for a in daemon.argv]
        procs.start(daemon.key, ["ip", "netns", "exec", daemon.netns, *argv], log)
        _wait_ready(procs, daemon, log, offset)
        stamp.write_text(generation)
        changes.append(f"{daemon.key}: {'restart' if restarted else 'start'}")
    if daemon.control:
        _send(root / daemon.control_socket, daemon.control)
    return changes


def _wait_ready(procs: ProcessTable, daemon: DaemonSpec, log: Path, offset: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        text = _tail(log, offset)
        if daemon.ready in text:
            return
        if procs.pid(daemon.key) is None:
            raise RuntimeError(f"{daemon.key} exited: {text[-800:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{daemon.key} not ready after {READY_TIMEOUT:.0f} s")
        time.sleep(0.01)


def _send(path: Path, lines: tuple[str, ...]) -> None:
    """Control lines to the daemon's management socket; a daemon not listening yet (or
    gone) gets them at the next apply."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(2.0)
        sock.connect(str(path))
        sock.sendall("".join(f"{line}\n" for line in lines).encode() + b"quit\n")
        with contextlib.suppress(OSError):
            while sock.recv(4096):
                pass


def _tail(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def wanted(specs: Iterable[DaemonSpec]) -> dict[str, set[str]]:
    """Owners per kind, as the sweep asks: a process of a kind not listed is stopped."""
    found: dict[str, set[str]] = {}
    for spec in specs:
        found.setdefault(spec.kind, set()).add(spec.owner)
    return found
