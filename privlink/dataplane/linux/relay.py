"""Bulk relaying for the PROXY-v2 proxy (proxy.py): once a flow has moved enough bytes to
be bulk, each direction is moved with plain recv_into/send through a buffer of its own on
the proxy's event loop, a few calls per MiB, so its bytes never pass through Python
objects.

Why not os.splice, the zero-copy way (HAProxy's): a pipe hands a TCP socket one page per
fragment and a packet holds at most 17 fragments (MAX_SKB_FRAGS), so a spliced flow leaves
in 64 KiB packets, while send() fills the socket's 32 KiB page fragments and builds packets
up to the links' 185,000-byte limit (BIG TCP). Per-packet work is what a proxy on a veth
pays for, not the copy: on the bench this relay moves about twice what splicing moved
(docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Protocol

BUFFER = 1 << 20  # bytes per direction of a bulk flow


class RelayOwner(Protocol):
    """The flow a relay belongs to (proxy.Flow)."""

    def close(self, reset: bool = False) -> None: ...

    def relay_done(self) -> None: ...


class Relay:
    """One direction src -> dst on the event loop. Reads only while the last read is
    fully written, so a flow holds at most BUFFER bytes per direction in the proxy, as
    the asyncio transports' high-water mark allows before the handoff."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        flow: RelayOwner,
        src: socket.socket,
        dst: socket.socket,
    ) -> None:
        self.loop, self.flow, self.src, self.dst = loop, flow, src, dst
        self.buffer = memoryview(bytearray(BUFFER))
        self.pending = self.buffer[:0]
        self.done = False
        loop.add_reader(src.fileno(), self.on_readable)

    def on_readable(self) -> None:
        try:
            for _ in range(4):
                n = self.src.recv_into(self.buffer)
                if n == 0:
                    self.loop.remove_reader(self.src.fileno())
                    self.finish()
                    return
                self.pending = self.buffer[:n]
                if not self.flush():
                    return
        except BlockingIOError:
            pass
        except OSError:
            self.flow.close(reset=True)

    def flush(self) -> bool:
        """Write what was read; False (and wait for writability) if dst is full."""
        try:
            while self.pending:
                self.pending = self.pending[self.dst.send(self.pending) :]
        except BlockingIOError:
            self.loop.remove_reader(self.src.fileno())
            self.loop.add_writer(self.dst.fileno(), self.on_writable)
            return False
        return True

    def on_writable(self) -> None:
        try:
            if not self.flush():
                return
        except OSError:
            self.flow.close(reset=True)
            return
        self.loop.remove_writer(self.dst.fileno())
        self.loop.add_reader(self.src.fileno(), self.on_readable)

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            self.dst.shutdown(socket.SHUT_WR)
        self.flow.relay_done()

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.src.fileno())
        with contextlib.suppress(Exception):
            self.loop.remove_writer(self.dst.fileno())
        self.pending = self.buffer[:0]
