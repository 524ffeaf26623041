"""VPC peering connection operations: request, accept, reject, delete, options.

A connection is one record in the requester's account; the accepter (any
account of the region) reaches it through `topology.peering_connection`, an
explicit cross-account read. Statuses follow AWS's lifecycle: a request
answers initiating-request and then waits in pending-acceptance (7 days,
after which it reads expired), or is failed at once when the VPCs' CIDRs
overlap or the peer VPC does not exist; the accepter accepts (active) or
rejects it; either side deletes an active one, the requester a pending one.
Expiry and how long a closed connection stays visible are derived from
timestamps when read, so no controller is needed and reads never write.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.network.topology import peering_connection
from privlink.services.ec2.records import PeeringSide, Vpc, VpcPeeringConnection
from privlink.services.ec2.resource_kinds import require

EXPIRES_AFTER = dt.timedelta(days=7)
FAILED_MESSAGE = "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range"
OPEN = ("pending-acceptance", "active")
HOURS_2, DAYS_2 = dt.timedelta(hours=2), dt.timedelta(days=2)


@dataclass(frozen=True)
class PeeringRequest:
    vpc_id: str
    peer_vpc_id: str
    peer_owner_id: str | None = None
    peer_region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SideOptions:
    """One side's options in a ModifyVpcPeeringConnectionOptions request (None: not given)."""

    allow_dns_resolution_from_remote_vpc: bool | None = None


def vpc_cidrs(vpc: Vpc) -> list[str]:
    return [vpc.cidr, *(b.cidr for b in vpc.secondary_cidrs)]


def _overlap(ours: list[str], theirs: list[str]) -> bool:
    return any(
        ipaddress.IPv4Network(a).overlaps(ipaddress.IPv4Network(b)) for a in ours for b in theirs
    )


def _peer_region(scope: Scope, region: str | None) -> str:
    """privlink peers VPCs of one region: another region is refused, not half-emulated."""
    if region and region != scope.region:
        raise errors.UnsupportedOperation.because(
            f"privlink peers VPCs within one Region only: PeerRegion {region} is not "
            f"{scope.region}."
        )
    return scope.region


def request_peering(scope: Scope, request: PeeringRequest) -> VpcPeeringConnection:
    """A new connection: pending-acceptance, or failed when AWS would fail it."""
    vpc = require(scope, Vpc, request.vpc_id)
    region = _peer_region(scope, request.peer_region)
    owner = request.peer_owner_id or scope.account
    check_id(request.peer_vpc_id, "vpc", errors.InvalidVpcIDMalformed)
    peer = scope.foreign(Vpc, request.peer_vpc_id)
    if peer is not None and (peer.account, peer.region) != (owner, region):
        peer = None
    if peer is None and owner == scope.account:
        raise errors.InvalidVpcIDNotFound(request.peer_vpc_id)
    ours = vpc_cidrs(vpc)
    theirs = vpc_cidrs(peer) if peer is not None else []
    now = scope.now()
    connection = VpcPeeringConnection(
        id=scope.new_id("pcx"),
        account=scope.account,
        region=scope.region,
        requester=PeeringSide(
            account=scope.account, region=scope.region, vpc_id=vpc.id, cidrs=ours
        ),
        accepter=PeeringSide(
            account=owner, region=region, vpc_id=request.peer_vpc_id, cidrs=theirs
        ),
        expiration_time=(now + EXPIRES_AFTER).isoformat(),
        tags=dict(request.tags),
    )
    if peer is None or _overlap(ours, theirs):
        _close(connection, "failed", FAILED_MESSAGE, "", now)
    else:
        connection.status_message = f"Pending Acceptance by {owner}"
    scope.add(connection)
    return connection


# --- reading one connection as a side sees it ---------------------------------------------
def status_of(connection: VpcPeeringConnection, now: dt.datetime) -> tuple[str, str]:
    """(code, message) now: a pending request past its expiration reads expired."""
    expires = connection.expiration_time
    if connection.status == "pending-acceptance" and expires:
        if now >= dt.datetime.fromisoformat(expires):
            return "expired", "Expired"
    return connection.status, connection.status_message


def _visible_for(connection: VpcPeeringConnection, viewer: str, code: str) -> dt.timedelta | None:
    """How long after closing (or expiring) `viewer` still sees it; None: no end."""
    one_account = connection.requester.account == connection.accepter.account
    requester = viewer == connection.requester.account
    if code == "failed":
        return HOURS_2
    if code == "expired":
        return DAYS_2
    if code == "rejected":
        return HOURS_2 if one_account or not requester else DAYS_2
    if code == "deleted":
        return HOURS_2 if one_account or viewer == connection.closed_by else DAYS_2
    return None


