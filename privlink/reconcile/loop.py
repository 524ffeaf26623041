"""The reconcile loop: wakes controllers on store changes, at start and on a timer."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from typing import Protocol

from privlink.store import Store

log = logging.getLogger("privlink.reconcile")
# A controller run longer than this held the store thread, so API calls waited for it:
# said in the log, naming the controller (slow work belongs on a thread of its own).
SLOW_SECONDS = 0.5


class Controller(Protocol):
    name: str
    kinds: frozenset[str]  # record kinds whose changes wake this controller

    def reconcile(self, store: Store, changed: set[str] | None) -> float | None:
        """Converge once: `changed` holds the ids of watched records changed since the last
        run, or None for a full resync. Return seconds until it wants to run again, or None.
        """
        ...


class ReconcileLoop:
    def __init__(self, store: Store, executor: Executor, period: float = 30.0) -> None:
        self.store = store
        self.executor = executor
        self.period = period
        self.controllers: list[Controller] = []
        self._wake: dict[str, asyncio.Event] = {}
        # Per controller: ids changed since its last run; None asks for a full resync.
        self._dirty: dict[str, set[str] | None] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        store.subscribe(self._on_change)

    def add(self, controller: Controller) -> None:
        self.controllers.append(controller)

    def _on_change(self, changed: set[tuple[str, str]]) -> None:
        if self._loop is None:
            return
        for controller in self.controllers:
            ids = {rid for kind, rid in changed if kind in controller.kinds}
            if ("*", "*") in changed:
                self._dirty[controller.name] = None
            elif not ids:
                continue
            else:
                dirty = self._dirty.get(controller.name, set())
                if dirty is not None:
                    dirty |= ids
                    self._dirty[controller.name] = dirty
            self._loop.call_soon_threadsafe(self._wake[controller.name].set)

    def kick(self, name: str | None = None) -> None:
        for controller in self.controllers:
            if name in (None, controller.name) and self._loop is not None:
                self._loop.call_soon_threadsafe(self._wake[controller.name].set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        for controller in self.controllers:
            self._wake[controller.name] = asyncio.Event()
            self._wake[controller.name].set()
            self._dirty[controller.name] = None  # full resync at start
            self._tasks.append(asyncio.create_task(self._run(controller)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks.clear()

    async def _run(self, controller: Controller) -> None:
        assert self._loop is not None
        wake = self._wake[controller.name]
        delay: float | None = None
        while True:
            timeout = self.period if delay is None else min(delay, self.period)
            periodic = False
            try:
                await asyncio.wait_for(wake.wait(), timeout)
            except TimeoutError:
                periodic = delay is None or timeout >= self.period
            wake.clear()
            changed = None if periodic else self._dirty.get(controller.name, set())
            self._dirty[controller.name] = set()
            try:
                delay = await self._loop.run_in_executor(
                    self.executor, self._timed, controller, changed
                )
            except Exception:
                log.exception("controller %s failed; retrying", controller.name)
                delay = 1.0

    def _timed(self, controller: Controller, changed: set[str] | None) -> float | None:
        started = time.monotonic()
        try:
            return controller.reconcile(self.store, changed)
        finally:
            took = time.monotonic() - started
            if took > SLOW_SECONDS:
                log.warning(
                    "controller %s held the store thread for %.1f s (API calls waited)",
                    controller.name,
                    took,
                )
