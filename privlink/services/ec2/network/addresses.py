"""Elastic IPs: allocate, associate with an instance or interface, disassociate, release.

Public addresses come from 198.19.0.0/16, the range privlink keeps for its
own internet. It is the upper half of 198.18.0.0/15, which RFC 2544 sets
aside for benchmarking and the public internet never routes, so no host
reaches a real network through it; the lower half (198.18.0.0/16) is left
alone because proxy tools (Clash's fake-ip pool, for one) hand it out on
hosts. 100.64.0.0/10 was not taken: carrier-grade NAT and Tailscale use it
on real machines. 198.19.255.0/24 is kept back (prefix-list placeholders).
An address is unique across every account (a store-wide name claim).

An association holds while its interface lives: once the interface or the
instance is gone, the address shows as free again, as AWS frees it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.network.topology import attached_gateway
from privlink.services.ec2.records import ElasticIp, Instance, NetworkInterface
from privlink.services.ec2.resource_kinds import require

POOL = ipaddress.IPv4Network("198.19.0.0/16")
POOL_END = int(ipaddress.IPv4Address("198.19.254.255"))
CLAIMS = "elastic-ip"  # unique-name scope: one owner per public address, store-wide
ADDRESS_LIMIT = 5  # AWS's default Elastic IPs per region


@dataclass(frozen=True)
class Holder:
    """What an address is associated with: its interface (and instance, if any)."""

    interface: NetworkInterface
    instance_id: str | None
    private_ip: str


def _free_address(scope: Scope, allocation_id: str) -> str:
    start = int(POOL.network_address) + 1
    for value in range(start, POOL_END):
        address = str(ipaddress.IPv4Address(value))
        if scope.uow.claim_name(CLAIMS, address, allocation_id) is None:
            return address
    raise errors.AddressLimitExceeded()


def claim_launch_address(scope: Scope, eni_id: str) -> str:
    """A public address for an interface at launch (MapPublicIpOnLaunch or
    AssociatePublicIpAddress): from the same pool, owned by the interface."""
    return _free_address(scope, eni_id)


def public_ip_of(scope: Scope, eni: NetworkInterface) -> str | None:
    """The interface's public address: an associated Elastic IP takes the place of the
    one it got at launch, as on AWS."""
    for address in scope.list(ElasticIp):
        if address.network_interface_id == eni.id and address.association_id:
            return address.public_ip
    return eni.public_ip


def allocate(scope: Scope, domain: str = "vpc", tags: Mapping[str, str] | None = None) -> ElasticIp:
    if domain != "vpc":
        raise errors.InvalidParameterValue.because(
            f"Value ({domain}) for parameter domain is invalid. Only 'vpc' is supported."
        )
    if len(scope.list(ElasticIp)) >= ADDRESS_LIMIT:
        raise errors.AddressLimitExceeded()
    allocation_id = scope.new_id("eipalloc")
    address = ElasticIp(
        id=allocation_id,
        account=scope.account,
        region=scope.region,
        public_ip=_free_address(scope, allocation_id),
        network_border_group=scope.region,
        tags=dict(tags or {}),
    )
    scope.add(address)
    return address


def by_public_ip(scope: Scope, public_ip: str) -> ElasticIp:
    found = next((a for a in scope.list(ElasticIp) if a.public_ip == public_ip), None)
    if found is None:
        raise errors.InvalidAddressNotFound(public_ip)
    return found


def find(scope: Scope, allocation_id: str | None, public_ip: str | None) -> ElasticIp:
    if allocation_id:
        return require(scope, ElasticIp, allocation_id)
    if public_ip:
        return by_public_ip(scope, public_ip)
    raise errors.MissingParameter.because("Either public IP or allocation id must be specified")


def holder(scope: Scope, address: ElasticIp) -> Holder | None:
    """The live association of an address, None when free (its interface gone counts)."""
    if not address.association_id or not address.network_interface_id:
        return None
    eni = scope.get(NetworkInterface, address.network_interface_id)
    if eni is None:
        return None
    return Holder(eni, eni.instance_id, address.private_ip or eni.private_ip)


def _interface(scope: Scope, instance_id: str | None, eni_id: str | None) -> NetworkInterface:
    if instance_id and eni_id:
        raise errors.InvalidParameterCombination.because(
            "You may specify an instance or a network interface, not both"
        )
    if instance_id:
        instance = require(scope, Instance, instance_id)
        if instance.state in ("shutting-down", "terminated"):
            raise errors.IncorrectInstanceState.because(
                f"The instance '{instance.id}' is not in a valid state for this operation."
            )
        return scope.require(NetworkInterface, instance.network_interface_id)
    if eni_id:
        return require(scope, NetworkInterface, eni_id)
    raise errors.MissingParameter.because("Either instance ID or network interface ID is required")


def associate(
    scope: Scope,
    address: ElasticIp,
    instance_id: str | None = None,
    eni_id: str | None = None,
    private_ip: str | None = None,
    allow_reassociation: bool = False,
) -> str:
    """Map the address to an interface's private address: the new association id."""
    eni = _interface(scope, instance_id, eni_id)
    if private_ip and private_ip != eni.private_ip:
        raise errors.InvalidParameterValue.because(
            f"Address {private_ip} is not a private address of {eni.id}"
        )
    if attached_gateway(scope, eni.vpc_id) is None:
        raise errors.GatewayNotAttached.because(
            f"Network {eni.vpc_id} is not attached to any internet gateway"
        )
    current = holder(scope, address)
    if current is not None and current.interface.id != eni.id and not allow_reassociation:
        raise errors.ResourceAlreadyAssociated.because(
            f"resource {address.id} is already associated with associate-id "
            f"{address.association_id}"
        )
    if address.service_managed:
        raise errors.OperationNotPermitted.because(
            f"The address {address.public_ip} is in use by {address.service_managed}"
        )
    for other in scope.list(ElasticIp):
        if other.id != address.id and other.network_interface_id == eni.id:
            _clear(scope, other)
    address.association_id = scope.new_id("eipassoc")
    address.network_interface_id = eni.id
    address.instance_id = eni.instance_id
    address.private_ip = eni.private_ip
    scope.put(address)
    return address.association_id


