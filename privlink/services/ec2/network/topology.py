"""Read model of a network: the default VPC, which table routes a subnet, live route states.

Other services and the data plane ask these questions too (which table
routes an endpoint's subnet, whether a gateway route leads anywhere), so
they are answered here once, over records.
"""

from __future__ import annotations

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.network import prefix_lists
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Subnet,
    Vpc,
    VpcPeeringConnection,
)
from privlink.services.privatelink.records import VpcEndpoint

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
