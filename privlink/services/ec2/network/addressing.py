"""CIDR rules, private address allocation and the names addresses get.

AWS reserves the first four addresses and the last one of every subnet;
allocation picks the lowest free address (AWS picks at random; lowest keeps
tests and docs predictable), and the store's primary key on (subnet,
address) makes a double allocation impossible. Other services (load
balancer nodes, endpoint interfaces) allocate through `allocate` too.
"""

from __future__ import annotations

import ipaddress

from privlink import errors
from privlink.services.ec2.records import Subnet
from privlink.store.unit import UnitOfWork

RESERVED_LOW = 4
RESERVED_HIGH = 1


def parse_cidr(cidr: str, parameter: str = "cidrBlock") -> ipaddress.IPv4Network:
    """A request's IPv4 CIDR; text that is not one is InvalidParameterValue, as on AWS.

    Range rules (VPC and subnet sizes) are the caller's, with their own codes.
    """
    try:
        if "/" not in cidr:
            raise ValueError(cidr)
        return ipaddress.IPv4Network(cidr, strict=False)
    except ValueError as exc:
        raise errors.InvalidCidrBlock(cidr, parameter) from exc


def usable_count(cidr: str) -> int:
    return ipaddress.IPv4Network(cidr).num_addresses - RESERVED_LOW - RESERVED_HIGH


def _claim_wanted(uow: UnitOfWork, subnet: Subnet, owner: str, wanted: str) -> str:
    net = ipaddress.IPv4Network(subnet.cidr)
    try:
        address = ipaddress.IPv4Address(wanted)
    except ValueError as exc:
        raise errors.InvalidParameterValue.because(f"Invalid IPv4 address: {wanted}") from exc
    if address not in net:
        raise errors.InvalidParameterValue.because(
            f"Address {wanted} does not fall within the subnet's address range"
        )
    if not net.network_address + RESERVED_LOW <= address <= net.broadcast_address - RESERVED_HIGH:
        raise errors.InvalidParameterValue.because(
            f"Address {wanted} is in subnet's reserved address range"
        )
    if not uow.claim_address(subnet.id, str(address), owner):
        raise errors.InvalidIPAddressInUse(wanted)
    return str(address)


def allocate(uow: UnitOfWork, subnet: Subnet, owner: str, wanted: str | None = None) -> str:
    """Claim `wanted` (checked) or the lowest free address of the subnet for `owner`."""
    if wanted is not None:
        return _claim_wanted(uow, subnet, owner, wanted)
    net = ipaddress.IPv4Network(subnet.cidr)
    used = uow.addresses_in(subnet.id)
    candidate = net.network_address + RESERVED_LOW
    while candidate <= net.broadcast_address - RESERVED_HIGH:
        if str(candidate) not in used and uow.claim_address(subnet.id, str(candidate), owner):
            return str(candidate)
        candidate += 1
    raise errors.InsufficientFreeAddressesInSubnet(subnet.id)


def available_count(uow: UnitOfWork, subnet: Subnet) -> int:
    return usable_count(subnet.cidr) - uow.address_count(subnet.id)


def private_dns_name(region: str, address: str) -> str:
    """The ip-name host name: ip-10-0-1-5.ec2.internal (us-east-1), ...REGION.compute.internal."""
    host = "ip-" + address.replace(".", "-")
    return f"{host}.ec2.internal" if region == "us-east-1" else f"{host}.{region}.compute.internal"


def public_dns_name(region: str, public_ip: str) -> str:
    """ec2-198-19-0-5.compute-1.amazonaws.com (us-east-1), else ...REGION.compute.amazonaws.com."""
    host = "ec2-" + public_ip.replace(".", "-")
    if region == "us-east-1":
        return f"{host}.compute-1.amazonaws.com"
    return f"{host}.{region}.compute.amazonaws.com"