def _clear(scope: Scope, address: ElasticIp) -> None:
    address.association_id = address.network_interface_id = None
    address.instance_id = address.private_ip = address.service_managed = None
    scope.put(address)


def disassociate(scope: Scope, association_id: str | None, public_ip: str | None) -> None:
    if public_ip and not association_id:
        address = by_public_ip(scope, public_ip)
    else:
        found = [a for a in scope.list(ElasticIp) if a.association_id == association_id]
        if not found or holder(scope, found[0]) is None:
            raise errors.InvalidAssociationIDNotFound(association_id or "")
        address = found[0]
    if address.service_managed:
        raise errors.OperationNotPermitted.because(
            f"The address {address.public_ip} is in use by {address.service_managed}"
        )
    if holder(scope, address) is None and public_ip:
        return
    _clear(scope, address)


def hold_for(scope: Scope, address: ElasticIp, eni: NetworkInterface, owner: str) -> str:
    """A service (a NAT gateway) takes the address for its interface: the association id."""
    if holder(scope, address) is not None or address.service_managed:
        raise errors.ResourceAlreadyAssociated.because(
            f"Elastic IP address [{address.id}] is already associated"
        )
    address.association_id = scope.new_id("eipassoc")
    address.network_interface_id = eni.id
    address.private_ip = eni.private_ip
    address.service_managed = owner
    scope.put(address)
    return address.association_id


def let_go(scope: Scope, allocation_id: str) -> None:
    """The service that held an address is done with it."""
    address = scope.get(ElasticIp, allocation_id)
    if address is not None:
        _clear(scope, address)


def release(scope: Scope, allocation_id: str | None, public_ip: str | None) -> None:
    address = find(scope, allocation_id, public_ip)
    if holder(scope, address) is not None or address.service_managed:
        raise errors.InvalidIPAddressInUse(address.public_ip)
    scope.uow.release_name(CLAIMS, address.public_ip)
    scope.delete(address)
