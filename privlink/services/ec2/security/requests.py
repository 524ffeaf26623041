"""IpPermissions (and their older forms) as the API sends them -> typed `Permission`s.

Structure only: what each member means. Whether the values are valid is
`permissions.build_rules`' question, so other callers get the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.services.ec2.security.permissions import ALL, NO_PEER, Peer, Permission

LEGACY = (
    "CidrIp",
    "IpProtocol",
    "FromPort",
    "ToPort",
    "SourceSecurityGroupName",
    "SourceSecurityGroupOwnerId",
)


def _peers(permission: Mapping[str, Any]) -> tuple[Peer, ...]:
    peers = [
        Peer("cidr_ipv4", str(item.get("CidrIp") or ""), description=item.get("Description"))
        for item in permission.get("IpRanges") or []
    ]
    peers += [
        Peer("cidr_ipv6", str(item.get("CidrIpv6") or ""), description=item.get("Description"))
        for item in permission.get("Ipv6Ranges") or []
    ]
    peers += [
        Peer("prefix_list_id", item.get("PrefixListId") or "", description=item.get("Description"))
        for item in permission.get("PrefixListIds") or []
    ]
    peers += [
        Peer(
            "group",
            item.get("GroupId") or "",
            group_name=item.get("GroupName"),
            owner=item.get("UserId"),
            description=item.get("Description"),
        )
        for item in permission.get("UserIdGroupPairs") or []
    ]
    return tuple(peers)


def permission(wire: Mapping[str, Any]) -> Permission:
    """One IpPermission."""
    return Permission(
        wire.get("IpProtocol"), wire.get("FromPort"), wire.get("ToPort"), _peers(wire)
    )


def _legacy(params: Mapping[str, Any], egress: bool) -> list[Permission] | None:
    """The top-level CidrIp/IpProtocol/ports/SourceSecurityGroup* form as one permission."""
    given = [name for name in LEGACY if params.get(name) is not None]
    if not given:
        return None
    if egress:
        raise errors.InvalidParameterCombination.because(
            f"The parameter '{given[0]}' is not supported for egress rules; use IpPermissions."
        )
    if params.get("IpPermissions"):
        raise errors.InvalidParameterCombination.because(
            f"The parameter 'ipPermissions' may not be used in combination with '{given[0]}'"
        )
    peers: list[Peer] = []
    proto = params.get("IpProtocol")
    if params.get("CidrIp") is not None:
        peers.append(Peer("cidr_ipv4", str(params["CidrIp"])))
    if params.get("SourceSecurityGroupName") is not None:
        proto = ALL if proto is None else proto  # a source group alone opens everything
        peers.append(
            Peer(
                "group",
                group_name=params["SourceSecurityGroupName"],
                owner=params.get("SourceSecurityGroupOwnerId"),
            )
        )
    return [Permission(proto, params.get("FromPort"), params.get("ToPort"), tuple(peers))]


def permissions(params: Mapping[str, Any], egress: bool) -> list[Permission]:
    """An Authorize/Revoke request's permissions, in whichever form it gave them."""
    found = _legacy(params, egress)
    if found is None:
        found = [permission(p) for p in params.get("IpPermissions") or []]
    if not found:
        raise errors.ParameterMissing("ipPermissions")
    return found


def rule_change(request: Mapping[str, Any]) -> Permission:
    """ModifySecurityGroupRules' SecurityGroupRuleRequest: exactly one peer."""
    kinds = (
        ("CidrIpv4", "cidr_ipv4"),
        ("CidrIpv6", "cidr_ipv6"),
        ("PrefixListId", "prefix_list_id"),
        ("ReferencedGroupId", "group"),
    )
    peers = tuple(
        Peer(kind, str(request[member]), description=request.get("Description"))  # type: ignore[arg-type]
        for member, kind in kinds
        if request.get(member)
    )
    if len(peers) != 1:
        raise errors.InvalidParameterValue.because(NO_PEER)
    return Permission(
        request.get("IpProtocol"), request.get("FromPort"), request.get("ToPort"), peers
    )
