"""Which resources block whose deletion: one declared table for every service.

A VPC cannot be deleted while subnets, its own groups, tables and network
ACLs, a gateway, NAT gateways, endpoints or load balancers live in it; a DHCP
option set not while a VPC uses it; a subnet not while interfaces or
load balancer nodes hold addresses in it; a security group not while
another group's rule references it or an interface, a load balancer or an
endpoint uses it; a load balancer not while an endpoint service is backed
by it. Each entry is a query over records only, so this module depends on
records and nothing above them, and deleting operations of any service
consult it.
"""

from __future__ import annotations

from collections.abc import Callable

from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.records import (
    DhcpOptions,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.records import Record

Blocker = Callable[[Scope, Record], list[Record]]


def _live(endpoints: list[VpcEndpoint]) -> list[Record]:
    return [e for e in endpoints if e.state != lifecycle.State.DELETED]


def subnets_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return list(scope.list(Subnet, parent=vpc.id))


def own_groups_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    """Groups made in the VPC (its "default" group goes with it)."""
    return [g for g in scope.list(SecurityGroup, parent=vpc.id) if g.name != "default"]


def own_tables_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    """Route tables made in the VPC (its main table goes with it)."""
    return [t for t in scope.list(RouteTable, parent=vpc.id) if not t.is_main]


def own_acls_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    """Network ACLs made in the VPC (its default ACL goes with it)."""
    return [a for a in scope.list(NetworkAcl, parent=vpc.id) if not a.is_default]


def nat_gateways_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return [n for n in scope.list(NatGateway) if n.vpc_id == vpc.id and n.state != "deleted"]


def vpcs_using_options(scope: Scope, options: Record) -> list[Record]:
    return [v for v in scope.list(Vpc) if v.dhcp_options_id == options.id]


def gateways_attached_to_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return list(scope.list(InternetGateway, parent=vpc.id))


def endpoints_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return _live(scope.list(VpcEndpoint, parent=vpc.id))


def load_balancers_in_vpc(scope: Scope, vpc: Record) -> list[Record]:
    return list(scope.list(LoadBalancer, parent=vpc.id))


def interfaces_in_subnet(scope: Scope, subnet: Record) -> list[Record]:
    return list(scope.list(NetworkInterface, parent=subnet.id))


def load_balancers_in_subnet(scope: Scope, subnet: Record) -> list[Record]:
    return [
        lb
        for lb in scope.list(LoadBalancer)
        if any(node.subnet_id == subnet.id for node in lb.nodes)
    ]


def attached_vpc(scope: Scope, gateway: Record) -> list[Record]:
    assert isinstance(gateway, InternetGateway)
    vpc = scope.get(Vpc, gateway.attached_vpc_id) if gateway.attached_vpc_id else None
    return [vpc] if vpc is not None else []


def associated_with_table(scope: Scope, table: Record) -> list[Record]:
    """What a table routes for: its subnets and gateways, and the VPC for its main table."""
    assert isinstance(table, RouteTable)
    found: list[Record | None] = []
    for association in table.associations:
        if association.main:
            found.append(scope.get(Vpc, table.vpc_id))
        elif association.subnet_id:
            found.append(scope.get(Subnet, association.subnet_id))
        elif association.gateway_id:
            found.append(scope.get(InternetGateway, association.gateway_id))
    return [record for record in found if record is not None]


def groups_referencing_group(scope: Scope, group: Record) -> list[Record]:
    """Rules of any account's groups in the region may reference a group (cross-account)."""
    return [
        other
        for other in scope.uow.list(SecurityGroup, region=scope.region)
        if other.id != group.id and any(r.referenced_group_id == group.id for r in other.rules)
    ]


def interfaces_using_group(scope: Scope, group: Record) -> list[Record]:
    return [eni for eni in scope.list(NetworkInterface) if group.id in eni.group_ids]


def load_balancers_using_group(scope: Scope, group: Record) -> list[Record]:
    return [lb for lb in scope.list(LoadBalancer) if group.id in lb.security_groups]


def endpoints_using_group(scope: Scope, group: Record) -> list[Record]:
    return _live([e for e in scope.list(VpcEndpoint) if group.id in e.group_ids])


def services_using_load_balancer(scope: Scope, lb: Record) -> list[Record]:
    return [s for s in scope.list(EndpointService) if lb.id in s.network_load_balancer_arns]


BLOCKERS: dict[str, tuple[Blocker, ...]] = {
    Vpc.kind: (
        subnets_in_vpc,
        own_groups_in_vpc,
        own_tables_in_vpc,
        gateways_attached_to_vpc,
        endpoints_in_vpc,
        load_balancers_in_vpc,
        own_acls_in_vpc,
        nat_gateways_in_vpc,
    ),
    DhcpOptions.kind: (vpcs_using_options,),
    Subnet.kind: (interfaces_in_subnet, load_balancers_in_subnet),
    InternetGateway.kind: (attached_vpc,),
    RouteTable.kind: (associated_with_table,),
    SecurityGroup.kind: (
        groups_referencing_group,
        interfaces_using_group,
        load_balancers_using_group,
        endpoints_using_group,
    ),
    LoadBalancer.kind: (services_using_load_balancer,),
}


def blockers(scope: Scope, record: Record) -> list[Record]:
    """What keeps `record` from being deleted, by the table above (empty: free to go)."""
    return [found for blocker in BLOCKERS.get(record.kind, ()) for found in blocker(scope, record)]
