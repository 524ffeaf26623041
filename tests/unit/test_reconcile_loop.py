"""The reconcile loop hands each controller the ids that changed, and None for a full resync."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from privlink.reconcile import ReconcileLoop
from privlink.services.ec2.records import Subnet, Vpc
from privlink.store import Store


class Recorder:
    name = "recorder"
    kinds = frozenset({Vpc.kind})

    def __init__(self) -> None:
        self.calls: list[set[str] | None] = []

    def reconcile(self, store: Store, changed: set[str] | None) -> float | None:
        self.calls.append(None if changed is None else set(changed))
        return None


def vpc(vid: str) -> Vpc:
    return Vpc(id=vid, account="111111111111", region="us-east-1", cidr="10.0.0.0/16",
               cidr_association_id="a")


async def _until(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_changed_ids_reach_the_controller(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    executor = ThreadPoolExecutor(max_workers=1)
    loop = ReconcileLoop(store, executor, period=60)
    recorder = Recorder()
    loop.add(recorder)

    async def scenario() -> None:
        await loop.start()
        await _until(lambda: len(recorder.calls) == 1)
        assert recorder.calls == [None]  # full resync at start
        with store.unit() as uow:
            uow.add(vpc("vpc-1"))
            uow.add(Subnet(id="subnet-1", account="111111111111", region="us-east-1",
                           vpc_id="vpc-1", cidr="10.0.1.0/24", availability_zone="us-east-1a",
                           availability_zone_id="use1-az6"))
        await _until(lambda: len(recorder.calls) == 2)
        assert recorder.calls[1] == {"vpc-1"}  # subnets are not this controller's kind
        with store.unit() as uow:
            uow.add(Subnet(id="subnet-2", account="111111111111", region="us-east-1",
                           vpc_id="vpc-1", cidr="10.0.2.0/24", availability_zone="us-east-1a",
                           availability_zone_id="use1-az6"))
        await asyncio.sleep(0.2)
        assert len(recorder.calls) == 2  # an unwatched kind does not wake it
        store.reset()
        await _until(lambda: len(recorder.calls) == 3)
        assert recorder.calls[2] is None  # reset asks for a full resync
        await loop.stop()

    try:
        asyncio.run(scenario())
    finally:
        executor.shutdown()
        store.close()
