"""Incremental planning and rendering: after every change, the plan and the kernel spec
built from the parts kept (reconcile/pieces.py, linux/rendered.py) equal the ones built
from nothing, and what the change did not touch is the very same object as before.

The world is made by the operations the API uses: a provider's NLB behind an endpoint
service, consumers' endpoints and instances under their VPCs' default security groups,
which admit their own members (so one endpoint's rules change when another joins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from privlink.api import Scope
from privlink.dataplane.linux import topology
from privlink.dataplane.linux.rendered import Rendered
from privlink.dataplane.linux.spec import KernelSpec
from privlink.dataplane.plan import DataplanePlan, EndpointNet
from privlink.reconcile.pieces import Pieces
from privlink.reconcile.plan_builder import build_plan
from privlink.services.ec2.compute.instances import LaunchSpec, run_instances
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.security.groups import authorize_ingress
from privlink.services.ec2.security.permissions import Peer, Permission
from privlink.services.ec2.security.queries import default_group
from privlink.services.elbv2.operations import (
    NewLoadBalancer,
    SubnetMapping,
    create_load_balancer,
)
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.privatelink import consumer, provider
from privlink.store import Store
from privlink.store.unit import Parsed

A, B = "111111111111", "222222222222"
REGION = "us-east-1"
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@contextmanager
def acting(store: Store, account: str) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(account, REGION, uow, now=lambda: T0)


@dataclass
class Planner:
    """The data plane's planner and renderer as the application keeps them."""

    store: Store
    parsed: Parsed = field(default_factory=Parsed)
    pieces: Pieces = field(default_factory=Pieces)
    rendered: Rendered = field(default_factory=Rendered)
    slots: dict[str, int] = field(default_factory=dict)

    def next(self) -> tuple[DataplanePlan, KernelSpec]:
        """The incremental plan and spec, checked against the ones built from nothing."""
        plan = build_plan(self.store.snapshot(self.parsed), pieces=self.pieces)
        self.parsed.turn()
        self.pieces.turn()
        assert plan == build_plan(self.store.snapshot())
        spec = topology.build(plan, {}, self.slots, self.rendered)
        assert spec == topology.build(plan, {}, self.slots)
        self.slots = spec.eni_slots
        return plan, spec


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


def service(store: Store) -> str:
    """An active NLB of account A behind an auto-accepting service open to B."""
    with acting(store, A) as a:
        vpc = create_vpc(a, "10.50.0.0/16")
        subnet = create_subnet(a, vpc.id, "10.50.1.0/24", "us-east-1a")
        lb, _ = create_load_balancer(
            a,
            NewLoadBalancer(name="backend", subnets=(SubnetMapping(subnet.id),), scheme="internal"),
        )
        lb.state = "active"
        a.put(lb)
        made = provider.create_endpoint_service(
            a,
            provider.EndpointServiceSpec(
                network_load_balancer_arns=[lb.id], acceptance_required=False
            ),
        )
        provider.modify_endpoint_service_permissions(a, made.id, add=[f"arn:aws:iam::{B}:root"])
        return made.service_name


def consumer_vpc(store: Store, cidr: str) -> tuple[str, str]:
    with acting(store, B) as b:
        vpc = create_vpc(b, cidr)
        subnet = create_subnet(b, vpc.id, cidr.replace(".0.0/16", ".1.0/24"), "us-east-1a")
        run_instances(b, LaunchSpec("ami-12345678", subnet_id=subnet.id))
        return vpc.id, subnet.id


def endpoint(store: Store, name: str, vpc_id: str, subnet_id: str) -> str:
    with acting(store, B) as b:
        spec = consumer.InterfaceEndpointSpec(
            vpc_id=vpc_id, service_name=name, subnet_ids=[subnet_id]
        )
        return consumer.create_interface_endpoint(b, spec).id


def net(plan: DataplanePlan, endpoint_id: str) -> EndpointNet:
    return next(e for e in plan.endpoints if e.endpoint_id == endpoint_id)


def test_every_change_gives_the_plan_and_spec_built_from_nothing(store: Store) -> None:
    planner = Planner(store)
    name = service(store)
    vpc_1, subnet_1 = consumer_vpc(store, "10.1.0.0/16")
    first = endpoint(store, name, vpc_1, subnet_1)
    plan, spec = planner.next()
    assert net(plan, first).ingress  # the default group admits its members: the ENI's own

    # Another endpoint under the same default group: the first one's rules admit it too.
    second = endpoint(store, name, vpc_1, subnet_1)
    before = plan
    plan, spec = planner.next()
    assert net(plan, first).ingress != net(before, first).ingress

    # A VPC elsewhere: what it does not touch is the very same object, in plan and spec.
    vpc_2, subnet_2 = consumer_vpc(store, "10.2.0.0/16")
    third = endpoint(store, name, vpc_2, subnet_2)
    before, before_spec = plan, spec
    plan, spec = planner.next()
    assert net(plan, first) is net(before, first)
    assert plan.vpc(vpc_1) is before.vpc(vpc_1)
    router_1 = f"plk-{vpc_1}"
    assert spec.namespaces[router_1] is before_spec.namespaces[router_1]
    assert net(plan, third).ingress

    # A rule added to the first VPC's group; then the second endpoint deleted.
    with acting(store, B) as b:
        group = default_group(b, vpc_1).id
        authorize_ingress(b, group, [Permission.tcp(8443, Peer.cidr("192.0.2.0/24"))])
    plan = planner.next()[0]
    assert any("192.0.2.0/24" in rule.cidrs for rule in net(plan, first).ingress)
    with acting(store, B) as b:
        consumer.delete_endpoints(b, [second])
    planner.next()

    # A subnet more in the first VPC: its router gets a bridge more.
    with acting(store, B) as b:
        create_subnet(b, vpc_1, "10.1.2.0/24", "us-east-1a")
    spec = planner.next()[1]
    assert len([link for link in spec.namespaces[router_1].links if link.kind == "bridge"]) == 2

    # The NLB stops being active: no endpoint of it has a path any more.
    with acting(store, A) as a:
        lb = a.list(LoadBalancer)[0]
        lb.state = "failed"
        a.put(lb)
    plan = planner.next()[0]
    assert not plan.endpoints


def test_an_unchanged_store_rebuilds_nothing(store: Store) -> None:
    planner = Planner(store)
    name = service(store)
    for n in range(3):
        vpc_id, subnet_id = consumer_vpc(store, f"10.{n + 1}.0.0/16")
        endpoint(store, name, vpc_id, subnet_id)
    planner.next()
    assert planner.pieces.built > 0
    plan, spec = planner.next()
    assert planner.pieces.built == 0
    assert planner.next() == (plan, spec)
    # one more endpoint: its own parts, not every endpoint's again
    endpoint(store, name, vpc_id, subnet_id)
    planner.next()
    assert 0 < planner.pieces.built < 8
