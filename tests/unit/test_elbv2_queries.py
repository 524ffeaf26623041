"""Target health as the data plane reports it and as readers see it, on a temp SQLite store.

Only the data plane calls operations.set_target_health (nothing in the API can), so
this is where its contract is checked; the records are written directly, as the
API would have left them. Deletion blockers and node placement are API tests
(tests/api/test_elbv2_dependents.py, tests/api/test_elbv2.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from privlink.services.ec2.records import Instance
from privlink.services.elbv2 import queries
from privlink.services.elbv2.operations.targets import set_target_health
from privlink.services.elbv2.records import (
    LbNode,
    Listener,
    LoadBalancer,
    RegisteredTarget,
    TargetGroup,
)
from privlink.store import Store

ACCOUNT, REGION = "111111111111", "us-east-1"
PREFIX = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}"
LB = f"{PREFIX}:loadbalancer/net/nlb/0123456789abcdef"
TG = f"{PREFIX}:targetgroup/tg/0123456789abcdef"
INSTANCE = "i-0000000000000000a"
NOW = "2026-01-01T00:00:00+00:00"


def load_balancer(**attributes: str) -> LoadBalancer:
    node = LbNode(
        zone_name="us-east-1a", zone_id="use1-az6", subnet_id="subnet-a", private_ip="10.40.1.4"
    )
    return LoadBalancer(
        id=LB,
        account=ACCOUNT,
        region=REGION,
        name="nlb",
        lb_id="0123456789abcdef",
        scheme="internal",
        vpc_id="vpc-1",
        dns_name="nlb.example",
        created_time=NOW,
        nodes=[node],
        attributes=attributes,
    )


def target_group(**attributes: str) -> TargetGroup:
    return TargetGroup(
        id=TG,
        account=ACCOUNT,
        region=REGION,
        name="tg",
        tg_id="0123456789abcdef",
        protocol="TCP",
        port=80,
        vpc_id="vpc-1",
        attributes=attributes,
        targets=[RegisteredTarget(id=INSTANCE, port=80, registered_at=NOW)],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A running instance registered in a target group that an active NLB's listener uses."""
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with s.unit() as uow:
        uow.add(
            Instance(
                id=INSTANCE,
                account=ACCOUNT,
                region=REGION,
                reservation_id="r-0123456789abcdef0",
                vpc_id="vpc-1",
                subnet_id="subnet-a",
                availability_zone="us-east-1a",
                private_ip="10.40.1.10",
                network_interface_id="eni-0123456789abcdef0",
                image_id="ami-12c6146b",
                launch_time=NOW,
                state="running",
            )
        )
        uow.add(load_balancer())
        uow.add(target_group())
        uow.add(
            Listener(
                id=f"{PREFIX}:listener/net/nlb/0123456789abcdef/1",
                account=ACCOUNT,
                region=REGION,
                load_balancer_arn=LB,
                port=80,
                protocol="TCP",
                target_group_arn=TG,
            )
        )
    yield s
    s.close()


def health(store: Store) -> tuple[str, str | None, str | None]:
    with store.unit() as uow:
        [info] = queries.targets_of(uow, TG)
    assert (info.id, info.port, info.ip, info.availability_zone) == (
        INSTANCE,
        80,
        "10.40.1.10",
        "us-east-1a",
    )
    return info.state, info.reason, info.description


def test_a_target_in_use_is_healthy_until_the_data_plane_says_otherwise(store: Store) -> None:
    assert health(store) == ("healthy", None, None)
    with store.unit() as uow:
        assert set_target_health(
            uow, TG, INSTANCE, 80, "unhealthy", "Target.Timeout", "Request timed out"
        )
    assert health(store) == ("unhealthy", "Target.Timeout", "Request timed out")


def test_reports_for_unknown_targets_are_refused(store: Store) -> None:
    with store.unit() as uow:
        assert not set_target_health(uow, TG, INSTANCE, 81, "healthy")  # not registered on 81
        assert not set_target_health(uow, TG + "0", INSTANCE, 80, "healthy")
        with pytest.raises(ValueError):
            set_target_health(uow, TG, INSTANCE, 80, "draining")  # the API's state, not a report
    assert health(store) == ("healthy", None, None)


def test_a_repeated_report_writes_nothing(store: Store) -> None:
    heard: list[set[tuple[str, str]]] = []
    store.subscribe(heard.append)
    for _ in range(3):
        with store.unit() as uow:
            set_target_health(uow, TG, INSTANCE, 80, "initial", "Elb.InitialHealthChecking")
    assert heard == [{(TargetGroup.kind, TG)}]


def test_a_stopped_instance_is_unused_whatever_was_reported(store: Store) -> None:
    with store.unit() as uow:
        set_target_health(uow, TG, INSTANCE, 80, "healthy")
        instance = uow.get(Instance, INSTANCE)
        assert instance is not None
        instance.state = "stopped"
        uow.put(instance)
    state, reason, _ = health(store)
    assert (state, reason) == ("unused", "Target.InvalidState")


@pytest.mark.parametrize(
    ("lb_setting", "tg_setting", "enabled"),
    [
        (None, None, False),  # off by default
        ("true", None, True),  # the target group inherits the load balancer's setting
        ("true", "use_load_balancer_configuration", True),
        ("true", "false", False),  # ... unless it overrides it
        (None, "true", True),
    ],
)
def test_cross_zone_is_the_target_groups_override_else_the_load_balancers(
    lb_setting: str | None, tg_setting: str | None, enabled: bool
) -> None:
    key = "load_balancing.cross_zone.enabled"
    lb = load_balancer(**({key: lb_setting} if lb_setting else {}))
    tg = target_group(**({key: tg_setting} if tg_setting else {}))
    assert queries.cross_zone_enabled(lb, tg) is enabled
