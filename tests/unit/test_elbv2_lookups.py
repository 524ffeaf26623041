"""The ELBv2 helpers other subsystems call, in-process on a temp SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.network import subnets, vpcs
from privlink.services.ec2.records import Instance, Vpc
from privlink.services.elbv2 import listeners, load_balancers, lookups, target_groups, targets
from privlink.store import Store
from privlink.store.records import Record

ACCOUNT = "111111111111"
REGION = "us-east-1"


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


@contextmanager
def context(store: Store) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(ACCOUNT, REGION, uow)


@pytest.fixture
def world(store: Store) -> dict[str, Any]:
    """A VPC with two subnets, an NLB in both, a TCP target group behind a listener."""
    with context(store) as ctx:
        vpc = vpcs.create_vpc(ctx, "10.40.0.0/16", {})
        a = subnets.create_subnet(ctx, vpc, "10.40.1.0/24", "us-east-1a", {})
        b = subnets.create_subnet(ctx, vpc, "10.40.2.0/24", "us-east-1b", {})
        lb = load_balancers.create(
            ctx, {"Name": "nlb", "Type": "network", "Scheme": "internal", "Subnets": [a.id, b.id]}
        )["LoadBalancers"][0]["LoadBalancerArn"]
        tg = target_groups.create(
            ctx,
            {
                "Name": "tg",
                "Protocol": "TCP",
                "Port": 80,
                "VpcId": vpc.id,
                "TargetType": "instance",
            },
        )["TargetGroups"][0]["TargetGroupArn"]
        listeners.create(
            ctx,
            {
                "LoadBalancerArn": lb,
                "Protocol": "TCP",
                "Port": 80,
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}],
            },
        )
    return {"vpc": vpc.id, "a": a.id, "b": b.id, "lb": lb, "tg": tg}


def instance(world: dict[str, Any], instance_id: str, ip: str, state: str = "running") -> Instance:
    return Instance(
        id=instance_id,
        account=ACCOUNT,
        region=REGION,
        reservation_id="r-0123456789abcdef0",
        vpc_id=world["vpc"],
        subnet_id=world["a"],
        availability_zone="us-east-1a",
        private_ip=ip,
        network_interface_id="eni-0123456789abcdef0",
        image_id="ami-12c6146b",
        launch_time="2026-01-01T00:00:00+00:00",
        state=state,
    )


def test_nodes_and_listeners(store: Store, world: dict[str, Any]) -> None:
    with store.unit() as uow:
        lb = lookups.load_balancer_by_arn(uow, world["lb"])
        assert lb is not None
        assert lookups.nlb_nodes(lb) == [
            ("us-east-1a", world["a"], "10.40.1.4"),
            ("us-east-1b", world["b"], "10.40.2.4"),
        ]
        assert [n.zone_id for n in lb.nodes] == ["use1-az6", "use1-az1"]
        [listener] = lookups.listeners_of(uow, world["lb"])
        assert (listener.port, listener.protocol, listener.target_group_arn) == (
            80,
            "TCP",
            world["tg"],
        )
        tg = lookups.target_group_by_arn(uow, world["tg"])
        assert tg is not None and not lookups.cross_zone_enabled(lb, tg)
        lb.attributes["load_balancing.cross_zone.enabled"] = "true"
        assert lookups.cross_zone_enabled(lb, tg)
        tg.attributes["load_balancing.cross_zone.enabled"] = "false"
        assert not lookups.cross_zone_enabled(lb, tg)
        assert lookups.load_balancer_by_arn(uow, world["lb"] + "x") is None


def test_instance_targets_and_reported_health(store: Store, world: dict[str, Any]) -> None:
    with context(store) as ctx:
        ctx.uow.add(instance(world, "i-0000000000000000a", "10.40.1.10"))
        ctx.uow.add(instance(world, "i-0000000000000000b", "10.40.1.11", state="stopped"))
        targets.register(
            ctx, {"TargetGroupArn": world["tg"], "Targets": [{"Id": "i-0000000000000000a"}]}
        )
        with pytest.raises(errors.InvalidTarget):
            targets.register(
                ctx, {"TargetGroupArn": world["tg"], "Targets": [{"Id": "i-0000000000000000b"}]}
            )
    with store.unit() as uow:
        [info] = targets.targets_of(uow, world["tg"])
        assert (info.id, info.port, info.ip, info.availability_zone, info.state) == (
            "i-0000000000000000a",
            80,
            "10.40.1.10",
            "us-east-1a",
            "healthy",
        )
        assert targets.set_target_health(
            uow,
            world["tg"],
            "i-0000000000000000a",
            80,
            "unhealthy",
            "Target.Timeout",
            "Request timed out",
        )
        assert not targets.set_target_health(uow, world["tg"], "i-0000000000000000a", 81, "healthy")
        with pytest.raises(ValueError):
            targets.set_target_health(uow, world["tg"], "i-0000000000000000a", 80, "draining")
    with store.unit() as uow:
        [info] = targets.targets_of(uow, world["tg"])
        assert (info.state, info.reason, info.description) == (
            "unhealthy",
            "Target.Timeout",
            "Request timed out",
        )
        # the instance stops: its health no longer matters
        stopped = uow.get(Instance, "i-0000000000000000a")
        assert stopped is not None
        stopped.state = "stopped"
        uow.put(stopped)
    with store.unit() as uow:
        [info] = targets.targets_of(uow, world["tg"])
        assert (info.state, info.reason) == ("unused", "Target.InvalidState")


def test_registering_again_clears_a_report(store: Store, world: dict[str, Any]) -> None:
    with context(store) as ctx:
        ctx.uow.add(instance(world, "i-0000000000000000a", "10.40.1.10"))
        spec = {"TargetGroupArn": world["tg"], "Targets": [{"Id": "i-0000000000000000a"}]}
        targets.register(ctx, spec)
        targets.set_target_health(
            ctx.uow, world["tg"], "i-0000000000000000a", 80, "initial", "Elb.InitialHealthChecking"
        )
        assert targets.targets_of(ctx.uow, world["tg"])[0].state == "initial"
        targets.register(ctx, spec)  # still registered: a no-op, the report stays
        assert targets.targets_of(ctx.uow, world["tg"])[0].state == "initial"


def test_dependents_block_deletion(
    store: Store, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def endpoint_service_uses(ctx: Scope, arn: str) -> list[Record]:
        return [ctx.uow.get(Vpc, world["vpc"])] if arn == world["lb"] else []  # type: ignore[list-item]

    monkeypatch.setattr(load_balancers, "LOAD_BALANCER_DEPENDENTS", [endpoint_service_uses])
    with pytest.raises(errors.ResourceInUse), context(store) as ctx:
        load_balancers.delete(ctx, {"LoadBalancerArn": world["lb"]})
    monkeypatch.setattr(load_balancers, "LOAD_BALANCER_DEPENDENTS", [])
    with context(store) as ctx:
        load_balancers.delete(ctx, {"LoadBalancerArn": world["lb"]})
        assert ctx.uow.addresses_in(world["a"]) == set()
        assert lookups.listeners_of(ctx.uow, world["lb"]) == []


def test_a_vpc_with_a_load_balancer_cannot_be_deleted(store: Store, world: dict[str, Any]) -> None:
    with context(store) as ctx:
        assert world["lb"] in [r.id for r in vpcs._vpc_dependents(ctx, world["vpc"])]
