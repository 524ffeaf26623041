"""ELBv2 operations called by another service on an account's behalf (no HTTP, no handler).

The next service (MWAA) builds NLBs in an AWS-owned account with typed
arguments; these tests hold the operations to that contract: the caller's
Scope decides the account, validation and errors are the API's, and the
records come out as the API would leave them. The VPC, subnets and security
group are written directly, as EC2 would have left them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import SecurityGroup, Subnet, Vpc
from privlink.services.elbv2 import operations, queries
from privlink.services.elbv2.operations import (
    NewListener,
    NewLoadBalancer,
    NewTargetGroup,
    SubnetMapping,
    Target,
)
from privlink.services.elbv2.records import LoadBalancer
from privlink.store import Store

AWS_OWNED = "999999999999"  # the account a service creates its load balancers in
CUSTOMER = "111111111111"
REGION = "us-east-1"
VPC, SUBNET_A, SUBNET_B, GROUP = "vpc-aws", "subnet-a", "subnet-b", "sg-aws"


def network(account: str) -> list[Vpc | Subnet | SecurityGroup]:
    return [
        Vpc(
            id=VPC,
            cidr="10.50.0.0/16",
            cidr_association_id="vpc-cidr-assoc-1",
            account=account,
            region=REGION,
        ),
        Subnet(
            id=SUBNET_A,
            vpc_id=VPC,
            cidr="10.50.1.0/24",
            availability_zone="us-east-1a",
            availability_zone_id="use1-az6",
            account=account,
            region=REGION,
        ),
        Subnet(
            id=SUBNET_B,
            vpc_id=VPC,
            cidr="10.50.2.0/24",
            availability_zone="us-east-1b",
            availability_zone_id="use1-az1",
            account=account,
            region=REGION,
        ),
        SecurityGroup(
            id=GROUP, vpc_id=VPC, name="mwaa", description="mwaa", account=account, region=REGION
        ),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with s.unit() as uow:
        for record in network(AWS_OWNED):
            uow.add(record)
    yield s
    s.close()


@contextmanager
def acting_for(store: Store, account: str) -> Iterator[Scope]:
    """A customer's unit of work, acting as `account` (as a service does for its NLBs)."""
    with store.unit() as uow:
        yield Scope(CUSTOMER, REGION, uow).acting_as(account)


def nlb(name: str = "mwaa-nlb", **overrides: object) -> NewLoadBalancer:
    settings: dict[str, object] = {
        "name": name,
        "subnets": (SubnetMapping(SUBNET_A), SubnetMapping(SUBNET_B)),
        "scheme": "internal",
        "security_groups": (GROUP,),
        **overrides,
    }
    return NewLoadBalancer(**settings)  # type: ignore[arg-type]


def test_a_service_builds_an_nlb_with_listener_and_targets_in_another_account(store):
    with acting_for(store, AWS_OWNED) as scope:
        lb, created = operations.create_load_balancer(scope, nlb())
        tg, _ = operations.create_target_group(
            scope, NewTargetGroup("mwaa-web", "TCP", 443, VPC, target_type="ip")
        )
        operations.register_targets(scope, tg.id, [Target("10.50.1.20"), Target("10.50.2.20")])
        listener = operations.create_listener(
            scope, NewListener(lb.id, "TCP", 443, operations.forward(tg.id))
        )
    assert created and lb.account == AWS_OWNED and lb.scheme == "internal"
    assert f":{AWS_OWNED}:loadbalancer/net/mwaa-nlb/" in lb.id
    assert [(zone, subnet) for zone, subnet, _ in queries.nlb_nodes(lb)] == [
        ("us-east-1a", SUBNET_A),
        ("us-east-1b", SUBNET_B),
    ]
    with store.unit() as uow:
        assert [li.id for li in queries.listeners_of(uow, lb.id)] == [listener.id]
        assert queries.load_balancers_of(uow, tg) == [lb.id]
        infos = queries.targets_of(uow, tg.id)
    assert [(i.id, i.availability_zone, i.state) for i in infos] == [
        ("10.50.1.20", "us-east-1a", "healthy"),
        ("10.50.2.20", "us-east-1b", "healthy"),
    ]


def test_the_same_settings_again_are_the_same_load_balancer(store):
    with acting_for(store, AWS_OWNED) as scope:
        first, _ = operations.create_load_balancer(scope, nlb())
    with acting_for(store, AWS_OWNED) as scope:
        again, created = operations.create_load_balancer(scope, nlb())
        assert (again.id, created) == (first.id, False)
        with pytest.raises(errors.DuplicateLoadBalancerName):
            operations.create_load_balancer(scope, nlb(scheme="internet-facing"))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"type": "gateway"}, "InvalidConfigurationRequest"),
        ({"name": "internal-nlb"}, "ValidationError"),
        ({"subnets": ()}, "ValidationError"),
        ({"subnets": (SubnetMapping("subnet-gone"),)}, "SubnetNotFound"),
        ({"security_groups": ("sg-gone",)}, "InvalidSecurityGroup"),
        ({"tags": {"aws:reserved": "x"}}, "ValidationError"),
    ],
)
def test_operations_refuse_what_the_api_refuses(store, overrides, code):
    with acting_for(store, AWS_OWNED) as scope, pytest.raises(errors.AwsError) as info:
        operations.create_load_balancer(scope, nlb(**overrides))
    assert info.value.code == code


def test_the_scope_decides_the_account(store):
    """The customer's own scope does not see the AWS-owned subnets: not found, as on AWS."""
    with store.unit() as uow, pytest.raises(errors.AwsError) as info:
        operations.create_load_balancer(Scope(CUSTOMER, REGION, uow), nlb())
    assert (info.value.code, info.value.message) == (
        "SubnetNotFound",
        f"The subnet ID '{SUBNET_A}' is not valid",
    )


def test_deleting_frees_addresses_listeners_and_the_target_group(store):
    with acting_for(store, AWS_OWNED) as scope:
        lb, _ = operations.create_load_balancer(scope, nlb())
        tg, _ = operations.create_target_group(
            scope, NewTargetGroup("mwaa-web", "TCP", 443, VPC, target_type="ip")
        )
        operations.create_listener(scope, NewListener(lb.id, "TCP", 443, operations.forward(tg.id)))
    with acting_for(store, AWS_OWNED) as scope:
        with pytest.raises(errors.ResourceInUse):
            operations.delete_target_group(scope, tg.id)
        operations.delete_load_balancer(scope, lb.id)
        operations.delete_target_group(scope, tg.id)
        operations.delete_load_balancer(scope, lb.id)  # already gone: no error, as on AWS
    with store.unit() as uow:
        assert uow.get(LoadBalancer, lb.id) is None
        assert queries.listeners_of(uow, lb.id) == []
        assert queries.target_group_by_arn(uow, tg.id) is None
        assert uow.address_count(SUBNET_A) == uow.address_count(SUBNET_B) == 0
