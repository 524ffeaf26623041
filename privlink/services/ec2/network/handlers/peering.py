"""VPC peering connection handlers and wire shapes: wire input -> operation -> wire output.

Both sides describe the same connection; each sees its own tags, and the
accepter's CIDRs and each side's options appear once the connection is
active, as AWS shows them.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, Scope, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import peering
from privlink.services.ec2.records import PeeringSide, Vpc, VpcPeeringConnection
from privlink.services.shared.describe import Describe


def _cidrs(scope: Scope, side: PeeringSide) -> list[str]:
    """The side's VPC blocks as they are now (kept from the request once the VPC is gone)."""
    vpc = scope.foreign(Vpc, side.vpc_id)
    return peering.vpc_cidrs(vpc) if vpc is not None else side.cidrs


def _side(scope: Scope, side: PeeringSide, code: str, shown: bool) -> dict[str, Any]:
    cidrs = _cidrs(scope, side) if shown else []
    wire: dict[str, Any] = {"OwnerId": side.account, "VpcId": side.vpc_id, "Region": side.region}
    if cidrs:
        wire["CidrBlock"] = cidrs[0]
        wire["CidrBlockSet"] = [{"CidrBlock": c} for c in cidrs]
    if code == "active":
        wire["PeeringOptions"] = _options(side)
    return wire


def _options(side: PeeringSide) -> dict[str, bool]:
    return {
        "AllowDnsResolutionFromRemoteVpc": side.allow_dns_resolution_from_remote_vpc,
        "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
        "AllowEgressFromLocalVpcToRemoteClassicLink": False,
    }


def wire_peering(
    scope: Scope, connection: VpcPeeringConnection, status: tuple[str, str] | None = None
) -> dict[str, Any]:
    code, message = status or peering.status_of(connection, scope.now())
    mine = connection.tags
    if scope.account != connection.requester.account:
        mine = connection.accepter_tags
    return {
        "VpcPeeringConnectionId": connection.id,
        "RequesterVpcInfo": _side(scope, connection.requester, code, True),
        "AccepterVpcInfo": _side(scope, connection.accepter, code, code == "active"),
        "Status": {"Code": code, "Message": message},
        "ExpirationTime": connection.expiration_time if code == "pending-acceptance" else None,
        "Tags": tag_wire.wire(mine),
    }


def _status(scope: Scope) -> Any:
    return lambda c: peering.status_of(c, scope.now())


def _scoped_filters(scope: Scope) -> dict[str, Any]:
    """Filters that read the caller's view: live status, live CIDRs, the caller's own tags."""
    status = _status(scope)
    return {
        "status-code": lambda c: status(c)[0],
        "status-message": lambda c: status(c)[1],
        "requester-vpc-info.cidr-block": lambda c: _cidrs(scope, c.requester),
        "accepter-vpc-info.cidr-block": lambda c: _cidrs(scope, c.accepter),
    }


PEERINGS = Describe(
    VpcPeeringConnection,
    {
        "vpc-peering-connection-id": lambda c: c.id,
        "requester-vpc-info.owner-id": lambda c: c.requester.account,
        "requester-vpc-info.vpc-id": lambda c: c.requester.vpc_id,
        "accepter-vpc-info.owner-id": lambda c: c.accepter.account,
        "accepter-vpc-info.vpc-id": lambda c: c.accepter.vpc_id,
        "expiration-time": lambda c: c.expiration_time,
    },
    checker("pcx", errors.InvalidVpcPeeringConnectionIdMalformed),
    scoped_filters=_scoped_filters,
)


def _as_seen_by(scope: Scope, connection: VpcPeeringConnection) -> VpcPeeringConnection:
    """The connection with the caller's own tags in `tags` (what tag filters match)."""
    if scope.account == connection.requester.account:
        return connection
    return connection.model_copy(update={"tags": connection.accepter_tags})


@handles("CreateVpcPeeringConnection")
def create_vpc_peering_connection(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("PeerVpcId"):
        raise errors.ParameterMissing("peerVpcId")
    request = peering.PeeringRequest(
        vpc_id=params["VpcId"],
        peer_vpc_id=params["PeerVpcId"],
        peer_owner_id=params.get("PeerOwnerId"),
        peer_region=params.get("PeerRegion"),
        tags=tag_wire.for_type(params, "vpc-peering-connection"),
    )
    connection = peering.request_peering(ctx, request)
    initiating = ("initiating-request", f"Initiating Request to {connection.accepter.account}")
    return {"VpcPeeringConnection": wire_peering(ctx, connection, initiating)}


@handles("DescribeVpcPeeringConnections")
def describe_vpc_peering_connections(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    seen = [_as_seen_by(ctx, c) for c in peering.seen_by(ctx)]
    chunk, token = PEERINGS.page(ctx, params.get("VpcPeeringConnectionIds"), params, seen)
    return {"VpcPeeringConnections": [wire_peering(ctx, c) for c in chunk], "NextToken": token}


@handles("AcceptVpcPeeringConnection")
def accept_vpc_peering_connection(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    connection = peering.accept(ctx, params["VpcPeeringConnectionId"])
    return {"VpcPeeringConnection": wire_peering(ctx, connection)}


@handles("RejectVpcPeeringConnection")
def reject_vpc_peering_connection(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    peering.reject(ctx, params["VpcPeeringConnectionId"])
    return {"Return": True}


@handles("DeleteVpcPeeringConnection")
def delete_vpc_peering_connection(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    peering.delete(ctx, params["VpcPeeringConnectionId"])
    return {"Return": True}


def _side_options(raw: dict[str, Any] | None) -> peering.SideOptions | None:
    if raw is None:
        return None
    for classic in (
        "AllowEgressFromLocalClassicLinkToRemoteVpc",
        "AllowEgressFromLocalVpcToRemoteClassicLink",
    ):
        if raw.get(classic):
            raise errors.UnsupportedOperation.because(
                f"{classic} is not supported: EC2-Classic and ClassicLink are retired."
            )
    return peering.SideOptions(raw.get("AllowDnsResolutionFromRemoteVpc"))


@handles("ModifyVpcPeeringConnectionOptions")
def modify_vpc_peering_connection_options(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    requester = _side_options(params.get("RequesterPeeringConnectionOptions"))
    accepter = _side_options(params.get("AccepterPeeringConnectionOptions"))
    connection = peering.modify_options(ctx, params["VpcPeeringConnectionId"], requester, accepter)
    return {
        "RequesterPeeringConnectionOptions": (
            _options(connection.requester) if requester is not None else None
        ),
        "AccepterPeeringConnectionOptions": (
            _options(connection.accepter) if accepter is not None else None
        ),
    }
