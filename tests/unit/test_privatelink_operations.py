"""PrivateLink through its operations alone: no HTTP, no request, no handler.

A provider (account A) puts an NLB behind an endpoint service and allows a
consumer (account B), who connects an interface endpoint; the provider
accepts and the endpoint controller makes it available. The same calls
serve another service acting inside one unit of work for two accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from privlink import errors
from privlink.api import Scope
from privlink.reconcile.endpoints import EndpointController, Timings
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.records import NetworkInterface
from privlink.services.elbv2.operations import (
    NewLoadBalancer,
    SubnetMapping,
    create_load_balancer,
)
from privlink.services.privatelink import consumer, provider, queries
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store import Store

A, B = "111111111111", "222222222222"
AWS_OWNED = "999999999999"
REGION = "us-east-1"
ZONES = ("us-east-1a", "us-east-1b")
T0 = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


@contextmanager
def acting(store: Store, account: str) -> Iterator[Scope]:
    with store.unit() as uow:
        yield Scope(account, REGION, uow, now=lambda: T0)


def network(scope: Scope, cidr: str) -> tuple[str, list[str]]:
    """A VPC (DNS on, for private names) with one subnet per zone."""
    vpc = create_vpc(scope, cidr)
    vpc.enable_dns_hostnames = True
    scope.put(vpc)
    prefix = cidr.rsplit(".", 2)[0]
    subnets = [
        create_subnet(scope, vpc.id, f"{prefix}.{i + 1}.0/24", zone).id
        for i, zone in enumerate(ZONES)
    ]
    return vpc.id, subnets


def endpoint_service(scope: Scope, acceptance: bool = True, **spec: object) -> EndpointService:
    """An internal NLB in a fresh VPC, behind a new endpoint service."""
    _, subnets = network(scope, "10.50.0.0/16")
    lb, _ = create_load_balancer(
        scope,
        NewLoadBalancer(
            name="backend", subnets=tuple(SubnetMapping(s) for s in subnets), scheme="internal"
        ),
    )
    return provider.create_endpoint_service(
        scope,
        provider.EndpointServiceSpec(
            network_load_balancer_arns=[lb.id], acceptance_required=acceptance, **spec
        ),
    )


def interface_endpoint(scope: Scope, service_name: str, **spec: object) -> VpcEndpoint:
    vpc_id, subnets = network(scope, "10.20.0.0/16")
    return consumer.create_interface_endpoint(
        scope,
        consumer.InterfaceEndpointSpec(
            vpc_id=vpc_id, service_name=service_name, subnet_ids=subnets, **spec
        ),
    )


def state(store: Store, endpoint_id: str) -> str | None:
    with store.unit() as uow:
        found = uow.get(VpcEndpoint, endpoint_id)
        return found.state if found else None


def test_connection_lifecycle_across_two_accounts(store):
    with acting(store, A) as a:
        service = endpoint_service(a, acceptance=True)
    assert service.availability_zones == list(ZONES)

    with acting(store, B) as b, pytest.raises(errors.InvalidServiceName):
        interface_endpoint(b, service.service_name)  # not allowed yet: does not exist for B

    with acting(store, A) as a:
        added = provider.modify_endpoint_service_permissions(
            a, service.id, add=[f"arn:aws:iam::{B}:root"]
        )
    assert [(p.principal_type, p.service_id) for p in added] == [("Account", service.id)]

    with acting(store, B) as b:
        made = interface_endpoint(b, service.service_name)
    assert (made.account, made.state, made.service_owner) == (B, "pendingAcceptance", A)
    assert len(made.interfaces) == 2
    with store.unit() as uow:
        enis = uow.get_many(NetworkInterface, made.interfaces.values())
        assert {e.account for e in enis.values()} == {B}
        assert queries.load_balancers_for(uow, made) == service.network_load_balancer_arns
        assert queries.dns_answers(uow, made) == {}  # no answers before it carries traffic

    with acting(store, A) as a:
        assert [e.id for e in queries.connections(a)] == [made.id]
        assert provider.accept_connections(a, service.id, [made.id]) == []
        refused = provider.delete_endpoint_services(a, [service.id])
    assert [r.error.code for r in refused] == ["ExistingVpcEndpointConnections"]
    assert state(store, made.id) == "pending"

    controller = EndpointController(timings=Timings(pending=0), clock=lambda: T0)
    controller.reconcile(store)
    assert state(store, made.id) == "available"
    with store.unit() as uow:
        assert queries.dns_answers(uow, queries.own_endpoint(Scope(B, REGION, uow), made.id))


def test_a_provider_can_only_accept_or_reject_its_own_connections(store):
    with acting(store, A) as a:
        service = endpoint_service(a)
        provider.modify_endpoint_service_permissions(a, service.id, add=["*"])
    with acting(store, B) as b:
        made = interface_endpoint(b, service.service_name)
    with acting(store, A) as a:
        refused = provider.accept_connections(a, service.id, ["vpce-0123456789abcdef0"])
        assert [r.error.code for r in refused] == ["InvalidVpcEndpoint.NotFound"]
        assert provider.reject_connections(a, service.id, [made.id]) == []
        with pytest.raises(errors.InvalidVpcEndpointIdNotFound):
            queries.own_endpoint(a, made.id)  # the provider never owns the endpoint
        again = provider.reject_connections(a, service.id, [made.id])
    assert [r.error.code for r in again] == ["InvalidState"]
    assert state(store, made.id) == "rejected"


def test_one_unit_of_work_for_an_aws_owned_service_and_a_customer_endpoint(store):
    """What a managed service (MWAA) does: its own account's service, the customer's
    endpoint, one transaction; the endpoint connects without waiting for acceptance."""
    with store.unit() as uow:
        customer = Scope(B, REGION, uow, now=lambda: T0)
        owned = customer.acting_as(AWS_OWNED)
        service = endpoint_service(owned, acceptance=False, private_dns_name="env.example.com")
        provider.verify_private_dns(owned, service.id)
        provider.modify_endpoint_service_permissions(
            owned, service.id, add=[f"arn:aws:iam::{B}:root"]
        )
        made = interface_endpoint(customer, service.service_name, private_dns_enabled=True)
    assert (service.account, made.account) == (AWS_OWNED, B)
    assert made.state == "pending"
    assert made.private_dns_names == ["env.example.com"]
    EndpointController(timings=Timings(pending=0), clock=lambda: T0).reconcile(store)
    assert state(store, made.id) == "available"


def test_operations_refuse_what_the_api_refuses(store):
    with acting(store, A) as a:
        service = endpoint_service(a)
        with pytest.raises(errors.LoadBalancerInOtherService):
            provider.create_endpoint_service(
                a, provider.EndpointServiceSpec(service.network_load_balancer_arns)
            )
        with pytest.raises(errors.InvalidPrincipal):
            provider.modify_endpoint_service_permissions(a, service.id, add=["bob"])
        with pytest.raises(errors.PrivateDnsUnavailable):  # the service has no private name
            interface_endpoint(a, service.service_name, private_dns_enabled=True)
        with pytest.raises(errors.InvalidVpcEndpointServiceIdMalformed) as info:
            provider.verify_private_dns(a, "svc-1")
    assert info.value.message == "Invalid Id: 'svc-1' (expecting 'vpce-svc-...')"
