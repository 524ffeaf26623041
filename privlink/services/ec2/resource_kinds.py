"""What an id prefix names: one declared table for every id-taking EC2 operation.

CreateTags, DeleteTags, DescribeTags and route targets take ids of mixed
kinds; each resolves them through `RESOURCE_KINDS`: the record class,
DescribeTags' resource-type, and the errors AWS answers for a malformed or
an unknown id of that kind. Kinds privlink keeps no records of (AMIs, NAT
gateways ...) are listed too, so their ids are answered with AWS's own
NotFound code. A new resource kind is one more row here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.flowlogs.records import FlowLog
from privlink.services.ec2.ids import malformed, split_id
from privlink.services.ec2.network.topology import peering_connection
from privlink.services.ec2.records import (
    DhcpOptions,
    ElasticIp,
    Instance,
    InternetGateway,
    KeyPair,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    Subnet,
    Tagged,
    Vpc,
    VpcPeeringConnection,
)
from privlink.services.ec2.vpn.records import ClientVpnEndpoint
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.records import Record

R = TypeVar("R", bound=Record)

# A tagged thing: the record to save after a change, and the live tags dict to change.
TagHolder = tuple[Record, dict[str, str]]
Locator = Callable[[Scope, str], TagHolder | None]
Lister = Callable[[Scope], Iterator[tuple[str, TagHolder]]]


@dataclass(frozen=True)
class ResourceKind:
    """What one id prefix names.

    `record` None means privlink keeps no such resources, so every id of the
    kind is unknown. Kinds kept inside another record (security group rules
    inside their group) give `locate` and `listing` instead.
    """

    prefix: str
    resource_type: str  # DescribeTags' resource-type
    not_found: type[errors.AwsError]
    record: type[Tagged] | None = None
    malformed: type[errors.AwsError] | None = None
    locate: Locator | None = None
    listing: Lister | None = None

    def find(self, scope: Scope, resource_id: str) -> TagHolder | None:
        if self.locate is not None:
            return self.locate(scope, resource_id)
        if self.record is None:
            return None
        record = scope.get(self.record, resource_id)
        return None if record is None else (record, record.tags)

    def tagged(self, scope: Scope) -> Iterator[tuple[str, TagHolder]]:
        if self.listing is not None:
            yield from self.listing(scope)
        elif self.record is not None:
            for record in scope.list(self.record):
                yield record.id, (record, record.tags)


# Security group rules are tagged through CreateTags like any resource, but live in their group.
def _rules(scope: Scope) -> Iterator[tuple[str, TagHolder]]:
    for group in scope.list(SecurityGroup):
        for rule in group.rules:
            yield rule.rule_id, (group, rule.tags)


def _rule(scope: Scope, rule_id: str) -> TagHolder | None:
    return next((holder for found, holder in _rules(scope) if found == rule_id), None)


# A peering connection is one record both sides tag: each side sees and changes its own tags.
def _side_tags(scope: Scope, connection: VpcPeeringConnection) -> TagHolder:
    mine = connection.tags if scope.account == connection.requester.account else None
    return connection, connection.accepter_tags if mine is None else mine


def _peering(scope: Scope, peering_id: str) -> TagHolder | None:
    found = peering_connection(scope, peering_id)
    return None if found is None else _side_tags(scope, found)


def _peerings(scope: Scope) -> Iterator[tuple[str, TagHolder]]:
    for connection in scope.uow.list(VpcPeeringConnection, region=scope.region):
        if scope.account in (connection.requester.account, connection.accepter.account):
            yield connection.id, _side_tags(scope, connection)


def _kinds(*kinds: ResourceKind) -> Mapping[str, ResourceKind]:
    return {kind.prefix: kind for kind in kinds}


RESOURCE_KINDS: Mapping[str, ResourceKind] = _kinds(
    ResourceKind("vpc", "vpc", errors.InvalidVpcIDNotFound, Vpc, errors.InvalidVpcIDMalformed),
    ResourceKind(
        "subnet",
        "subnet",
        errors.InvalidSubnetIDNotFound,
        Subnet,
        errors.InvalidSubnetIDMalformed,
    ),
    ResourceKind(
        "sg",
        "security-group",
        errors.InvalidGroupNotFound,
        SecurityGroup,
        errors.InvalidGroupIdMalformed,
    ),
    ResourceKind(
        "sgr",
        "security-group-rule",
        errors.InvalidSecurityGroupRuleIdNotFound,
        None,
        errors.InvalidSecurityGroupRuleIdMalformed,
        locate=_rule,
        listing=_rules,
    ),
    ResourceKind(
        "igw",
        "internet-gateway",
        errors.InvalidInternetGatewayIDNotFound,
        InternetGateway,
        errors.InvalidInternetGatewayIDMalformed,
    ),
    ResourceKind(
        "rtb",
        "route-table",
        errors.InvalidRouteTableIDNotFound,
        RouteTable,
        errors.InvalidRouteTableIDMalformed,
    ),
    ResourceKind(
        "eni",
        "network-interface",
        errors.InvalidNetworkInterfaceIDNotFound,
        NetworkInterface,
        errors.InvalidNetworkInterfaceIdMalformed,
    ),
    ResourceKind(
        "i",
        "instance",
        errors.InvalidInstanceIDNotFound,
        Instance,
        errors.InvalidInstanceIDMalformed,
    ),
    ResourceKind(
        "vpce",
        "vpc-endpoint",
        errors.InvalidVpcEndpointIdNotFound,
        VpcEndpoint,
        errors.InvalidVpcEndpointIdMalformed,
    ),
    ResourceKind(
        "vpce-svc",
        "vpc-endpoint-service",
        errors.InvalidVpcEndpointServiceIdNotFound,
        EndpointService,
        errors.InvalidVpcEndpointServiceIdMalformed,
    ),
    # Kinds privlink does not keep: any id is unknown, with AWS's code for it.
    ResourceKind("ami", "image", errors.InvalidAMIIDNotFound, None, errors.InvalidAMIIDMalformed),
    ResourceKind(
        "nat", "natgateway", errors.NatGatewayNotFound, NatGateway, errors.NatGatewayMalformed
    ),
    ResourceKind(
        "pcx",
        "vpc-peering-connection",
        errors.InvalidVpcPeeringConnectionIDNotFound,
        VpcPeeringConnection,
        errors.InvalidVpcPeeringConnectionIdMalformed,
        locate=_peering,
        listing=_peerings,
    ),
    ResourceKind(
        "eipalloc",
        "elastic-ip",
        errors.InvalidAllocationIDNotFound,
        ElasticIp,
        errors.InvalidAllocationIDMalformed,
    ),
    ResourceKind("key", "key-pair", errors.InvalidKeyPairIDNotFound, KeyPair),
    ResourceKind(
        "cvpn-endpoint",
        "client-vpn-endpoint",
        errors.InvalidClientVpnEndpointIdNotFound,
        ClientVpnEndpoint,
    ),
    ResourceKind("fl", "vpc-flow-log", errors.InvalidFlowLogIdNotFound, FlowLog),
    ResourceKind("tgw", "transit-gateway", errors.InvalidTransitGatewayIDNotFound),
    ResourceKind("vgw", "vpn-gateway", errors.InvalidVpnGatewayIDNotFound),
    ResourceKind(
        "acl",
        "network-acl",
        errors.InvalidNetworkAclIDNotFound,
        NetworkAcl,
        errors.InvalidNetworkAclIDMalformed,
    ),
    ResourceKind(
        "dopt",
        "dhcp-options",
        errors.InvalidDhcpOptionIDNotFound,
        DhcpOptions,
        errors.InvalidDhcpOptionsIdMalformed,
    ),
    ResourceKind("vol", "volume", errors.InvalidVolumeNotFound),
    ResourceKind("snap", "snapshot", errors.InvalidSnapshotNotFound),
    ResourceKind(
        "pl",
        "prefix-list",
        errors.InvalidPrefixListIDNotFound,
        None,
        errors.InvalidPrefixListIdMalformed,
    ),
)
_BY_RECORD = {kind.record: kind for kind in RESOURCE_KINDS.values() if kind.record is not None}


def kind_of(resource_id: str) -> ResourceKind | None:
    prefix = split_id(resource_id)
    return RESOURCE_KINDS.get(prefix) if prefix else None


def locate(scope: Scope, resource_id: str) -> tuple[ResourceKind, TagHolder]:
    """Any taggable resource of the caller by id: InvalidID if no kind has that form."""
    kind = kind_of(resource_id)
    if kind is None:
        raise errors.InvalidIDMalformed(resource_id)
    found = kind.find(scope, resource_id)
    if found is None:
        raise kind.not_found(resource_id)
    return kind, found


def resolve(scope: Scope, prefix: str, resource_id: str) -> Record:
    """The caller's record for an id of one kind: the kind's Malformed or NotFound error."""
    kind = RESOURCE_KINDS[prefix]
    if split_id(resource_id) != prefix:
        raise malformed(kind.malformed or errors.InvalidIDMalformed, resource_id, prefix)
    found = kind.find(scope, resource_id)
    if found is None:
        raise kind.not_found(resource_id)
    return found[0]


def require(scope: Scope, cls: type[R], resource_id: str) -> R:
    """The caller's record of a kind by id, its form checked first (Malformed, then NotFound)."""
    kind = _BY_RECORD[cls]  # type: ignore[index]
    if split_id(resource_id) != kind.prefix:
        raise malformed(kind.malformed or errors.InvalidIDMalformed, resource_id, kind.prefix)
    return scope.require(cls, resource_id)
