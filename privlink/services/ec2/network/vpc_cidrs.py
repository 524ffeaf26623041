"""Secondary IPv4 blocks of a VPC: AssociateVpcCidrBlock / DisassociateVpcCidrBlock.

AWS's rules: /16 to /28, at most five blocks per VPC, no overlap with a
block the VPC has, and a block from another RFC 1918 range than the
primary's is restricted (as is 198.19.0.0/16, which AWS keeps for itself).
Each block gets a local route in every table of the VPC; removing it takes
the route away and needs no subnet left in it.
"""

from __future__ import annotations

import ipaddress

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.network.addressing import parse_cidr
from privlink.services.ec2.records import Route, RouteTable, Subnet, Vpc, VpcCidr

MAX_BLOCKS = 5
PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
RESERVED = ipaddress.IPv4Network("198.19.0.0/16")


def networks(vpc: Vpc) -> list[ipaddress.IPv4Network]:
    """Every IPv4 block of the VPC, the primary first."""
    return [ipaddress.IPv4Network(c) for c in [vpc.cidr, *(s.cidr for s in vpc.secondary_cidrs)]]


def contains(vpc: Vpc, net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(block) for block in networks(vpc))


def _restricted(vpc: Vpc, net: ipaddress.IPv4Network) -> bool:
    primary = ipaddress.IPv4Network(vpc.cidr)
    home = next((r for r in PRIVATE_RANGES if primary.subnet_of(r)), None)
    other = next((r for r in PRIVATE_RANGES if net.subnet_of(r)), None)
    return net.overlaps(RESERVED) or (home is not None and other not in (None, home))


def associate(scope: Scope, vpc_id: str, cidr: str) -> VpcCidr:
    vpc = scope.require(Vpc, vpc_id)
    net = parse_cidr(cidr)
    if not 16 <= net.prefixlen <= 28:
        raise errors.InvalidVpcRange(cidr)
    if _restricted(vpc, net):
        raise errors.InvalidVpcRange.because(
            f"The CIDR '{net}' is restricted. Use a CIDR from the same private address range "
            "as the current CIDR block in the VPC."
        )
    if any(net.overlaps(block) for block in networks(vpc)):
        raise errors.InvalidVpcRange.because(
            f"The CIDR '{net}' conflicts with another CIDR block associated with VPC '{vpc.id}'."
        )
    if len(networks(vpc)) >= MAX_BLOCKS:
        raise errors.CidrLimitExceeded(vpc.id)
    block = VpcCidr(association_id=scope.new_id("vpc-cidr-assoc"), cidr=str(net))
    vpc.secondary_cidrs.append(block)
    scope.put(vpc)
    for table in scope.list(RouteTable, parent=vpc.id):
        local = Route(destination_cidr=block.cidr, gateway_id="local", origin="CreateRouteTable")
        table.routes.append(local)
        scope.put(table)
    return block


def disassociate(scope: Scope, association_id: str) -> tuple[Vpc, VpcCidr]:
    """Remove a secondary block; the answer shows it "disassociating", as AWS does."""
    for vpc in scope.list(Vpc):
        if vpc.cidr_association_id == association_id:
            raise errors.OperationNotPermitted.because(
                f"The vpc CIDR block with association ID {association_id} may not be "
                "disassociated. It is the primary IPv4 CIDR block of the VPC"
            )
        block = next((b for b in vpc.secondary_cidrs if b.association_id == association_id), None)
        if block is not None:
            return vpc, _remove(scope, vpc, block)
    raise errors.InvalidVpcCidrAssociationNotFound(association_id)


def _remove(scope: Scope, vpc: Vpc, block: VpcCidr) -> VpcCidr:
    net = ipaddress.IPv4Network(block.cidr)
    if any(ipaddress.IPv4Network(s.cidr).subnet_of(net) for s in scope.list(Subnet, parent=vpc.id)):
        raise errors.DependencyViolation.because(
            f"The vpc {vpc.id} currently has a subnet within CIDR block {block.cidr}"
        )
    vpc.secondary_cidrs.remove(block)
    scope.put(vpc)
    for table in scope.list(RouteTable, parent=vpc.id):
        table.routes = [
            r
            for r in table.routes
            if not (r.gateway_id == "local" and r.destination_cidr == block.cidr)
        ]
        scope.put(table)
    return block.model_copy(update={"state": "disassociating"})
