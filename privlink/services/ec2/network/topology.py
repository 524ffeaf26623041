"""Read model of a network: the default VPC, which table routes a subnet, live route states.

Other services and the data plane ask these questions too (which table
routes an endpoint's subnet, whether a gateway route leads anywhere), so
they are answered here once, over records.
"""

from __future__ import annotations

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Subnet,
    Vpc,
)

GONE_INSTANCE_STATES = ("shutting-down", "terminated")


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
    return route.state
