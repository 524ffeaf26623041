"""The proxy of an interface endpoint to a service privlink implements (child process).

Such an endpoint has no NLB: its ENIs live in a namespace of their own and this process
relays TCP 443 on each of them to privlink's own HTTPS listener, 127.0.0.1:<port>, in the
host's namespace. (PROXY v2 listeners of NLBs need no process: the kernel adds their
headers, proxy_header.py.)

- Listening sockets are made on a helper thread switched into the endpoint's namespace;
  the main thread stays where it was started (`connect_netns` ""), the driver's
  namespace, so upstream sockets dial loopback there. Its only host-side destination is
  loopback.
- asyncio Protocols on uvloop when available (never streams: they cost 2x CPU per byte).
- A flow that has moved BULK_BYTES is handed over to relay.Relay (recv_into/send through a
  1 MiB buffer per direction) on the same loop.
- SIGHUP re-reads the config (targets, listeners); SIGUSR1 writes counters to READY.stats;
  SIGTERM resets every open flow (RST), which is how an endpoint that stops being
  available cuts its connections.

Usage: python -m privlink.dataplane.linux.proxy CONFIG.json READY_FILE
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import signal
import socket
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

from privlink.dataplane.linux import netns, proxyconfig
from privlink.dataplane.linux.relay import Relay

log = logging.getLogger("privlink.proxy")

HIGH_WATER = 1 << 20
BULK_BYTES = 1 << 20
CONNECT_TIMEOUT = 10.0  # seconds for a target to accept (NLB gives up after ~10 s)
HANDOFF_TRIES = 1000  # x 2 ms waiting for write buffers to drain before splicing
_RST_LINGER = struct.pack("ii", 1, 0)


def _set_linger_rst(fd: int) -> None:
    """Make the final close of this socket send RST instead of FIN (flows being cut)."""
    dup_fd = os.dup(fd)
    try:
        sock = socket.socket(fileno=dup_fd)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RST_LINGER)
        sock.close()
    except OSError:
        with contextlib.suppress(OSError):
            os.close(dup_fd)


@dataclass
class Listener:
    ip: str
    port: int
    source_ip: str
    targets: list[tuple[str, int]]
    server: asyncio.AbstractServer | None = None
    turn: int = 0

    def order(self) -> list[tuple[str, int]]:
        """Targets to try for a new flow: round robin, then the others as fallback."""
        if not self.targets:
            return []
        start = self.turn % len(self.targets)
        self.turn += 1
        return self.targets[start:] + self.targets[:start]


class _Side(asyncio.Protocol):
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None
        self.eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop and asyncio both set TCP_NODELAY on their TCP transports)
        self.transport = transport  # type: ignore[assignment]
        self.transport.set_write_buffer_limits(high=HIGH_WATER)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None and self.peer.transport is not None
        self.peer.transport.write(data)
        self.flow.moved(len(data))

    def eof_received(self) -> bool:
        self.eof = True
        peer = self.peer
        if peer is not None and peer.transport is not None and not peer.transport.is_closing():
            peer.transport.write_eof()
        if peer is None or peer.eof:
            self.flow.close()
            return False
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.flow.detached:
            self.flow.close()

    def pause_writing(self) -> None:
        if self.peer and self.peer.transport:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer and self.peer.transport and not self.flow.switching:
            self.peer.transport.resume_reading()


class _Client(_Side):
    """The consumer's connection; opens the upstream one."""

    def __init__(self, flow: Flow) -> None:
        super().__init__(flow)
        self.early: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport.pause_reading()  # type: ignore[union-attr]
        self.flow.started()

    def data_received(self, data: bytes) -> None:
        if self.peer is None:  # uvloop may deliver data despite pause_reading
            self.early.append(data)
            return
        super().data_received(data)

    def eof_received(self) -> bool:
        if self.peer is None:
            self.eof = True
            return True
        return super().eof_received()


