"""NAT gateway operations: create in a subnet (public: with an Elastic IP), delete.

The lifecycle steps that take time on AWS are the NAT controller's
(`privlink.reconcile.nat_gateways`): pending -> available, or failed when a
public NAT gateway's VPC has no internet gateway (AWS's Gateway.NotAttached);
deleting -> deleted, its interface released and its address let go. A
deleted gateway stays visible for an hour, as on AWS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.compute.interfaces import new_interface, release
from privlink.services.ec2.network import addresses
from privlink.services.ec2.network.topology import attached_gateway
from privlink.services.ec2.records import ElasticIp, NatGateway, NetworkInterface, Subnet
from privlink.services.ec2.resource_kinds import require

CONNECTIVITY = ("public", "private")
VISIBLE_AFTER_DELETE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class NatSpec:
    subnet_id: str
    allocation_id: str | None = None
    connectivity_type: str = "public"
    private_ip: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def create_nat_gateway(scope: Scope, spec: NatSpec) -> NatGateway:
    if spec.connectivity_type not in CONNECTIVITY:
        raise errors.InvalidParameterValue.because(
            f"Value ({spec.connectivity_type}) for parameter connectivityType is invalid."
        )
    subnet = require(scope, Subnet, spec.subnet_id)
    address: ElasticIp | None = None
    if spec.connectivity_type == "public":
        if not spec.allocation_id:
            raise errors.ParameterMissing("AllocationId")
        address = require(scope, ElasticIp, spec.allocation_id)
    elif spec.allocation_id:
        raise errors.InvalidParameterCombination.because(
            "A private NAT gateway cannot have an Elastic IP address (AllocationId)."
        )
    nat_id = scope.new_id("nat")
    eni = new_interface(scope, subnet, [], spec.private_ip, f"Interface for NAT Gateway {nat_id}")
    eni.interface_type = "nat_gateway"
    eni.requester_managed = True
    eni.requester_id = "amazon-aws"
    eni.status = "in-use"
    eni.owner_resource = nat_id
    eni.source_dest_check = False
    scope.add(eni)
    nat = NatGateway(
        id=nat_id,
        account=scope.account,
        region=scope.region,
        vpc_id=subnet.vpc_id,
        subnet_id=subnet.id,
        connectivity_type=spec.connectivity_type,
        allocation_id=address.id if address else None,
        network_interface_id=eni.id,
        private_ip=eni.private_ip,
        create_time=scope.now().isoformat(),
        tags=dict(spec.tags),
    )
    if address is not None:
        nat.association_id = addresses.hold_for(scope, address, eni, nat_id)
    scope.add(nat)
    return nat


def delete_nat_gateway(scope: Scope, nat_id: str) -> NatGateway:
    nat = require(scope, NatGateway, nat_id)
    if nat.state in ("deleting", "deleted"):
        return nat
    nat.state = "deleting"
    scope.put(nat)
    return nat


# --- lifecycle steps (the NAT controller's) ---------------------------------------------------
def _stand_down(scope: Scope, nat: NatGateway) -> None:
    """Release the interface and let the address go."""
    eni = scope.get(NetworkInterface, nat.network_interface_id)
    if eni is not None:
        release(scope, eni)
    if nat.allocation_id:
        addresses.let_go(scope, nat.allocation_id)


def settle(scope: Scope, nat: NatGateway) -> None:
    """pending -> available, or failed when a public gateway has no way to the internet."""
    if nat.connectivity_type == "public" and attached_gateway(scope, nat.vpc_id) is None:
        nat.state = "failed"
        nat.failure_code = "Gateway.NotAttached"
        nat.failure_message = f"Network {nat.vpc_id} has no Internet gateway attached"
        nat.delete_time = scope.now().isoformat()
        _stand_down(scope, nat)
    else:
        nat.state = "available"
    scope.put(nat)


def finish_deletion(scope: Scope, nat: NatGateway) -> None:
    nat.state = "deleted"
    nat.delete_time = scope.now().isoformat()
    _stand_down(scope, nat)
    scope.put(nat)


def forget_if_expired(scope: Scope, nat: NatGateway) -> float | None:
    """Drop a deleted (or failed) gateway an hour after; else seconds until then."""
    if nat.delete_time is None:
        return None
    left = dt.datetime.fromisoformat(nat.delete_time) + VISIBLE_AFTER_DELETE - scope.now()
    if left.total_seconds() <= 0:
        scope.delete(nat)
        return None
    return left.total_seconds()
