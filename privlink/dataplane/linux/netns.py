"""Named network namespaces: create, list, remove, and run code inside one.

setns(2) acts on the calling *thread* only (and Python 3.11 has no os.setns), so code that
must run "inside" a namespace runs on a short-lived thread that switched first. A socket
keeps the namespace it was created in, so a netlink or TCP socket made that way can then be
used from any thread: this is how the driver talks to many namespaces from one process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from pyroute2 import netns as pr_netns

CLONE_NEWNET = 0x40000000
RUN_DIR = Path("/run/netns")
ETC_DIR = Path("/etc/netns")

_libc = ctypes.CDLL(None, use_errno=True)
T = TypeVar("T")


def _setns_fd(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def setns(name: str) -> None:
    """Move the calling thread into namespace `name`."""
    fd = os.open(RUN_DIR / name, os.O_RDONLY | os.O_CLOEXEC)
    try:
        _setns_fd(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def entered(name: str) -> Iterator[None]:
    """Run the block with this thread inside `name`, then switch back.

    Only for threads that own their namespace (the health checker), never the event loop
    of a server that other code shares.
    """
    home = os.open(
        f"/proc/self/task/{threading.get_native_id()}/ns/net", os.O_RDONLY | os.O_CLOEXEC
    )
    try:
        setns(name)
        try:
            yield
        finally:
            _setns_fd(home)
    finally:
        os.close(home)


def run_in(name: str, fn: Callable[[], T]) -> T:
    """Call `fn` on a fresh thread that lives in namespace `name`; return its result."""
    box: dict[str, object] = {}

    def body() -> None:
        try:
            setns(name)
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=body, name=f"netns:{name}", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def exists(name: str) -> bool:
    return (RUN_DIR / name).exists()


def list_names() -> list[str]:
    return sorted(pr_netns.listnetns())


def create(name: str) -> None:
    pr_netns.create(name)


def remove(name: str) -> None:
    """Kill what runs inside, then drop the name (the kernel frees the rest)."""
    kill_processes(name)
    if exists(name):
        pr_netns.remove(name)


def pids(name: str) -> list[int]:
    """Processes whose network namespace is `name` (what `ip netns pids` prints)."""
    try:
        target = os.stat(RUN_DIR / name)
    except FileNotFoundError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{entry}/ns/net")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            found.append(int(entry))
    return found


def kill_processes(name: str, grace: float = 2.0) -> None:
    """Terminate the processes living in one of our namespaces (an instance being
    terminated, a VPC's dnsmasq ...): SIGTERM, then SIGKILL after `grace` seconds."""
    victims = [p for p in pids(name) if p != os.getpid()]
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while victims and time.monotonic() < deadline:
        time.sleep(0.05)
        victims = [p for p in victims if _alive(p)]
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def write_sysctls(name: str, values: dict[str, str]) -> list[str]:
    """Set per-namespace sysctls ("net.ipv4.ip_forward" -> "1"); return those changed."""

    def body() -> list[str]:
        changed = []
        for key, value in values.items():
            path = Path("/proc/sys") / key.replace(".", "/")
            if path.read_text().split() != value.split():
                path.write_text(value)
                changed.append(key)
        return changed

    return run_in(name, body)
