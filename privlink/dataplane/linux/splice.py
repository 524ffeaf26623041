"""Zero-copy relaying for the PROXY-v2 proxy (proxy.py): once a flow has moved enough
bytes to be bulk, each direction is moved socket -> pipe -> socket with non-blocking
os.splice on the proxy's event loop, so its bytes never enter Python."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import socket
from typing import Protocol

PIPE_SIZE = 1 << 20


class SpliceOwner(Protocol):
    """The flow a splice belongs to (proxy.Flow)."""

    def close(self, reset: bool = False) -> None: ...

    def splice_done(self) -> None: ...


class Splice:
    """One direction src -> pipe -> dst with non-blocking os.splice on the event loop."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        flow: SpliceOwner,
        src: socket.socket,
        dst: socket.socket,
    ) -> None:
        self.loop, self.flow, self.src, self.dst = loop, flow, src, dst
        self.r, self.w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.w, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        self.pending = 0
        self.at_eof = False
        self.done = False
        loop.add_reader(src.fileno(), self.on_readable)

    def on_readable(self) -> None:
        flags = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK
        try:
            for _ in range(4):
                n = os.splice(self.src.fileno(), self.w, PIPE_SIZE, flags=flags)
                if n == 0:
                    self.loop.remove_reader(self.src.fileno())
                    if not self.pending:
                        self.finish()
                    else:
                        self.at_eof = True
                    return
                self.pending += n
                if not self.flush():
                    return
        except BlockingIOError:
            pass
        except OSError:
            self.flow.close(reset=True)

    def flush(self) -> bool:
        """Drain the pipe into dst; False (and wait for writability) if dst is full."""
        flags = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK
        try:
            while self.pending:
                self.pending -= os.splice(self.r, self.dst.fileno(), self.pending, flags=flags)
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
        if self.at_eof:
            self.finish()
        else:
            self.loop.add_reader(self.src.fileno(), self.on_readable)

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            self.dst.shutdown(socket.SHUT_WR)
        self.flow.splice_done()

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.src.fileno())
        with contextlib.suppress(Exception):
            self.loop.remove_writer(self.dst.fileno())
        for fd in (self.r, self.w):
            with contextlib.suppress(OSError):
                os.close(fd)
