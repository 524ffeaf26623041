"""Store snapshots: a frozen, read-only view another thread can read without the lock.

The data-plane planner builds plans from one while API calls keep committing; what it
reads must neither change under it nor see a later commit, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest

from privlink.services.ec2.records import Subnet, Vpc
from privlink.store import Store
from privlink.store.unit import Parsed, ReadOnlyError
from tests.backends import database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ACCOUNT, REGION = "111111111111", "us-east-1"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with database(request.param, tmp_path) as url:
        s = Store(url)
        yield s
        s.close()


def vpc(vid: str, cidr: str = "10.0.0.0/16") -> Vpc:
    return Vpc(id=vid, account=ACCOUNT, region=REGION, cidr=cidr, cidr_association_id="a")


def subnet(sid: str, vpc_id: str) -> Subnet:
    return Subnet(
        id=sid,
        account=ACCOUNT,
        region=REGION,
        vpc_id=vpc_id,
        cidr="10.0.1.0/24",
        availability_zone="us-east-1a",
        availability_zone_id="use1-az6",
    )


def test_a_snapshot_does_not_see_later_commits(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
        uow.add(subnet("subnet-1", "vpc-1"))
        uow.list(Vpc), uow.list(Subnet)  # loaded in the mirror, as the API would have
    view = store.snapshot()
    with store.unit() as uow:
        uow.add(vpc("vpc-2"))
        uow.put(vpc("vpc-1", cidr="10.9.0.0/16"))
        uow.delete(subnet("subnet-1", "vpc-1"))
    assert [v.id for v in view.list(Vpc)] == ["vpc-1"]
    assert view.get(Vpc, "vpc-1").cidr == "10.0.0.0/16"  # type: ignore[union-attr]
    assert [s.id for s in view.list(Subnet, parent="vpc-1")] == ["subnet-1"]
    with store.unit() as uow:  # the store itself moved on
        assert [v.id for v in uow.list(Vpc)] == ["vpc-1", "vpc-2"]
        assert uow.get(Vpc, "vpc-1").cidr == "10.9.0.0/16"  # type: ignore[union-attr]
        assert uow.list(Subnet, parent="vpc-1") == []
    assert [v.id for v in store.snapshot().list(Vpc)] == ["vpc-1", "vpc-2"]


def test_a_kind_never_read_before_is_loaded_through_the_store(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
    fresh = Store(store.url)  # nothing loaded in its mirror yet
    view = fresh.snapshot()
    assert [v.id for v in view.list(Vpc)] == ["vpc-1"]
    with fresh.unit() as uow:
        uow.add(vpc("vpc-2"))
    assert [v.id for v in view.list(Vpc)] == ["vpc-1"]
    fresh.close()


def test_a_snapshot_refuses_writes(store: Store) -> None:
    view = store.snapshot()
    with pytest.raises(ReadOnlyError):
        view.add(vpc("vpc-1"))
    with store.unit() as uow:
        assert uow.get(Vpc, "vpc-1") is None


def test_reading_a_snapshot_never_waits_for_a_writer(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
        uow.list(Vpc)
    view = store.snapshot()
    read: list[list[str]] = []
    with store.unit() as uow:  # a transaction holds the writer lock meanwhile
        uow.add(vpc("vpc-2"))
        reader = threading.Thread(target=lambda: read.append([v.id for v in view.list(Vpc)]))
        reader.start()
        reader.join(timeout=10)
    assert read == [["vpc-1"]]


def test_snapshots_of_one_reader_parse_only_what_changed(store: Store) -> None:
    """The planner's snapshots share parsed records (unit.Parsed): a record nothing wrote
    since the last snapshot is the very object parsed then; a rewritten one is parsed
    again with its new content, and a deleted one is gone."""
    with store.unit() as uow:
        for vid in ("vpc-1", "vpc-2", "vpc-3"):
            uow.add(vpc(vid))
    parsed = Parsed()
    first = {v.id: v for v in store.snapshot(parsed).list(Vpc)}
    parsed.turn()
    with store.unit() as uow:
        changed = uow.get(Vpc, "vpc-2")
        gone = uow.get(Vpc, "vpc-1")
        assert changed is not None and gone is not None
        changed.cidr = "10.9.0.0/16"
        uow.put(changed)
        uow.delete(gone)
    second = {v.id: v for v in store.snapshot(parsed).list(Vpc)}
    parsed.turn()
    assert set(second) == {"vpc-2", "vpc-3"}
    assert second["vpc-3"] is first["vpc-3"]  # unchanged: not parsed again
    assert second["vpc-2"] is not first["vpc-2"] and second["vpc-2"].cidr == "10.9.0.0/16"
    assert store.snapshot(parsed).get(Vpc, "vpc-2") is second["vpc-2"]
    with store.unit() as uow:  # a unit of the store thread never shares them
        assert uow.get(Vpc, "vpc-3") is not second["vpc-3"]
