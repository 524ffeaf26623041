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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from pyroute2 import netns as pr_netns

CLONE_NEWNET = 0x40000000
MS_BIND, MS_REC, MS_SHARED = 0x1000, 0x4000, 1 << 20
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


_local = threading.local()


def _hops() -> None:
    _local.hops = True


class Hopper(ThreadPoolExecutor):
    """Worker threads that enter namespaces in place: on them, `run_in` and `create` switch
    the worker itself instead of starting (and waiting for) a thread per call. A pass does
    its per-namespace work (thousands of calls) on these: a new thread must win the GIL to
    start and again to report back, which on a busy process costs up to a switch interval
    (5 ms) each time, and that, not the kernel, was most of the time spent per namespace.
    A worker's namespace is whatever it entered last, so only work that enters its own
    namespace first (run_in, create) may run on one."""

    def __init__(self, workers: int, prefix: str) -> None:
        super().__init__(workers, thread_name_prefix=prefix, initializer=_hops)


def run_in(name: str, fn: Callable[[], T]) -> T:
    """Call `fn` inside namespace `name` and return its result: on a fresh thread, or on
    this one if it is a Hopper's worker."""

    def body() -> T:
        setns(name)
        return fn()

    return _on_thread(body, f"netns:{name}")


def _on_thread(fn: Callable[[], T], label: str = "netns") -> T:
    """Call `fn` on a thread that may change namespaces: a fresh one that then ends, or
    the calling thread itself when it is a Hopper's worker."""
    if getattr(_local, "hops", False):
        return fn()
    box: dict[str, object] = {}

    def body() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            box["error"] = exc

    thread = threading.Thread(target=body, name=label, daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def exec_argv(name: str, argv: list[str]) -> list[str]:
    """`argv` run inside namespace `name` ("" = here). nsenter only switches the network
    namespace and execs (same PID); `ip netns exec` also builds a mount namespace with
    /etc/netns bind mounts, which costs more the more namespaces the host has."""
    return ["nsenter", f"--net={RUN_DIR / name}", *argv] if name else list(argv)


def exists(name: str) -> bool:
    return os.path.exists(f"{RUN_DIR}/{name}")


def inode_of(name: str) -> int:
    """The namespace's inode (-1: none). A namespace re-created under the same name is a
    different one, so what is remembered about a namespace is keyed by it."""
    try:
        return os.stat(f"{RUN_DIR}/{name}").st_ino  # a str path: a Path cost 4x the stat
    except OSError:
        return -1


def list_names() -> list[str]:
    return sorted(pr_netns.listnetns())


def create(name: str) -> None:
    """A new namespace bound at /run/netns/`name` (as `ip netns add`), made on a throwaway
    thread that unshares itself into it: no helper process forked per namespace."""
    _share_run_dir()
    path = RUN_DIR / name
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0))

    def body() -> None:
        if _libc.unshare(CLONE_NEWNET) != 0:
            _fail("unshare")
        if _libc.mount(b"/proc/thread-self/ns/net", bytes(path), b"none", MS_BIND, None) != 0:
            _fail(f"mount {path}")

    try:
        _on_thread(body)
    except OSError:
        path.unlink(missing_ok=True)
        raise


def _fail(what: str) -> None:
    err = ctypes.get_errno()
    raise OSError(err, f"{what}: {os.strerror(err)}")


_shared: list[bool] = []


def _share_run_dir() -> None:
    """Make /run/netns a shared mount point once (what iproute2 does), so a namespace
    bound there is seen in every mount namespace, `ip netns exec`'s included."""
    if _shared:
        return
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    run_dir = bytes(RUN_DIR)
    if _libc.mount(b"", run_dir, b"none", MS_SHARED | MS_REC, None) != 0:
        if _libc.mount(run_dir, run_dir, b"none", MS_BIND | MS_REC, None) != 0:
            _fail(f"mount {RUN_DIR}")
        if _libc.mount(b"", run_dir, b"none", MS_SHARED | MS_REC, None) != 0:
            _fail(f"share {RUN_DIR}")
    _shared.append(True)


def remove(name: str, kill: bool = True) -> None:
    """Kill what runs inside (unless the caller already did), then drop the name (the
    kernel frees the rest once nothing holds the namespace)."""
    if kill:
        kill_processes_in([name])
    if exists(name):
        pr_netns.remove(name)


def pids(name: str) -> list[int]:
    """Processes whose network namespace is `name` (what `ip netns pids` prints)."""
    return pids_in([name]).get(name, [])


def pids_in(spaces: Iterable[str]) -> dict[str, list[int]]:
    """Processes living in any of `spaces`, by namespace: one pass over /proc for all."""
    inodes: dict[tuple[int, int], str] = {}
    for name in spaces:
        with contextlib.suppress(FileNotFoundError):
            st = os.stat(RUN_DIR / name)
            inodes[(st.st_dev, st.st_ino)] = name
    found: dict[str, list[int]] = {}
    if not inodes:
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            st = os.stat(f"/proc/{entry}/ns/net")
        except OSError:
            continue
        space = inodes.get((st.st_dev, st.st_ino))
        if space is not None:
            found.setdefault(space, []).append(int(entry))
    return found


def kill_processes(name: str, grace: float = 2.0) -> None:
    """Terminate the processes living in one of our namespaces."""
    kill_processes_in([name], grace)


def kill_processes_in(spaces: Iterable[str], grace: float = 2.0) -> None:
    """Terminate the processes living in any of `spaces` (an instance being terminated, a
    VPC's dnsmasq ...): SIGTERM, then SIGKILL after `grace` seconds; one shared wait."""
    victims = [p for found in pids_in(spaces).values() for p in found if p != os.getpid()]
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    delay = 0.002
    while victims and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
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
    """Set per-namespace sysctls ("net.ipv4.ip_forward" -> "1"); return those changed.
    The net.bridge.* knobs exist only while the host has br_netfilter; without it bridged
    frames never meet netfilter, which is what they ask for, so a missing one is skipped."""

    def body() -> list[str]:
        changed = []
        for key, value in values.items():
            path = Path("/proc/sys") / key.replace(".", "/")
            if key.startswith("net.bridge.") and not path.exists():
                continue
            if path.read_text().split() != value.split():
                path.write_text(value)
                changed.append(key)
        return changed

    return run_in(name, body)
