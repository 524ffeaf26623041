"""The reconcile loop: wakes controllers on store changes, at start and on a timer."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor
from typing import Protocol

from privlink.store import Store

log = logging.getLogger("privlink.reconcile")


class Controller(Protocol):
    name: str
    kinds: frozenset[str]  # record kinds whose changes wake this controller

    def reconcile(self, store: Store) -> float | None:
        """Converge once. Return seconds until it wants to run again, or None."""
        ...


class ReconcileLoop:
    def __init__(self, store: Store, executor: Executor, period: float = 30.0) -> None:
        self.store = store
        self.executor = executor
        self.period = period
        self.controllers: list[Controller] = []
        self._wake: dict[str, asyncio.Event] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        store.subscribe(self._on_change)

    def add(self, controller: Controller) -> None:
        self.controllers.append(controller)

    def _on_change(self, changed: set[tuple[str, str]]) -> None:
        if self._loop is None:
            return
        kinds = {kind for kind, _ in changed}
        for controller in self.controllers:
            if "*" in kinds or kinds & controller.kinds:
                self._loop.call_soon_threadsafe(self._wake[controller.name].set)

    def kick(self, name: str | None = None) -> None:
        for controller in self.controllers:
            if name in (None, controller.name) and self._loop is not None:
                self._loop.call_soon_threadsafe(self._wake[controller.name].set)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        for controller in self.controllers:
            self._wake[controller.name] = asyncio.Event()
            self._wake[controller.name].set()  # full resync at start
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
            try:
                await asyncio.wait_for(wake.wait(), timeout)
            except TimeoutError:
                pass
            wake.clear()
            try:
                delay = await self._loop.run_in_executor(
                    self.executor, controller.reconcile, self.store
                )
            except Exception:
                log.exception("controller %s failed; retrying", controller.name)
                delay = 1.0
