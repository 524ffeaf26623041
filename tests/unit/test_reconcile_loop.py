"""The reconcile loop hands each controller the ids that changed, and None for a full resync.

The loop runs on its own event-loop thread, as in privlink; the test writes to the store
from the main thread and polls with the harness's wait_until, like every other test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from privlink.reconcile import ReconcileLoop
from privlink.services.ec2.records import Subnet, Vpc
from privlink.store import Store
from tests.harness import wait_until

ACCOUNT, REGION = "111111111111", "us-east-1"


class Recorder:
    name = "recorder"
    kinds = frozenset({Vpc.kind})

    def __init__(self) -> None:
        self.calls: list[set[str] | None] = []

    def reconcile(self, store: Store, changed: set[str] | None) -> float | None:
        self.calls.append(None if changed is None else set(changed))
        return None


def vpc(vid: str) -> Vpc:
    return Vpc(id=vid, account=ACCOUNT, region=REGION, cidr="10.0.0.0/16", cidr_association_id="a")


def subnet(sid: str, cidr: str) -> Subnet:
    return Subnet(
        id=sid,
        account=ACCOUNT,
        region=REGION,
        vpc_id="vpc-1",
        cidr=cidr,
        availability_zone="us-east-1a",
        availability_zone_id="use1-az6",
    )


@contextmanager
def running(loop: ReconcileLoop) -> Iterator[None]:
    """The loop started on an event loop of its own thread; stopped and joined at the end."""
    events = asyncio.new_event_loop()
    thread = threading.Thread(target=events.run_forever, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(loop.start(), events).result(timeout=5)
        yield
    finally:
        asyncio.run_coroutine_threadsafe(loop.stop(), events).result(timeout=5)
        events.call_soon_threadsafe(events.stop)
        thread.join(timeout=5)
        events.close()


def test_changed_ids_reach_the_controller(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    executor = ThreadPoolExecutor(max_workers=1)
    loop = ReconcileLoop(store, executor, period=60)
    recorder = Recorder()
    loop.add(recorder)
    try:
        with running(loop):
            wait_until(lambda: len(recorder.calls) == 1, 5, 0.01, "the start-up resync")
            assert recorder.calls == [None]  # full resync at start
            with store.unit() as uow:
                uow.add(vpc("vpc-1"))
                uow.add(subnet("subnet-1", "10.0.1.0/24"))
            wait_until(lambda: len(recorder.calls) == 2, 5, 0.01, "the vpc change")
            assert recorder.calls[1] == {"vpc-1"}  # subnets are not this controller's kind
            with store.unit() as uow:
                uow.add(subnet("subnet-2", "10.0.2.0/24"))
            time.sleep(0.2)
            assert len(recorder.calls) == 2  # an unwatched kind does not wake it
            store.reset()
            wait_until(lambda: len(recorder.calls) == 3, 5, 0.01, "the resync after reset")
            assert recorder.calls[2] is None  # reset asks for a full resync
    finally:
        executor.shutdown()
        store.close()
