"""Endpoint network interfaces: one requester-managed ENI per endpoint subnet.

They are ordinary NetworkInterface records (so DescribeNetworkInterfaces
and the subnet's free-address count see them) marked as AWS-managed. Their
address is fixed for the interface's life; only removing the subnet (or
pinning a new address) replaces it.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.ec2.network import addressing
from privlink.services.ec2.records import NetworkInterface, Subnet
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

# The AWS-owned account that "requests" endpoint interfaces (value seen in the EC2 guide).
REQUESTER_ID = "727180483921"


def _mac(ctx: Scope) -> str:
    raw = ctx.hexid(10)
    return "02:" + ":".join(raw[i : i + 2] for i in range(0, 10, 2))


def create(ctx: Scope, endpoint: VpcEndpoint, subnet: Subnet, wanted_ip: str | None) -> str:
    """Make the ENI for `subnet` (allocating its address) and return its id."""
    eni_id = ctx.new_id("eni")
    address = addressing.allocate(ctx.uow, subnet, owner=eni_id, wanted=wanted_ip)
    ctx.uow.add(
        NetworkInterface(
            id=eni_id,
            account=endpoint.account,
            region=endpoint.region,
            vpc_id=endpoint.vpc_id,
            subnet_id=subnet.id,
            availability_zone=subnet.availability_zone,
            private_ip=address,
            mac_address=_mac(ctx),
            group_ids=list(endpoint.group_ids),
            interface_type="vpc_endpoint",
            description=f"VPC Endpoint Interface {endpoint.id}",
            status="in-use",
            requester_managed=True,
            requester_id=REQUESTER_ID,
            source_dest_check=True,
            owner_resource=endpoint.id,
        )
    )
    return eni_id


def delete(uow: UnitOfWork, eni_id: str) -> None:
    """Delete the ENI and free its address (idempotent)."""
    uow.release_addresses(eni_id)
    eni = uow.get(NetworkInterface, eni_id)
    if eni is not None:
        uow.delete(eni)


def set_groups(uow: UnitOfWork, endpoint: VpcEndpoint) -> None:
    for eni in uow.get_many(NetworkInterface, endpoint.interfaces.values()).values():
        eni.group_ids = list(endpoint.group_ids)
        uow.put(eni)


def interfaces_of(uow: UnitOfWork, endpoint: VpcEndpoint) -> list[NetworkInterface]:
    """The endpoint's ENIs in subnet order."""
    found = uow.get_many(NetworkInterface, endpoint.interfaces.values())
    return [found[i] for i in endpoint.interfaces.values() if i in found]
