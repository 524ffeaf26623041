"""NLB target health: real TCP connects from the NLB node address to each target.

One daemon thread runs an asyncio loop with one task per (target group, target). Sockets
are created while that thread is switched into the NLB namespace (the thread belongs to us
alone, so switching it is safe) and bound to the node address, so targets see health checks
from the NLB's own addresses, as on AWS. PROXY-v2 target groups get a LOCAL header.
State changes are reported on a separate single worker thread, so a slow consumer (the
driver re-rendering NLB rules) never delays the checks.

Readers never wait: each change publishes a new immutable mapping of states (`states()`
returns it without a lock), and an optional poll (the driver's: ALB targets as HAProxy's
own checks see them, over its stats sockets) runs every POLL_SECONDS on this loop's
executor and publishes its answer the same way (`polled()`). The store thread reads
both every few seconds; it must never block on the data plane.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType

from privlink.dataplane.base import TargetHealth, TargetState
from privlink.dataplane.linux import netns
from privlink.dataplane.linux.spec import CheckSpec, HealthKey
from privlink.dataplane.proxyproto import encode_local

log = logging.getLogger("privlink.dataplane.health")

REASONS = {
    TargetState.INITIAL: "Elb.InitialHealthChecking",
    TargetState.HEALTHY: "",
    TargetState.UNHEALTHY: "Target.FailedHealthChecks",
}
ChangeCallback = Callable[[HealthKey, TargetState, str], None]
Poll = Callable[[], list[TargetHealth]]
States = Mapping[HealthKey, tuple[TargetState, str]]
POLL_SECONDS = 1.0


class _Counter:
    """Consecutive-result thresholds, as NLB applies them."""

    def __init__(self, spec: CheckSpec) -> None:
        self.spec = spec
        self.state = TargetState.INITIAL
        self.ok = 0
        self.failed = 0
        self.detail = ""

    def record(self, success: bool, detail: str) -> bool:
        """Count one result; True if the state changed."""
        self.detail = detail
        if success:
            self.ok, self.failed = self.ok + 1, 0
            if self.state != TargetState.HEALTHY and self.ok >= self.spec.check.healthy_threshold:
                self.state = TargetState.HEALTHY
                return True
        else:
            self.ok, self.failed = 0, self.failed + 1
            if (
                self.state != TargetState.UNHEALTHY
                and self.failed >= self.spec.check.unhealthy_threshold
            ):
                self.state = TargetState.UNHEALTHY
                return True
        return False


class HealthChecker:
    def __init__(self, on_change: ChangeCallback, poll: Poll | None = None) -> None:
        self._on_change = on_change
        self._poll = poll
        self._published: States = MappingProxyType({})
        self._polled: tuple[TargetHealth, ...] = ()
        self._lock = threading.Lock()
        self._counters: dict[HealthKey, _Counter] = {}
        self._tasks: dict[HealthKey, asyncio.Task[None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._notify: ThreadPoolExecutor | None = None
        self._ready = threading.Event()
        self._poller: asyncio.Task[None] | None = None

    # -- public, thread-safe ---------------------------------------------------------------
    def update(self, checks: list[CheckSpec]) -> None:
        """Check exactly these targets from now on; unchanged ones keep their state."""
        if not checks and self._loop is None and self._poll is None:
            return
        self._start()
        assert self._loop is not None
        wanted = {c.key: c for c in checks}
        self._loop.call_soon_threadsafe(self._reconcile, wanted)

    def states(self) -> States:
        """The states last published: no lock, never waits (an immutable mapping)."""
        return self._published

    def polled(self) -> tuple[TargetHealth, ...]:
        """What the poll answered last (no lock, never waits)."""
        return self._polled

    def _publish(self) -> None:
        """Call with self._lock held, after changing a counter or the set of counters."""
        self._published = MappingProxyType(
            {k: (c.state, REASONS[c.state] or c.detail) for k, c in self._counters.items()}
        )

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(self._cancel_all)
        thread.join(timeout=5)
        self._loop = self._thread = None
        if self._notify is not None:
            self._notify.shutdown(wait=True)
            self._notify = None

    # -- loop side -------------------------------------------------------------------------
    def _start(self) -> None:
        if self._thread is not None:
            return
        self._ready.clear()
        self._notify = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plk-health-cb")
        self._thread = threading.Thread(target=self._run, name="plk-health", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        if self._poll is not None:
            self._poller = loop.create_task(self._poll_forever(self._poll))
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def _cancel_all(self) -> None:
        assert self._loop is not None
        for task in self._tasks.values():
            task.cancel()
        if self._poller is not None:
            self._poller.cancel()
        self._loop.call_later(0.1, self._loop.stop)

    def _reconcile(self, wanted: dict[HealthKey, CheckSpec]) -> None:
        assert self._loop is not None
        for key in list(self._tasks):
            if key not in wanted or self._counters[key].spec != wanted[key]:
                self._tasks.pop(key).cancel()
                with self._lock:
                    del self._counters[key]
        for key, spec in wanted.items():
            if key not in self._tasks:
                with self._lock:
                    self._counters[key] = _Counter(spec)
                self._tasks[key] = self._loop.create_task(self._check_forever(key, spec))
        with self._lock:
            self._publish()

    async def _poll_forever(self, poll: Poll) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                self._polled = tuple(await loop.run_in_executor(None, poll))
            except Exception:  # a poll that fails must not stop polling
                log.exception("health poll failed")
            await asyncio.sleep(POLL_SECONDS)

    async def _check_forever(self, key: HealthKey, spec: CheckSpec) -> None:
        while True:
            success, detail = await self._probe(spec)
            with self._lock:
                counter = self._counters.get(key)
                changed = counter is not None and counter.record(success, detail)
                state = counter.state if counter else None
                shown = counter and (counter.state, REASONS[counter.state] or counter.detail)
                if shown and self._published.get(key) != shown:
                    self._publish()  # rebuilt only when what readers see changes
            if changed and state is not None:
                log.info("target %s %s:%s is %s (%s)", *key, state.value, detail)
                if self._notify is not None:
                    self._notify.submit(self._safe_notify, key, state, detail)
            await asyncio.sleep(spec.check.interval)

    def _safe_notify(self, key: HealthKey, state: TargetState, detail: str) -> None:
        try:
            self._on_change(key, state, REASONS[state] or detail)
        except Exception:  # a callback bug must not stop health checking
            log.exception("health callback failed")

    async def _probe(self, spec: CheckSpec) -> tuple[bool, str]:
        loop = asyncio.get_running_loop()
        try:
            with netns.entered(spec.netns):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:
            return False, f"no namespace: {exc}"
        try:
            sock.setblocking(False)
            sock.bind((spec.source_ip, 0))
            await asyncio.wait_for(
                loop.sock_connect(sock, (spec.key[1], spec.port)), spec.check.timeout
            )
            if spec.proxy_protocol:
                await loop.sock_sendall(sock, encode_local())
            return True, ""
        except TimeoutError:
            return False, "Target.Timeout"
        except OSError as exc:
            return False, f"Target.FailedHealthChecks: {exc.strerror or exc}"
        finally:
            with contextlib.suppress(OSError):
                sock.close()
