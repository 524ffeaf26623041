"""Which resources block whose deletion: one declared table for every service.

A VPC cannot be deleted while endpoints or load balancers live in it; a
security group not while a load balancer (or an endpoint) uses it; a load
balancer not while an endpoint service is backed by it. Each entry is a
query over records only, so this module depends on records and nothing
above them, and deleting operations of any service consult it.
"""

from __future__ import annotations

from collections.abc import Callable

from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.records import SecurityGroup, Vpc
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.records import Record

Blocker = Callable[[Scope, Record], list[Record]]


def _live(endpoints: list[VpcEndpoint]) -> list[Record]:
    return [e for e in endpoints if e.state != lifecycle.State.DELETED]


def endpoints_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return _live(scope.uow.list(VpcEndpoint, parent=vpc.id))


def load_balancers_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return list(scope.uow.list(LoadBalancer, parent=vpc.id))


def load_balancers_using_group(scope: Scope, group: Record) -> list[Record]:
    return [lb for lb in scope.list(LoadBalancer) if group.id in lb.security_groups]


def endpoints_using_group(scope: Scope, group: Record) -> list[Record]:
    return _live([e for e in scope.list(VpcEndpoint) if group.id in e.group_ids])


def services_using_load_balancer(scope: Scope, lb: Record) -> list[Record]:
    return [s for s in scope.list(EndpointService) if lb.id in s.network_load_balancer_arns]


BLOCKERS: dict[str, tuple[Blocker, ...]] = {
    Vpc.kind: (endpoints_in_vpc, load_balancers_in_vpc),
    SecurityGroup.kind: (load_balancers_using_group, endpoints_using_group),
    LoadBalancer.kind: (services_using_load_balancer,),
}


def blockers(scope: Scope, record: Record) -> list[Record]:
    """What keeps `record` from being deleted, by the table above (empty: free to go)."""
    return [found for blocker in BLOCKERS.get(record.kind, ()) for found in blocker(scope, record)]
