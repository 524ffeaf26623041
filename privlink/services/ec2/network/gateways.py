"""Internet gateway operations: create, attach to one VPC, detach, delete.

A VPC has at most one internet gateway and a gateway at most one VPC. Routes
to a detached gateway stay and show as blackhole (see `topology.route_state`).
"""

from __future__ import annotations

from collections.abc import Mapping

from privlink import errors
from privlink.api import Scope
from privlink.services import dependencies
from privlink.services.ec2.network.topology import attached_gateway
from privlink.services.ec2.records import InternetGateway, Vpc
from privlink.services.ec2.resource_kinds import require


def create_internet_gateway(
    scope: Scope, tags: Mapping[str, str] | None = None, vpc: Vpc | None = None
) -> InternetGateway:
    """A gateway, attached to `vpc` at once if given (the default VPC's is)."""
    gateway = InternetGateway(
        id=scope.new_id("igw"),
        account=scope.account,
        region=scope.region,
        attached_vpc_id=vpc.id if vpc else None,
        tags=dict(tags or {}),
    )
    scope.add(gateway)
    return gateway


def _pair(scope: Scope, gateway_id: str, vpc_id: str) -> tuple[InternetGateway, Vpc]:
    return require(scope, InternetGateway, gateway_id), scope.require(Vpc, vpc_id)


def attach_internet_gateway(scope: Scope, gateway_id: str, vpc_id: str) -> InternetGateway:
    gateway, vpc = _pair(scope, gateway_id, vpc_id)
    if gateway.attached_vpc_id:
        raise errors.ResourceAlreadyAssociated.because(
            f"resource {gateway.id} is already attached to network {gateway.attached_vpc_id}"
        )
    if attached_gateway(scope, vpc.id) is not None:
        raise errors.ResourceAlreadyAssociated.because(
            f"network {vpc.id} already has an internet gateway attached"
        )
    gateway.attached_vpc_id = vpc.id
    scope.put(gateway)
    return gateway


def detach_internet_gateway(scope: Scope, gateway_id: str, vpc_id: str) -> InternetGateway:
    gateway, vpc = _pair(scope, gateway_id, vpc_id)
    if gateway.attached_vpc_id != vpc.id:
        raise errors.GatewayNotAttached(gateway.id, vpc.id)
    gateway.attached_vpc_id = None
    scope.put(gateway)
    return gateway


def delete_internet_gateway(scope: Scope, gateway_id: str) -> None:
    gateway = require(scope, InternetGateway, gateway_id)
    if dependencies.blockers(scope, gateway):
        raise errors.DependencyViolation("internetGateway", gateway.id)
    scope.delete(gateway)
