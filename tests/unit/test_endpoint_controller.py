"""The endpoint controller, driven through PrivateLink operations and the store.

Endpoints are made by the operations the API uses; readiness comes from
Progress records in the store (the data plane's feedback channel), read by
progress.from_store exactly as the application wires it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from privlink.api import Scope
from privlink.reconcile.endpoints import BATCH, PROVISIONING_FAILED, EndpointController, Timings
from privlink.reconcile.progress import Progress, Stage, always_ready, from_store
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.records import NetworkInterface
from privlink.services.privatelink import consumer
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store import Store

ACCOUNT = "111111111111"
REGION = "us-east-1"
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
TIMINGS = Timings(pending=1, deleting=1, deleted_retention=5, retry_first=0.05, retry_max=0.2)


class Clock:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> dt.datetime:
        return T0 + dt.timedelta(seconds=self.seconds)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@contextmanager
def acting(store: Store, clock: Clock) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(ACCOUNT, REGION, uow, now=clock)


@pytest.fixture
def endpoint_id(store: Store, clock: Clock) -> str:
    """An interface endpoint to an AWS service (auto-accepted: pending at t=0)."""
    with acting(store, clock) as scope:
        vpc = create_vpc(scope, "10.0.0.0/16")
        subnet = create_subnet(scope, vpc.id, "10.0.1.0/24", "us-east-1a")
        made = consumer.create_interface_endpoint(
            scope,
            consumer.InterfaceEndpointSpec(
                vpc_id=vpc.id,
                service_name="com.amazonaws.us-east-1.ec2",
                subnet_ids=[subnet.id],
                private_dns_enabled=False,
            ),
        )
    assert made.state == "pending"
    return made.id


def endpoint(store: Store, endpoint_id: str) -> VpcEndpoint | None:
    with store.unit() as uow:
        return uow.get(VpcEndpoint, endpoint_id)


def report(store: Store, endpoint_id: str, stage: Stage, reason: str = "") -> None:
    """What the data-plane controller writes once it applied (or gave up on) a path."""
    progress = Progress(id=endpoint_id, account=ACCOUNT, region=REGION, stage=stage, reason=reason)
    with store.unit() as uow:
        if uow.get(Progress, endpoint_id) is None:
            uow.add(progress)
        else:
            uow.put(progress)


def test_pending_lasts_its_dwell_time_then_becomes_available(store, clock, endpoint_id):
    controller = EndpointController(always_ready, TIMINGS, clock)
    clock.seconds = 0.25
    assert controller.reconcile(store) == pytest.approx(0.75)
    assert endpoint(store, endpoint_id).state == "pending"
    clock.seconds = 1.0
    assert controller.reconcile(store) is None
    found = endpoint(store, endpoint_id)
    assert found.state == "available"
    assert found.last_error_code is None


def test_not_ready_backs_off_until_progress_says_ready(store, clock, endpoint_id):
    controller = EndpointController(from_store(lambda record: True), TIMINGS, clock)
    clock.seconds = 2
    waits = [controller.reconcile(store, {endpoint_id}) for _ in range(4)]
    assert waits == [pytest.approx(w) for w in (0.05, 0.1, 0.2, 0.2)]  # doubling, capped
    report(store, endpoint_id, Stage.RETRYING, "netlink busy")
    assert controller.reconcile(store, {endpoint_id}) == pytest.approx(0.2)
    assert endpoint(store, endpoint_id).state == "pending"
    report(store, endpoint_id, Stage.READY)
    # A Progress change wakes the controller: its ids are the endpoints' own.
    assert Progress.kind in controller.kinds
    assert controller.reconcile(store, {endpoint_id}) is None
    assert endpoint(store, endpoint_id).state == "available"


def test_failed_progress_fails_the_endpoint_with_last_error(store, clock, endpoint_id):
    controller = EndpointController(from_store(lambda record: True), TIMINGS, clock)
    clock.seconds = 2
    report(store, endpoint_id, Stage.FAILED, "cannot create namespace plk-vpce-x")
    controller.reconcile(store)
    found = endpoint(store, endpoint_id)
    assert found.state == "failed"
    assert (found.last_error_code, found.last_error_message) == (
        PROVISIONING_FAILED,
        "cannot create namespace plk-vpce-x",
    )


def test_deleting_tears_down_then_forgets(store, clock, endpoint_id):
    controller = EndpointController(always_ready, TIMINGS, clock)
    clock.seconds = 1
    controller.reconcile(store)
    eni_ids = list(endpoint(store, endpoint_id).interfaces.values())
    subnet_id = next(iter(endpoint(store, endpoint_id).interfaces))
    with acting(store, clock) as scope:
        assert consumer.delete_endpoints(scope, [endpoint_id]) == []
    assert endpoint(store, endpoint_id).state == "deleting"
    clock.seconds = 1.5
    assert controller.reconcile(store, {endpoint_id}) == pytest.approx(0.5)
    clock.seconds = 2
    controller.reconcile(store, set())  # revisited although nothing changed
    assert endpoint(store, endpoint_id).state == "deleted"
    with store.unit() as uow:
        assert uow.get(NetworkInterface, eni_ids[0]) is None
        assert uow.address_count(subnet_id) == 0
    clock.seconds = 3
    assert controller.reconcile(store, set()) == pytest.approx(4)  # retention until t=7
    clock.seconds = 60
    controller.reconcile(store, set())
    assert endpoint(store, endpoint_id) is None


def many_pending(store: Store, clock: Clock) -> list[str]:
    ids: list[str] = []
    with acting(store, clock) as scope:
        for _ in range((BATCH + 50) // 50):  # 50 interface endpoints per VPC at most
            vpc = create_vpc(scope, "10.0.0.0/16")
            subnet = create_subnet(scope, vpc.id, "10.0.0.0/20", "us-east-1a")
            spec = consumer.InterfaceEndpointSpec(
                vpc_id=vpc.id,
                service_name="com.amazonaws.us-east-1.ec2",
                subnet_ids=[subnet.id],
                private_dns_enabled=False,
            )
            ids += [consumer.create_interface_endpoint(scope, spec).id for _ in range(50)]
    assert len(ids) == BATCH + 50
    return ids


def test_many_endpoints_are_stepped_a_batch_per_run(store: Store, clock: Clock) -> None:
    """The store thread also serves the API: a run steps at most BATCH endpoints and asks
    to run again at once; every endpoint becomes available over the following runs."""
    ids = many_pending(store, clock)
    controller = EndpointController(always_ready, TIMINGS, clock)
    clock.seconds = 2
    assert controller.reconcile(store, set(ids)) == 0.0  # more to do: again at once
    states = [endpoint(store, i).state for i in ids]  # type: ignore[union-attr]
    assert states.count("available") == BATCH
    assert controller.reconcile(store, set()) is None  # the rest, from in_flight
    assert {endpoint(store, i).state for i in ids} == {"available"}  # type: ignore[union-attr]


def test_pending_endpoints_keep_their_backoff_beyond_a_batch(store: Store, clock: Clock) -> None:
    """Only changed endpoints left over by a batch ask for an immediate run: endpoints
    that are merely not ready yet are retried with backoff, never in a tight loop."""
    ids = many_pending(store, clock)
    controller = EndpointController(lambda uow, endpoint: None, TIMINGS, clock)
    clock.seconds = 2
    assert controller.reconcile(store, set(ids)) == 0.0  # 50 changed ones still to step
    assert (controller.reconcile(store, set()) or 0) > 0  # those done: back to backoff
    assert (controller.reconcile(store, set()) or 0) > 0
    assert {endpoint(store, i).state for i in ids} == {"pending"}  # type: ignore[union-attr]
