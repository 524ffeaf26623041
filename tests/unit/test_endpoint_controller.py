"""The endpoint controller: readiness hook, dwell times, teardown and forgetting."""

from __future__ import annotations

import datetime as dt

import pytest

from privlink.reconcile.endpoints import EndpointController, ProvisioningFailed, Timings
from privlink.services.ec2.records import NetworkInterface
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store import Store

T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def _endpoint(store: Store, state: str) -> None:
    with store.unit() as uow:
        uow.add(NetworkInterface(
            id="eni-0123456789abcdef0", account="111111111111", region="us-east-1",
            vpc_id="vpc-1", subnet_id="subnet-1", availability_zone="us-east-1a",
            private_ip="10.0.1.4", mac_address="02:00:00:00:00:01",
        ))
        uow.claim_address("subnet-1", "10.0.1.4", "eni-0123456789abcdef0")
        uow.add(VpcEndpoint(
            id="vpce-0123456789abcdef0", account="111111111111", region="us-east-1",
            vpc_id="vpc-1", endpoint_type="Interface", service_name="com.amazonaws.us-east-1.ec2",
            service_id="vpce-svc-0123456789abcdef0", service_owner="amazon",
            service_region="us-east-1", state=state, state_since=T0.isoformat(),
            creation_timestamp=T0.isoformat(), interfaces={"subnet-1": "eni-0123456789abcdef0"},
            subnet_ids=["subnet-1"],
        ))


def _state(store: Store) -> str | None:
    with store.unit() as uow:
        found = uow.get(VpcEndpoint, "vpce-0123456789abcdef0")
        return found.state if found else None


def _controller(seconds: float, check=None) -> EndpointController:
    clock = lambda: T0 + dt.timedelta(seconds=seconds)  # noqa: E731
    return EndpointController(Timings(pending=1, deleting=1, deleted_retention=5), check, clock)


def test_pending_waits_for_its_dwell_time_and_readiness(store):
    _endpoint(store, "pending")
    assert _controller(0.5).reconcile(store) == pytest.approx(0.5)
    assert _state(store) == "pending"
    assert _controller(2, check=lambda uow, e: False).reconcile(store) == 1.0
    assert _state(store) == "pending"
    _controller(2, check=lambda uow, e: True).reconcile(store)
    assert _state(store) == "available"


def test_readiness_can_fail_the_endpoint(store):
    _endpoint(store, "pending")

    def broken(uow, endpoint):
        raise ProvisioningFailed("NoCapacity", "no path to the service")

    _controller(2, check=broken).reconcile(store)
    with store.unit() as uow:
        endpoint = uow.get(VpcEndpoint, "vpce-0123456789abcdef0")
    assert endpoint.state == "failed"
    assert (endpoint.last_error_code, endpoint.last_error_message) == (
        "NoCapacity", "no path to the service")


def test_deleting_tears_down_then_forgets(store):
    _endpoint(store, "deleting")
    _controller(2).reconcile(store)
    assert _state(store) == "deleted"
    with store.unit() as uow:
        assert uow.get(NetworkInterface, "eni-0123456789abcdef0") is None
        assert uow.address_count("subnet-1") == 0
    _controller(3).reconcile(store)  # deleted at t=2: retention runs until t=7
    assert _state(store) == "deleted"
    _controller(60).reconcile(store)
    assert _state(store) is None
