"""The store on SQLite and on PostgreSQL: transactions, constraints, scoping."""

from __future__ import annotations

import pytest

from privlink.services.ec2.records import Subnet, Vpc
from privlink.store import Store
from tests.backends import database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with database(request.param, tmp_path) as url:
        s = Store(url)
        yield s
        s.close()


def vpc(vid: str, account: str = "111111111111", region: str = "us-east-1") -> Vpc:
    return Vpc(
        id=vid,
        account=account,
        region=region,
        cidr="10.0.0.0/16",
        cidr_association_id="vpc-cidr-assoc-1",
    )


def test_records_round_trip_typed(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
    with store.unit() as uow:
        got = uow.get(Vpc, "vpc-1")
    assert isinstance(got, Vpc) and got.cidr == "10.0.0.0/16"


def test_failed_unit_leaves_nothing(store: Store) -> None:
    subnet = Subnet(
        id="subnet-1",
        account="111111111111",
        region="us-east-1",
        vpc_id="vpc-1",
        cidr="10.0.1.0/24",
        availability_zone="us-east-1a",
        availability_zone_id="use1-az6",
    )
    with pytest.raises(RuntimeError), store.unit() as uow:
        uow.add(vpc("vpc-1"))
        uow.claim_address("subnet-1", "10.0.1.4", "eni-1")
        uow.claim_name("sg-name:vpc-1", "web", "sg-1")
        uow.add(subnet)
        raise RuntimeError("boom")
    with store.unit() as uow:
        assert uow.get(Vpc, "vpc-1") is None
        assert uow.addresses_in("subnet-1") == set()
        assert uow.name_owner("sg-name:vpc-1", "web") is None


def test_address_cannot_be_claimed_twice(store: Store) -> None:
    with store.unit() as uow:
        assert uow.claim_address("subnet-1", "10.0.1.4", "eni-1")
        assert not uow.claim_address("subnet-1", "10.0.1.4", "eni-2")
        assert uow.claim_address("subnet-1", "10.0.1.5", "eni-2")
    with store.unit() as uow:
        assert uow.addresses_in("subnet-1") == {"10.0.1.4", "10.0.1.5"}
        uow.release_addresses("eni-1")
    with store.unit() as uow:
        assert uow.address_owner("subnet-1", "10.0.1.4") is None


def test_unique_names_report_their_owner(store: Store) -> None:
    with store.unit() as uow:
        assert uow.claim_name("scope", "n", "a") is None
        assert uow.claim_name("scope", "n", "a") is None  # same owner: idempotent
        assert uow.claim_name("scope", "n", "b") == "a"


def test_list_is_scoped_and_ordered(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-b"))
        uow.add(vpc("vpc-a"))
        uow.add(vpc("vpc-c", account="222222222222"))
        uow.add(vpc("vpc-d", region="eu-west-1"))
    with store.unit() as uow:
        assert [v.id for v in uow.list(Vpc, "111111111111", "us-east-1")] == ["vpc-b", "vpc-a"]
        assert len(uow.list(Vpc)) == 4


def test_put_and_delete(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
    with store.unit() as uow:
        record = uow.get(Vpc, "vpc-1")
        assert record is not None
        record.enable_dns_hostnames = True
        uow.put(record)
    with store.unit() as uow:
        record = uow.get(Vpc, "vpc-1")
        assert record is not None and record.enable_dns_hostnames
        uow.delete(record)
    with store.unit() as uow:
        assert uow.get(Vpc, "vpc-1") is None


def test_reset_empties_everything(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
        uow.claim_address("subnet-1", "10.0.1.4", "eni-1")
    store.reset()
    with store.unit() as uow:
        assert uow.list(Vpc) == [] and uow.addresses_in("subnet-1") == set()


def test_change_feed_reports_committed_changes_only(store: Store) -> None:
    heard: list[set[tuple[str, str]]] = []
    store.subscribe(heard.append)
    with pytest.raises(RuntimeError), store.unit() as uow:
        uow.add(vpc("vpc-x"))
        raise RuntimeError
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
    assert heard == [{("vpc", "vpc-1")}]


def test_rollback_never_reaches_the_read_mirror(store: Store) -> None:
    """A kind first read inside a failing transaction must not remember that transaction."""
    with pytest.raises(RuntimeError), store.unit() as uow:
        uow.add(vpc("vpc-ghost"))
        uow.claim_address("subnet-9", "10.0.9.4", "eni-ghost")
        assert [v.id for v in uow.list(Vpc)] == ["vpc-ghost"]  # visible to its own unit
        assert uow.addresses_in("subnet-9") == {"10.0.9.4"}
        raise RuntimeError
    with store.unit() as uow:
        assert uow.list(Vpc) == [] and uow.get(Vpc, "vpc-ghost") is None
        assert uow.addresses_in("subnet-9") == set()


def test_a_second_store_sees_what_the_first_committed(store: Store) -> None:
    with store.unit() as uow:
        uow.add(vpc("vpc-1"))
        uow.claim_address("subnet-1", "10.0.1.4", "eni-1")
    other = Store(store.url)
    try:
        with other.unit() as uow:
            assert [v.id for v in uow.list(Vpc)] == ["vpc-1"]
            assert not uow.claim_address("subnet-1", "10.0.1.4", "eni-2")
            uow.add(vpc("vpc-2"))
        with other.unit() as uow:
            assert [v.id for v in uow.list(Vpc)] == ["vpc-1", "vpc-2"]  # seq continues
    finally:
        other.close()


def subnet(sid: str, vpc_id: str) -> Subnet:
    return Subnet(
        id=sid,
        account="111111111111",
        region="us-east-1",
        vpc_id=vpc_id,
        cidr="10.0.1.0/24",
        availability_zone="us-east-1a",
        availability_zone_id="use1-az6",
    )


def test_children_by_parent_follow_adds_moves_and_deletes(store: Store) -> None:
    with store.unit() as uow:
        for sid, vpc_id in (("subnet-1", "vpc-a"), ("subnet-2", "vpc-b"), ("subnet-3", "vpc-a")):
            uow.add(subnet(sid, vpc_id))
    with store.unit() as uow:
        assert [s.id for s in uow.list(Subnet, parent="vpc-a")] == ["subnet-1", "subnet-3"]
        moved = uow.get(Subnet, "subnet-1")
        assert moved is not None
        moved.vpc_id = "vpc-b"
        uow.put(moved)
        uow.add(subnet("subnet-4", "vpc-a"))
        # inside the unit: its own pending changes count
        assert [s.id for s in uow.list(Subnet, parent="vpc-a")] == ["subnet-3", "subnet-4"]
        assert uow.count(Subnet, "vpc-b") == 2
    with store.unit() as uow:
        assert [s.id for s in uow.list(Subnet, parent="vpc-b")] == ["subnet-1", "subnet-2"]
        gone = uow.get(Subnet, "subnet-3")
        assert gone is not None
        uow.delete(gone)
    with store.unit() as uow:
        assert [s.id for s in uow.list(Subnet, parent="vpc-a")] == ["subnet-4"]


def test_updates_keep_creation_order(store: Store) -> None:
    with store.unit() as uow:
        for vid in ("vpc-1", "vpc-2", "vpc-3"):
            uow.add(vpc(vid))
    with store.unit() as uow:
        first = uow.get(Vpc, "vpc-1")
        assert first is not None
        first.enable_dns_hostnames = True
        uow.put(first)
    with store.unit() as uow:
        assert [v.id for v in uow.list(Vpc)] == ["vpc-1", "vpc-2", "vpc-3"]