def visible(connection: VpcPeeringConnection, viewer: str, now: dt.datetime) -> bool:
    """Whether `viewer` (an account on one side) still sees the connection, as AWS shows it."""
    code, _ = status_of(connection, now)
    if code == "failed" and viewer != connection.requester.account:
        return False
    keep = _visible_for(connection, viewer, code)
    since = connection.expiration_time if code == "expired" else connection.closed_at
    if keep is None or since is None:
        return True
    return now < dt.datetime.fromisoformat(since) + keep


def find(scope: Scope, peering_id: str) -> VpcPeeringConnection:
    """A connection the caller is a side of and still sees: else AWS's NotFound."""
    check_id(peering_id, "pcx", errors.InvalidVpcPeeringConnectionIdMalformed)
    connection = peering_connection(scope, peering_id)
    if connection is None or not visible(connection, scope.account, scope.now()):
        raise errors.InvalidVpcPeeringConnectionIDNotFound(peering_id)
    return connection


def seen_by(scope: Scope) -> list[VpcPeeringConnection]:
    """Every connection the caller still sees, requested or offered to it, in creation order."""
    now = scope.now()
    return [
        c
        for c in scope.uow.list(VpcPeeringConnection, region=scope.region)
        if scope.account in (c.requester.account, c.accepter.account)
        and visible(c, scope.account, now)
    ]


# --- transitions ------------------------------------------------------------------------------
def _close(
    connection: VpcPeeringConnection, code: str, message: str, by: str, now: dt.datetime
) -> None:
    connection.status, connection.status_message = code, message
    connection.closed_at, connection.closed_by = now.isoformat(), by


def _pending_for_accepter(scope: Scope, peering_id: str, verb: str) -> VpcPeeringConnection:
    connection = find(scope, peering_id)
    if scope.account != connection.accepter.account:
        raise errors.OperationNotPermitted.because(
            f"User ({scope.account}) cannot {verb} peering {connection.id}"
        )
    code, _ = status_of(connection, scope.now())
    if code != "pending-acceptance":
        target = "active" if verb == "accept" else "rejected"
        raise errors.InvalidStateTransition(connection.id, code, target)
    return connection


def accept(scope: Scope, peering_id: str) -> VpcPeeringConnection:
    """The accepter activates a pending request; the peer's CIDRs are read again now."""
    connection = _pending_for_accepter(scope, peering_id, "accept")
    peer = scope.foreign(Vpc, connection.accepter.vpc_id)
    if peer is not None:
        connection.accepter.cidrs = vpc_cidrs(peer)
    connection.status, connection.status_message = "active", "Active"
    scope.put(connection)
    return connection


def reject(scope: Scope, peering_id: str) -> VpcPeeringConnection:
    connection = _pending_for_accepter(scope, peering_id, "reject")
    _close(connection, "rejected", f"Rejected by {scope.account}", scope.account, scope.now())
    scope.put(connection)
    return connection


def delete(scope: Scope, peering_id: str) -> VpcPeeringConnection:
    """Either side deletes an active connection; only the requester a pending request."""
    connection = find(scope, peering_id)
    code, _ = status_of(connection, scope.now())
    requester = scope.account == connection.requester.account
    if code not in OPEN or (code == "pending-acceptance" and not requester):
        raise errors.InvalidStateTransition(connection.id, code, "deleted")
    _close(connection, "deleted", f"Deleted by {scope.account}", scope.account, scope.now())
    scope.put(connection)
    return connection


def modify_options(
    scope: Scope, peering_id: str, requester: SideOptions | None, accepter: SideOptions | None
) -> VpcPeeringConnection:
    """Each side sets its own options (both, when one account owns both VPCs), once active."""
    connection = find(scope, peering_id)
    if status_of(connection, scope.now())[0] != "active":
        raise errors.OperationNotPermitted.because(
            f"Peering {connection.id} is not active. Peering options can be added only to "
            "active peerings."
        )
    for name, options, side in (
        ("requester", requester, connection.requester),
        ("accepter", accepter, connection.accepter),
    ):
        if options is None:
            continue
        if scope.account != side.account:
            raise errors.OperationNotPermitted.because(
                f"User {scope.account} does not have permission to modify the {name} side "
                "peering options"
            )
        if options.allow_dns_resolution_from_remote_vpc is not None:
            side.allow_dns_resolution_from_remote_vpc = options.allow_dns_resolution_from_remote_vpc
    scope.put(connection)
    return connection
