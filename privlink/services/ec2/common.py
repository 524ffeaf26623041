"""Shared EC2 wire helpers: tags, tag specifications, id validation, lookups.

`RESOURCE_KINDS` is the one table that says what an id prefix names: the
record class, DescribeTags' resource-type, and the error AWS answers for an
unknown id of that kind. CreateTags, DescribeTags and route targets resolve
ids through it, so a module that adds a resource kind registers it here
(`register_kind`) and every id-taking operation knows it at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import (
    Instance,
    InternetGateway,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.records import Record

MAX_TAGS = 50


def wire_tags(tags: dict[str, str]) -> list[dict[str, str]] | None:
    return [{"Key": k, "Value": v} for k, v in tags.items()] or None


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise errors.TagLimitExceeded("The maximum number of tags per resource is 50.")
    for key, value in tags.items():
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise errors.InvalidParameterValue(
                f"Tag key '{key}' is invalid: keys must be 1-128 characters and may not "
                "begin with 'aws:'."
            )
        if len(value) > 256:
            raise errors.InvalidParameterValue(f"Tag value for key '{key}' exceeds 256 characters.")


def tags_by_type(params: dict[str, Any], allowed: Collection[str]) -> dict[str, dict[str, str]]:
    """Tags from TagSpecifications per resource type; a type the operation cannot tag is an error.

    RunInstances tags an instance and its interfaces from one request, so
    specifications are grouped by type rather than merged.
    """
    found: dict[str, dict[str, str]] = {}
    for spec in params.get("TagSpecifications") or []:
        spec_type = spec.get("ResourceType")
        if spec_type not in allowed:
            raise errors.InvalidParameterValue(
                f"'{spec_type}' is not a valid taggable resource type for this operation."
            )
        tags = found.setdefault(spec_type, {})
        for tag in spec.get("Tags") or []:
            tags[tag.get("Key", "")] = tag.get("Value") or ""
    for tags in found.values():
        check_tags(tags)
    return found


def tags_for(params: dict[str, Any], resource_type: str) -> dict[str, str]:
    """Tags from TagSpecifications for one resource type (others are an error, as on AWS)."""
    return tags_by_type(params, {resource_type}).get(resource_type, {})


def group_name_scope(vpc_id: str) -> str:
    """The unique-name scope of security group names: one per VPC."""
    return f"sg-name:{vpc_id}"


# --- ids -------------------------------------------------------------------------------
_HEX_ID = re.compile(r"^([a-z]+(?:-[a-z]+)?)-([0-9a-f]{8}|[0-9a-f]{17})$")


def split_id(value: str) -> str | None:
    """The prefix of a well-formed resource id ("vpce-svc" for vpce-svc-0123...), else None."""
    match = _HEX_ID.match(value)
    return match.group(1) if match else None


def check_id(value: str, prefix: str, malformed: type[errors.AwsError]) -> None:
    if split_id(value) != prefix:
        raise _malformed(malformed, value, prefix)


def _malformed(error: type[errors.AwsError], value: str, prefix: str) -> errors.AwsError:
    if issubclass(error, errors.IdMalformed):
        return error(value)
    return error(f'Invalid id: "{value}" (expecting "{prefix}-...")')


def require(
    ctx: Scope,
    cls: type[Record],
    record_id: str,
    not_found: type[errors.AwsError],
    label: str,
) -> Any:
    """A record of the caller's account and region, or the kind's NotFound error."""
    record = ctx.uow.get(cls, record_id)
    if record is None or record.account != ctx.account or record.region != ctx.region:
        raise not_found(record_id)
    return record


def scoped(
    ctx: Scope,
    cls: type[Record],
    ids: list[str] | None,
    not_found: type[errors.AwsError],
    label: str,
) -> list[Any]:
    """All records of a kind in scope, or exactly the ids asked for (all must exist)."""
    items = ctx.uow.list(cls, ctx.account, ctx.region)
    if not ids:
        return items
    by_id = {item.id: item for item in items}
    missing = [i for i in dict.fromkeys(ids) if i not in by_id]
    if missing:
        raise not_found(*missing)
    return [by_id[i] for i in dict.fromkeys(ids)]


# --- the resource kind table ----------------------------------------------------------------
# A tagged thing: the record to save after a change, and the live tags dict to change.
TagHolder = tuple[Record, dict[str, str]]
Locator = Callable[[Scope, str], TagHolder | None]
Lister = Callable[[Scope], Iterable[tuple[str, TagHolder]]]


@dataclass(frozen=True)
class ResourceKind:
    """What one id prefix names.

    `record` None means privlink keeps no such resources, so every id of the
    kind is unknown (answered with the kind's real NotFound code). Kinds kept
    inside another record (security group rules inside their group) give
    `locate` and `listing` instead.
    """

    prefix: str
    resource_type: str  # DescribeTags' resource-type
    not_found: type[errors.AwsError]
    label: str  # "vpc ID" -> "The vpc ID 'vpc-1' does not exist"
    record: type[Record] | None = None
    malformed: type[errors.AwsError] | None = None
    locate: Locator | None = None
    listing: Lister | None = None

    def find(self, ctx: Scope, resource_id: str) -> TagHolder | None:
        if self.locate is not None:
            return self.locate(ctx, resource_id)
        if self.record is None:
            return None
        record = ctx.uow.get(self.record, resource_id)
        if record is None or record.account != ctx.account or record.region != ctx.region:
            return None
        return record, record.tags  # type: ignore[attr-defined]

    def tagged(self, ctx: Scope) -> Iterator[tuple[str, TagHolder]]:
        if self.listing is not None:
            yield from self.listing(ctx)
        elif self.record is not None:
            for record in ctx.uow.list(self.record, ctx.account, ctx.region):
                yield record.id, (record, record.tags)  # type: ignore[attr-defined]


RESOURCE_KINDS: dict[str, ResourceKind] = {}


def register_kind(kind: ResourceKind) -> ResourceKind:
    """Add or replace a kind (a module owning the records replaces a record-less placeholder)."""
    RESOURCE_KINDS[kind.prefix] = kind
    return kind


def kind_of(resource_id: str) -> ResourceKind | None:
    prefix = split_id(resource_id)
    return RESOURCE_KINDS.get(prefix) if prefix else None


def locate(ctx: Scope, resource_id: str) -> tuple[ResourceKind, TagHolder]:
    """Any taggable resource of the caller by id: InvalidID if no kind has that form."""
    kind = kind_of(resource_id)
    if kind is None:
        raise errors.InvalidIDMalformed(f"The ID '{resource_id}' is not valid")
    found = kind.find(ctx, resource_id)
    if found is None:
        raise kind.not_found(resource_id)
    return kind, found


def resolve(ctx: Scope, prefix: str, resource_id: str) -> Any:
    """The caller's record for an id of one kind: the kind's Malformed or NotFound error."""
    kind = RESOURCE_KINDS[prefix]
    if split_id(resource_id) != prefix:
        malformed = kind.malformed or errors.InvalidIDMalformed
        raise _malformed(malformed, resource_id, prefix)
    found = kind.find(ctx, resource_id)
    if found is None:
        raise kind.not_found(resource_id)
    return found[0]


for _kind in (
    ResourceKind(
        "vpc", "vpc", errors.InvalidVpcIDNotFound, "vpc ID", Vpc, errors.InvalidVpcIDMalformed
    ),
    ResourceKind(
        "subnet",
        "subnet",
        errors.InvalidSubnetIDNotFound,
        "subnet ID",
        Subnet,
        errors.InvalidSubnetIDMalformed,
    ),
    ResourceKind(
        "sg",
        "security-group",
        errors.InvalidGroupNotFound,
        "security group",
        SecurityGroup,
        errors.InvalidGroupIdMalformed,
    ),
    ResourceKind(
        "igw",
        "internet-gateway",
        errors.InvalidInternetGatewayIDNotFound,
        "internetGateway ID",
        InternetGateway,
        errors.InvalidInternetGatewayIDMalformed,
    ),
    ResourceKind(
        "rtb",
        "route-table",
        errors.InvalidRouteTableIDNotFound,
        "routeTable ID",
        RouteTable,
        errors.InvalidRouteTableIDMalformed,
    ),
    ResourceKind(
        "eni",
        "network-interface",
        errors.InvalidNetworkInterfaceIDNotFound,
        "networkInterface ID",
        NetworkInterface,
        errors.InvalidNetworkInterfaceIdMalformed,
    ),
    ResourceKind(
        "i",
        "instance",
        errors.InvalidInstanceIDNotFound,
        "instance ID",
        Instance,
        errors.InvalidInstanceIDMalformed,
    ),
    ResourceKind(
        "vpce",
        "vpc-endpoint",
        errors.InvalidVpcEndpointIdNotFound,
        "Vpc Endpoint Id",
        VpcEndpoint,
        errors.InvalidVpcEndpointIdMalformed,
    ),
    ResourceKind(
        "vpce-svc",
        "vpc-endpoint-service",
        errors.InvalidVpcEndpointServiceIdNotFound,
        "Vpc Endpoint Service Id",
        EndpointService,
        errors.InvalidVpcEndpointServiceIdMalformed,
    ),
    # Kinds privlink does not keep: any id is unknown, with AWS's code for it.
    ResourceKind(
        "ami", "image", errors.InvalidAMIIDNotFound, "image id", None, errors.InvalidAMIIDMalformed
    ),
    ResourceKind("nat", "natgateway", errors.NatGatewayNotFound, "Nat Gateway"),
    ResourceKind(
        "pcx",
        "vpc-peering-connection",
        errors.InvalidVpcPeeringConnectionIDNotFound,
        "vpcPeeringConnection ID",
    ),
    ResourceKind(
        "tgw", "transit-gateway", errors.InvalidTransitGatewayIDNotFound, "Transit Gateway"
    ),
    ResourceKind("vgw", "vpn-gateway", errors.InvalidVpnGatewayIDNotFound, "vpnGateway ID"),
    ResourceKind("acl", "network-acl", errors.InvalidNetworkAclIDNotFound, "networkAcl ID"),
    ResourceKind("dopt", "dhcp-options", errors.InvalidDhcpOptionIDNotFound, "dhcpOption ID"),
    ResourceKind("vol", "volume", errors.InvalidVolumeNotFound, "volume"),
    ResourceKind("snap", "snapshot", errors.InvalidSnapshotNotFound, "snapshot"),
    ResourceKind(
        "pl",
        "prefix-list",
        errors.InvalidPrefixListIDNotFound,
        "prefix list ID",
        None,
        errors.InvalidPrefixListIdMalformed,
    ),
):
    register_kind(_kind)


# --- ClientToken idempotency -------------------------------------------------------------------
def _token_scope(ctx: Scope, operation: str) -> str:
    return f"client-token:{ctx.account}:{ctx.region}:{operation}"


def _fingerprint(params: dict[str, Any]) -> str:
    body = {k: v for k, v in params.items() if k not in ("ClientToken", "DryRun")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def replayed(ctx: Scope, operation: str, params: dict[str, Any]) -> str | None:
    """The resource an earlier call with this ClientToken made; None for a new token.

    The same token with other parameters is IdempotentParameterMismatch, as on AWS.
    """
    token = params.get("ClientToken")
    if not token:
        return None
    owner = ctx.uow.name_owner(_token_scope(ctx, operation), token)
    if owner is None:
        return None
    resource_id, _, fingerprint = owner.partition(" ")
    if fingerprint != _fingerprint(params):
        raise errors.IdempotentParameterMismatch(
            f"The client token '{token}' has already been used with different parameters."
        )
    return resource_id


def remember_token(ctx: Scope, operation: str, params: dict[str, Any], resource_id: str) -> None:
    token = params.get("ClientToken")
    if token:
        ctx.uow.claim_name(
            _token_scope(ctx, operation), token, f"{resource_id} {_fingerprint(params)}"
        )