@dataclass(eq=False)
class Flow:
    proxy: Proxy
    listener: Listener
    client: _Client = field(init=False)
    upstream: _Side | None = None
    bytes_moved: int = 0
    next_handoff: int = BULK_BYTES
    switching: bool = False
    detached: bool = False
    closed: bool = False
    relays: list[Relay] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)
    connect_task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.client = _Client(self)

    def started(self) -> None:
        self.proxy.flows.add(self)
        self.proxy.stats["flows"] += 1
        self.proxy.connecting[self] = asyncio.get_running_loop().time() + CONNECT_TIMEOUT
        self.connect_task = asyncio.get_running_loop().create_task(self.connect())

    async def connect(self) -> None:
        """Open the upstream flow (round robin, falling back on refusal). uvloop's own
        create_connection(host, port) is about twice as fast per flow as sock_connect +
        create_connection(sock=); the connect timeout is enforced by Proxy.expire_connects
        rather than a wait_for task per flow."""
        try:
            await self._connect()
        except asyncio.CancelledError:  # timed out (expire_connects)
            self.close(reset=True)
        finally:
            self.proxy.connecting.pop(self, None)

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        client = self.client.transport
        assert client is not None
        source = (self.listener.source_ip, 0) if self.listener.source_ip else None
        for ip, port in self.listener.order():
            # The upstream side knows its peer from birth: a server that speaks first
            # (SSH, SMTP) may send data before this coroutine resumes.
            upstream = _Side(self)
            upstream.peer = self.client
            try:
                await loop.create_connection(
                    functools.partial(_same, upstream), ip, port, local_addr=source
                )
            except OSError as exc:
                log.info("target %s:%s unreachable: %s", ip, port, exc)
                continue
            assert upstream.transport is not None
            if self.closed or client.is_closing():
                upstream.transport.close()
                return
            self.upstream = upstream
            self.client.peer = upstream
            upstream.transport.write(b"".join(self.client.early))
            self.client.early.clear()
            if self.client.eof:
                upstream.transport.write_eof()
            else:
                client.resume_reading()
            return
        self.close(reset=True)

    def moved(self, count: int) -> None:
        self.bytes_moved += count
        if self.bytes_moved >= self.next_handoff and not self.switching:
            self.begin_handoff()

    def begin_handoff(self) -> None:
        if self.upstream is None or self.client.eof or self.upstream.eof:
            return
        self.switching = True
        for side in (self.client, self.upstream):
            assert side.transport is not None
            side.transport.pause_reading()
        asyncio.get_running_loop().call_soon(self._handoff, 0)

    def _handoff(self, attempt: int) -> None:
        if self.closed:
            return
        assert self.upstream is not None
        c, u = self.client.transport, self.upstream.transport
        assert c is not None and u is not None
        if c.is_closing() or u.is_closing() or self.client.eof or self.upstream.eof:
            return self._cancel_handoff()
        if c.get_write_buffer_size() or u.get_write_buffer_size():
            if attempt >= HANDOFF_TRIES:
                return self._cancel_handoff()
            asyncio.get_running_loop().call_later(0.002, self._handoff, attempt + 1)
            return None
        # Both directions are idle in userspace: take the sockets out of the transports.
        self.proxy.stats["bulk"] += 1
        fds = [os.dup(t.get_extra_info("socket").fileno()) for t in (c, u)]
        self.detached = True
        c.abort()
        u.abort()
        self.sockets = [socket.socket(fileno=fd) for fd in fds]
        for sock in self.sockets:
            sock.setblocking(False)
        loop = asyncio.get_running_loop()
        client_sock, upstream_sock = self.sockets
        self.relays = [
            Relay(loop, self, client_sock, upstream_sock),
            Relay(loop, self, upstream_sock, client_sock),
        ]
        return None

    def _cancel_handoff(self) -> None:
        self.switching = False
        self.next_handoff = self.bytes_moved + BULK_BYTES
        for side in (self.client, self.upstream):
            if side is not None and side.transport and not side.transport.is_closing():
                side.transport.resume_reading()

    def relay_done(self) -> None:
        if all(r.done for r in self.relays):
            self.close()

    def close(self, reset: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        self.proxy.flows.discard(self)
        for relay in self.relays:
            relay.release()
        for sock in self.sockets:
            if reset:
                _set_linger_rst(sock.fileno())
            sock.close()
        for side in (self.client, self.upstream):
            if side is None or side.transport is None or self.detached:
                continue
            if reset:
                sock = side.transport.get_extra_info("socket")
                if sock is not None:
                    _set_linger_rst(sock.fileno())
                side.transport.abort()
            else:
                side.transport.close()


class Proxy:
    def __init__(self, config_path: Path, ready_path: Path) -> None:
        self.config_path = config_path
        self.ready_path = ready_path
        self.endpoint_id = ""
        self.listen_netns = ""
        self.listeners: dict[tuple[str, int], Listener] = {}
        self.flows: set[Flow] = set()
        self.connecting: dict[Flow, float] = {}  # flow -> connect deadline (loop time)
        self.stats = {"flows": 0, "bulk": 0}

    def expire_connects(self) -> None:
        """Once a second: give up on upstream connects older than CONNECT_TIMEOUT."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        for flow, deadline in list(self.connecting.items()):
            if deadline < now and flow.connect_task is not None:
                flow.connect_task.cancel()
        loop.call_later(1.0, self.expire_connects)

    def write_stats(self) -> None:
        """SIGUSR1: dump counters next to the ready file (for tests and `privlink status`)."""
        stats = {**self.stats, "open": len(self.flows)}
        self.ready_path.with_suffix(".stats").write_text(json.dumps(stats))

    def read_config(self) -> tuple[proxyconfig.ProxySpec, str]:
        raw = self.config_path.read_bytes()
        return proxyconfig.loads(raw), hashlib.sha256(raw).hexdigest()[:16]

    async def reload(self) -> None:
        config, generation = self.read_config()
        self.endpoint_id = config.endpoint_id
        self.listen_netns = config.listen_netns
        wanted = {(li.ip, li.port): li for li in config.listeners}
        loop = asyncio.get_running_loop()
        for key in list(self.listeners):
            if key not in wanted:
                listener = self.listeners.pop(key)
                if listener.server:
                    listener.server.close()
        for key, item in wanted.items():
            targets = list(item.targets)
            source = item.source_ip
            if key in self.listeners:
                self.listeners[key].targets = targets
                self.listeners[key].source_ip = source
                continue
            listener = Listener(key[0], key[1], source, targets)
            sock = netns.run_in(self.listen_netns, functools.partial(_listening_socket, *key))
            listener.server = await loop.create_server(
                functools.partial(self._new_flow, listener), sock=sock
            )
            self.listeners[key] = listener
        self.ready_path.write_text(generation)
        log.info("config %s: %d listeners", generation, len(self.listeners))

    def _new_flow(self, listener: Listener) -> _Client:
        return Flow(self, listener).client

    def shutdown(self) -> None:
        """Reset every flow and stop (SIGTERM)."""
        for listener in self.listeners.values():
            if listener.server:
                listener.server.close()
        for flow in list(self.flows):
            flow.close(reset=True)
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, loop.stop)


def _same(side: _Side) -> _Side:
    return side


def _listening_socket(ip: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((ip, port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s proxy %(message)s")
    config_path, ready_path = Path(argv[0]), Path(argv[1])
    config = proxyconfig.loads(config_path.read_bytes())
    # Only thread so far: from here on the process (and every thread it starts) creates
    # its sockets in the NLB namespace; listeners are made on helper threads (run_in).
    # "" (an endpoint to privlink's API): stay in the driver's namespace, dial 127.0.0.1.
    if config.connect_netns:
        netns.setns(config.connect_netns)
    proxy = Proxy(config_path, ready_path)
    loop = _new_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(proxy.reload())
    loop.call_soon(proxy.expire_connects)
    loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(proxy.reload()))
    loop.add_signal_handler(signal.SIGUSR1, proxy.write_stats)
    loop.add_signal_handler(signal.SIGTERM, proxy.shutdown)
    loop.add_signal_handler(signal.SIGINT, proxy.shutdown)
    try:
        loop.run_forever()
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
