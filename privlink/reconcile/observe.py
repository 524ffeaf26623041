"""The observation controller: real traffic -> VPC Flow Logs and PrivateLink metrics.

Reading the kernel's counters is slow I/O (a subprocess or two per observed namespace),
so a collector thread of its own calls `driver.observe()` once per period and wakes this
controller; the controller, on the store thread, writes what was observed: flow log
records (reconcile/flow_logs.py) and endpoint metrics (reconcile/metrics.py).

The period is a minute, as AWS publishes PrivateLink metrics; `PRIVLINK_OBSERVE_SECONDS`
makes it shorter (tests use 2), and flow log windows are never longer than it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from privlink.dataplane import Dataplane
from privlink.dataplane.flows import Observation
from privlink.reconcile import flow_logs, metrics
from privlink.services.s3.storage import Storage
from privlink.store import Store

log = logging.getLogger("privlink.reconcile.observe")

PERIOD = 60.0


def period_from_env() -> float:
    """Seconds between collections: PRIVLINK_OBSERVE_SECONDS, else a minute."""
    try:
        return max(0.5, float(os.environ.get("PRIVLINK_OBSERVE_SECONDS", PERIOD)))
    except ValueError:
        return PERIOD


class Collector:
    """Calls `driver.observe()` every `period` seconds on its own thread."""

    def __init__(self, driver: Dataplane, period: float, on_observed: Callable[[], None]) -> None:
        self.driver = driver
        self.period = period
        self.on_observed = on_observed
        self._taken: list[Observation] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="privlink-observe", daemon=True)
        self._thread.start()

    def take(self) -> list[Observation]:
        with self._lock:
            taken, self._taken = self._taken, []
            return taken

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            try:
                observation = self.driver.observe()
            except Exception:
                log.exception("observing traffic failed; next period")
                continue
            with self._lock:
                self._taken.append(observation)
            self.on_observed()


class ObserveController:
    name = "observe"
    kinds: frozenset[str] = frozenset()

    def __init__(
        self,
        driver: Dataplane,
        on_observed: Callable[[], None],
        state_dir: Path,
        period: float = PERIOD,
    ) -> None:
        """`state_dir`: where S3 keeps object bodies (flow logs to a bucket write there)."""
        self.period = period
        self.collector = Collector(driver, period, on_observed)
        self.windows = flow_logs.FlowLogWindows(period, Storage(state_dir / "s3"))

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        observations = self.collector.take()
        with store.unit() as uow:
            for observation in observations:
                metrics.publish(uow, observation)
                self.windows.add(uow, observation)
            self.windows.flush(uow, time.time())
        return self.period

    def stop(self) -> None:
        self.collector.stop()
