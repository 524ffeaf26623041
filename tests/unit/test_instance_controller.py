"""InstanceController: instances leave pending only when readiness says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from privlink.api import Scope
from privlink.reconcile.instances import InstanceController
from privlink.reconcile.progress import Stage
from privlink.services.ec2.compute.instances import LaunchSpec, run_instances, terminate_instances
from privlink.services.ec2.network.addressing import available_count
from privlink.services.ec2.network.defaults import ensure_default_vpc
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet
from privlink.store import Store
from privlink.store.records import Record
from privlink.store.unit import UnitOfWork

ACCOUNT, REGION = "111111111111", "us-east-1"
AMI = "ami-0123456789abcdef0"


def launch(store: Store) -> Instance:
    with store.unit() as uow:
        scope = Scope(ACCOUNT, REGION, uow)
        ensure_default_vpc(scope)
        _, (instance,) = run_instances(scope, LaunchSpec(image_id=AMI))
    return instance


def current(store: Store, instance_id: str) -> Instance:
    with store.unit() as uow:
        found = uow.get(Instance, instance_id)
    assert found is not None
    return found


def test_pending_instances_run_once_ready(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    verdicts: dict[str, tuple[Stage, str] | None] = {}

    def readiness(uow: UnitOfWork, record: Record) -> tuple[Stage, str] | None:
        return verdicts.get(record.id)

    controller = InstanceController(readiness)
    instance = launch(store)
    assert controller.reconcile(store, {instance.id}) is not None  # not ready: ask again later
    assert current(store, instance.id).state == "pending"
    verdicts[instance.id] = (Stage.READY, "")
    assert controller.reconcile(store, set()) is None  # still on its list of waiting instances
    assert current(store, instance.id).state == "running"
    store.close()


def test_failed_launch_terminates_with_server_error(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    controller = InstanceController(lambda uow, record: (Stage.FAILED, "no namespace"))
    instance = launch(store)
    controller.reconcile(store, None)
    failed = current(store, instance.id)
    assert failed.state == "terminated"
    assert (failed.state_reason_code, failed.state_reason_message) == (
        "Server.InternalError",
        "no namespace",
    )
    with store.unit() as uow:
        assert uow.get(NetworkInterface, instance.network_interface_id) is None
        subnet = uow.get(Subnet, instance.subnet_id)
        assert subnet is not None and available_count(uow, subnet) == 4091
    store.close()


def test_shutting_down_becomes_terminated(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    when = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    controller = InstanceController(clock=lambda: when)
    instance = launch(store)
    controller.reconcile(store, None)
    with store.unit() as uow:
        terminate_instances(Scope(ACCOUNT, REGION, uow, now=lambda: when), [instance.id])
    assert current(store, instance.id).state == "shutting-down"
    controller.reconcile(store, {instance.id})
    assert current(store, instance.id).state == "terminated"
    store.close()
