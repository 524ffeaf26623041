"""Fixtures for data-plane tests: a LinuxDriver that is always torn down, and small
in-process servers and clients whose sockets live in privlink's namespaces.

Sockets are created on a thread switched into a namespace (netns.run_in) and then used from
the test thread; a socket keeps its namespace, so no traffic ever touches the host's
network. Every wait is bounded in count and time.

These tests share one host-wide prefix (plk*): run them serially, never with pytest -n.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from privlink.dataplane import proxyproto

NEEDED_TOOLS = (
    "ip",
    "nft",
    "dnsmasq",
    "dig",
    "conntrack",
    "ping",
    "haproxy",
    "openvpn",
    "sshd",
    "certutil",
)


def _skip_reason() -> str | None:
    if not sys.platform.startswith("linux"):
        return "Linux only"
    if os.geteuid() != 0:
        return "needs root"
    missing = [tool for tool in NEEDED_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing tools: {', '.join(missing)}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    if os.environ.get("CI") and reason.startswith("missing tools"):
        # CI runs as root on Linux: a missing tool means scripts/install is incomplete,
        # and silently skipping every data-plane test would hide exactly that.
        raise pytest.UsageError(f"data-plane tests cannot run in CI: {reason}")
    for item in items:
        if item.get_closest_marker("dataplane"):
            item.add_marker(pytest.mark.skip(reason=reason))


def ns_socket(ns: str, kind: int = socket.SOCK_STREAM) -> socket.socket:
    from privlink.dataplane.linux import netns

    return netns.run_in(ns, lambda: socket.socket(socket.AF_INET, kind))


def connect(ns: str, ip: str, port: int, timeout: float = 3.0) -> socket.socket:
    sock = ns_socket(ns)
    sock.settimeout(timeout)
    try:
        sock.connect((ip, port))
    except OSError:
        sock.close()
        raise
    return sock


def read_line(sock: socket.socket, limit: int = 65536) -> bytes:
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def hello(ns: str, ip: str, port: int, timeout: float = 3.0) -> dict[str, Any]:
    """Connect, read the server's greeting (what it saw of us), close."""
    with connect(ns, ip, port, timeout) as sock:
        return json.loads(read_line(sock))  # type: ignore[no-any-return]


def udp_hello(ns: str, ip: str, port: int, timeout: float = 2.0) -> dict[str, Any]:
    with ns_socket(ns, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(b"hi", (ip, port))
        return json.loads(sock.recv(4096))  # type: ignore[no-any-return]


def refused_or_timeout(ns: str, ip: str, port: int, timeout: float = 1.0) -> str | None:
    """How a connection attempt fails ("refused", "timeout", "unreachable"), None if it works."""
    try:
        with connect(ns, ip, port, timeout) as sock:
            sock.settimeout(timeout)
            try:
                data = sock.recv(1)
            except ConnectionResetError:
                return "refused"
            except TimeoutError:
                return None
            return None if data else "closed"
    except ConnectionRefusedError:
        return "refused"
    except TimeoutError:
        return "timeout"
    except OSError as exc:
        return f"unreachable ({exc.strerror})"


class TcpServer:
    """A TCP server in a namespace. Each connection is greeted with one JSON line: the peer
    address it saw and, with proxy_protocol, the PROXY v2 header; then it echoes."""

    def __init__(
        self, ns: str, port: int, *, proxy_protocol: bool = False, ip: str = "0.0.0.0"
    ) -> None:
        self.proxy_protocol = proxy_protocol
        self.seen: list[dict[str, Any]] = []
        self._sock = ns_socket(ns)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((ip, port))
        self._sock.listen(128)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn, peer), daemon=True).start()

    def _handle(self, conn: socket.socket, peer: tuple[str, int]) -> None:
        info: dict[str, Any] = {"peer": list(peer)}
        buffered = b""
        try:  # close() may have closed conn already: every call on it is in here
            conn.settimeout(10)
            if self.proxy_protocol:
                header = None
                while header is None:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buffered += chunk
                    header = proxyproto.decode(buffered)
                buffered = buffered[header.length :]
                info["proxy"] = {
                    "command": header.command,
                    "src": header.src,
                    "dst": header.dst,
                    "vpce_id": header.vpce_id,
                }
            self.seen.append(info)
            conn.sendall(json.dumps(info).encode() + b"\n")
            if buffered:
                conn.sendall(buffered)
            while True:
                chunk = conn.recv(1 << 16)
                if not chunk:
                    break
                conn.sendall(chunk)
            conn.shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()
        self._thread.join(timeout=2)


class UdpServer:
    """Answers every datagram with a JSON line naming the sender it saw."""

    def __init__(self, ns: str, port: int) -> None:
        self.seen: list[list[Any]] = []
        self._sock = ns_socket(ns, socket.SOCK_DGRAM)
        self._sock.bind(("0.0.0.0", port))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.seen.append(list(peer))
            self._sock.sendto(json.dumps({"peer": list(peer)}).encode(), peer)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=2)


class Lab:
    """Per-test bag of servers and processes, all stopped at the end (by object / PID)."""

    def __init__(self) -> None:
        self._servers: list[TcpServer | UdpServer] = []
        self._procs: list[subprocess.Popen[bytes]] = []

    def tcp_server(self, ns: str, port: int, **kwargs: Any) -> TcpServer:
        server = TcpServer(ns, port, **kwargs)
        self._servers.append(server)
        return server

    def udp_server(self, ns: str, port: int) -> UdpServer:
        server = UdpServer(ns, port)
        self._servers.append(server)
        return server

    def close(self) -> None:
        for server in self._servers:
            server.close()
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)


def run_in_ns(ns: str, *argv: str, timeout: float = 10.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=timeout
    )


def nft_objects(ns: str, table: str) -> dict[str, Any]:
    """`table` ("inet plk") in `ns` as nft prints it: objects by kind and name, set members
    sorted, rules listed per chain; handles and the table itself (its comment) left out."""
    out = run_in_ns(ns, "nft", "-j", "list", "table", *table.split()).stdout
    found: dict[str, Any] = {}
    for item in json.loads(out)["nftables"]:
        for kind, obj in item.items():
            if kind in ("metainfo", "table"):
                continue
            obj = {k: v for k, v in obj.items() if k != "handle"}
            if "elem" in obj:
                obj["elem"] = sorted(json.dumps(e, sort_keys=True) for e in obj["elem"])
            if kind == "rule":
                found.setdefault(f"rules {obj['chain']}", []).append(obj["expr"])
            else:
                found[f"{kind} {obj['name']}"] = obj
    return found


@contextlib.contextmanager
def scratch_namespaces(*names: str) -> Iterator[tuple[str, ...]]:
    """Empty namespaces of a test's own (plk-test-*), removed afterwards with whatever
    the driver's nft layer remembers of them."""
    from privlink.dataplane.linux import netns, nft

    for name in names:
        netns.create(name)
    try:
        yield names
    finally:
        for name in names:
            nft.forget(name)
            netns.remove(name)


@pytest.fixture
def driver() -> Iterator[Any]:
    """A LinuxDriver on a private state dir; teardown runs even when the test fails."""
    from privlink.dataplane.linux import LinuxDriver

    state = Path(tempfile.mkdtemp(prefix="plk-test-"))
    drv = LinuxDriver(state)
    try:
        yield drv
    finally:
        drv.teardown()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def lab() -> Iterator[Lab]:
    bag = Lab()
    try:
        yield bag
    finally:
        bag.close()
