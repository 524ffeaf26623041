"""Read model of a network: the default VPC, which table routes a subnet, live route states.

Other services and the data plane ask these questions too (which table
routes an endpoint's subnet, whether a gateway route leads anywhere), so
they are answered here once, over records.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.network import prefix_lists
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    PeeringSide,
    Route,
    RouteTable,
    Subnet,
    Vpc,
    VpcPeeringConnection,
)
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

GONE_INSTANCE_STATES = ("shutting-down", "terminated")
GONE_ENDPOINT_STATES = (lifecycle.State.DELETING, lifecycle.State.DELETED)


def default_vpc(scope: Scope) -> Vpc:
    """The caller's default VPC (what a call that names no VPC acts in)."""
    for vpc in scope.list(Vpc):
        if vpc.is_default:
            return vpc
    raise errors.VPCIdNotSpecified()


def main_table(scope: Scope, vpc_id: str) -> RouteTable | None:
    return next((t for t in scope.list(RouteTable, parent=vpc_id) if t.is_main), None)


def table_for_subnet(scope: Scope, subnet: Subnet) -> RouteTable | None:
    """The table a subnet routes by: its explicit association, else the VPC's main table."""
    tables = scope.list(RouteTable, parent=subnet.vpc_id)
    for table in tables:
        if any(a.subnet_id == subnet.id for a in table.associations):
            return table
    return next((t for t in tables if t.is_main), None)


def attached_gateway(scope: Scope, vpc_id: str) -> InternetGateway | None:
    found = scope.list(InternetGateway, parent=vpc_id)
    return found[0] if found else None


def route_state(scope: Scope, table: RouteTable, route: Route) -> str:
    """active, or blackhole once its target went away (gateway detached, instance gone)."""
    gateway = route.gateway_id or ""
    if gateway.startswith("igw-"):
        igw = scope.get(InternetGateway, gateway)
        return "active" if igw and igw.attached_vpc_id == table.vpc_id else "blackhole"
    if route.instance_id:
        instance = scope.get(Instance, route.instance_id)
        gone = instance is None or instance.state in GONE_INSTANCE_STATES
        return "blackhole" if gone else "active"
    if route.network_interface_id:
        found = scope.get(NetworkInterface, route.network_interface_id) is not None
        return "active" if found else "blackhole"
    if route.nat_gateway_id:
        nat = scope.get(NatGateway, route.nat_gateway_id)
        return "active" if nat and nat.state in ("pending", "available") else "blackhole"
    if route.vpc_peering_connection_id:
        peering = peering_connection(scope, route.vpc_peering_connection_id)
        return "active" if peering and peering.status == "active" else "blackhole"
    return route.state


def peering_connection(scope: Scope, peering_id: str) -> VpcPeeringConnection | None:
    """A peering connection the caller is a side of (kept in the requester's account)."""
    found = scope.foreign(VpcPeeringConnection, peering_id)
    if found is None:
        return None
    sides = {(found.requester.account, found.requester.region)}
    sides.add((found.accepter.account, found.accepter.region))
    return found if (scope.account, scope.region) in sides else None


def gateway_endpoint_routes(scope: Scope, table: RouteTable) -> list[Route]:
    """The routes gateway endpoints put in a table: their service's prefix list -> vpce-.

    Derived from the endpoints (not stored in the table), so they appear and go
    with the endpoint and its route-table list, as on AWS.
    """
    routes = []
    for endpoint in scope.list(VpcEndpoint, parent=table.vpc_id):
        if endpoint.endpoint_type != "Gateway" or endpoint.state in GONE_ENDPOINT_STATES:
            continue
        if table.id not in endpoint.route_table_ids:
            continue
        prefix_list = prefix_lists.for_service(table.region, endpoint.service_name)
        if prefix_list is not None:
            routes.append(
                Route(destination_cidr=prefix_list.prefix_list_id, vpc_endpoint_id=endpoint.id)
            )
    return routes


def routes_of(scope: Scope, table: RouteTable) -> list[Route]:
    """Every route a table shows: its own, then those of gateway endpoints."""
    return [*table.routes, *gateway_endpoint_routes(scope, table)]


# --- peering, as the data plane needs it --------------------------------------------------------
@dataclass(frozen=True)
class PeeredVpc:
    """One side of an active peering connection: its VPC's blocks now, its DNS option, and
    the (route table, destination) pairs of its tables that lead to the connection."""

    account: str
    region: str
    vpc_id: str
    cidrs: tuple[str, ...]
    allow_dns_resolution_from_remote_vpc: bool
    routes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ActivePeering:
    peering_id: str
    requester: PeeredVpc
    accepter: PeeredVpc


def _peered(uow: UnitOfWork, peering_id: str, side: PeeringSide) -> PeeredVpc:
    vpc = uow.get(Vpc, side.vpc_id)
    cidrs = [vpc.cidr, *(b.cidr for b in vpc.secondary_cidrs)] if vpc else side.cidrs
    routes = tuple(
        (table.id, route.destination_cidr)
        for table in uow.list(RouteTable, side.account, side.region, parent=side.vpc_id)
        for route in table.routes
        if route.vpc_peering_connection_id == peering_id
    )
    return PeeredVpc(
        side.account,
        side.region,
        side.vpc_id,
        tuple(cidrs),
        side.allow_dns_resolution_from_remote_vpc,
        routes,
    )


def active_peerings(uow: UnitOfWork) -> list[ActivePeering]:
    """Every active peering connection of every account, both VPCs as they are now.

    The data plane links two VPCs only for these, and carries a packet from one
    side only where a route of that side's table sends its destination here."""
    return [
        ActivePeering(c.id, _peered(uow, c.id, c.requester), _peered(uow, c.id, c.accepter))
        for c in uow.list(VpcPeeringConnection)
        if c.status == "active"
    ]
