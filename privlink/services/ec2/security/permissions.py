"""Security group rules: from IpPermissions to stored rules, back to both wire shapes.

AWS stores one rule per (protocol, ports, peer) and shows them two ways:
grouped into IpPermissions by protocol and ports (DescribeSecurityGroups) and
one by one with an sgr- id (DescribeSecurityGroupRules, Authorize's answer).
Requests are validated here exactly once, whichever operation carries them.

`effective_rules` is the read side for the data plane: a group's rules with
referenced groups expanded into their members' addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2 import common
from privlink.services.ec2.records import NetworkInterface, SecurityGroup, SecurityGroupRule
from privlink.store.unit import UnitOfWork

MAX_RULES = 60  # per direction per group, AWS's default quota
_NUMBERED = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_PORTED = ("tcp", "udp")
_ICMP = ("icmp", "icmpv6")
ALL = "-1"
NO_PEER = (
    "missing mandatory parameter: exactly one of remote-security-group, remote-ip-range, "
    "remote-ipv6-range, or prefix-list-id must be present"
)


# --- validation --------------------------------------------------------------------------
def protocol(value: Any) -> str:
    """AWS's stored form: tcp/udp/icmp/icmpv6 by name (numbers 6/17/1/58 too), -1, or 0-255."""
    if value is None or str(value).strip() == "":
        raise errors.MissingParameter("The request must contain the parameter ipProtocol")
    text = str(value).strip().lower()
    if text == ALL or text in _PORTED or text in _ICMP:
        return text
    if text.isdigit() and int(text) <= 255:
        return _NUMBERED.get(str(int(text)), str(int(text)))
    raise errors.InvalidParameterValue(
        f"Invalid value '{value}' for IP protocol. Unknown protocol."
    )


def ports(proto: str, from_port: int | None, to_port: int | None) -> tuple[int | None, int | None]:
    """Port range for TCP/UDP, type and code for ICMP; None for protocols without ports."""
    if proto in _PORTED:
        if from_port is None or to_port is None:
            raise errors.InvalidParameterValue(
                "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."
            )
        for port in (from_port, to_port):
            if not 0 <= port <= 65535:
                raise errors.InvalidPermissionMalformed(f"TCP/UDP port ({port}) out of range")
        if from_port > to_port:
            raise errors.InvalidParameterValue(
                f"Invalid TCP/UDP port range: from port {from_port} is greater than "
                f"to port {to_port}"
            )
        return from_port, to_port
    if proto in _ICMP:
        if from_port is None or to_port is None:
            raise errors.InvalidParameterValue(
                "Invalid value 'Must specify both from and to ports with ICMP.' for portRange."
            )
        for what, number in (("type", from_port), ("code", to_port)):
            if not -1 <= number <= 255:
                raise errors.InvalidPermissionMalformed(f"ICMP {what} ({number}) out of range")
        if from_port == -1 and to_port != -1:
            raise errors.InvalidParameterValue(
                f"Invalid ICMP code ({to_port}): the code must be -1 when the type is -1"
            )
        return from_port, to_port
    return None, None


def _cidr(value: Any, version: int) -> str:
    text = str(value or "")
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        net = None
    if net is None or net.version != version or "/" not in text:
        raise errors.InvalidParameterValue(f"CIDR block {text} is malformed")
    return str(net)


def _described(item: dict[str, Any]) -> dict[str, Any]:
    description = item.get("Description")
    if description is not None and len(description) > 255:
        raise errors.InvalidParameterValue(
            "Invalid rule description. Descriptions can be up to 255 characters long."
        )
    return {"description": description}


# --- requests -> rules ---------------------------------------------------------------------
def legacy_permissions(params: dict[str, Any], egress: bool) -> list[dict[str, Any]] | None:
    """The top-level CidrIp/IpProtocol/ports/SourceSecurityGroup* form as one IpPermission."""
    legacy = (
        "CidrIp",
        "IpProtocol",
        "FromPort",
        "ToPort",
        "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
    )
    given = [name for name in legacy if params.get(name) is not None]
    if not given:
        return None
    if egress:
        raise errors.InvalidParameterCombination(
            f"The parameter '{given[0]}' is not supported for egress rules; use IpPermissions."
        )
    if params.get("IpPermissions"):
        raise errors.InvalidParameterCombination(
            f"The parameter 'ipPermissions' may not be used in combination with '{given[0]}'"
        )
    permission: dict[str, Any] = {
        "IpProtocol": params.get("IpProtocol"),
        "FromPort": params.get("FromPort"),
        "ToPort": params.get("ToPort"),
    }
    if params.get("CidrIp") is not None:
        permission["IpRanges"] = [{"CidrIp": params["CidrIp"]}]
    if params.get("SourceSecurityGroupName") is not None:
        if permission["IpProtocol"] is None:
            permission["IpProtocol"] = ALL  # a source group alone opens everything
        permission["UserIdGroupPairs"] = [
            {
                "GroupName": params["SourceSecurityGroupName"],
                "UserId": params.get("SourceSecurityGroupOwnerId"),
            }
        ]
    return [permission]


def request_permissions(params: dict[str, Any], egress: bool) -> list[dict[str, Any]]:
    permissions = legacy_permissions(params, egress)
    if permissions is None:
        permissions = params.get("IpPermissions") or []
    if not permissions:
        raise errors.MissingParameter("The request must contain the parameter ipPermissions")
    return permissions


def group_named(uow: UnitOfWork, vpc_id: str, name: str) -> SecurityGroup | None:
    """A VPC's group by name (names are unique per VPC)."""
    group_id = uow.name_owner(common.group_name_scope(vpc_id), name)
    return uow.get(SecurityGroup, group_id) if group_id else None


def _referenced(ctx: Scope, group: SecurityGroup, pair: dict[str, Any]) -> SecurityGroup:
    owner = pair.get("UserId") or ctx.account
    if pair.get("GroupId"):
        ref = ctx.uow.get(SecurityGroup, pair["GroupId"])
        if ref is None or ref.account != owner or ref.region != ctx.region:
            raise errors.InvalidGroupNotFound(pair["GroupId"])
    elif pair.get("GroupName"):
        ref = group_named(ctx.uow, group.vpc_id, pair["GroupName"])
        if ref is None:
            raise errors.InvalidGroupNotFound.because(
                f"The security group '{pair['GroupName']}' does not exist in VPC '{group.vpc_id}'"
            )
    else:
        raise errors.MissingParameter(
            "The request must contain the parameter groupId or groupName in UserIdGroupPairs"
        )
    if ref.account == ctx.account and ref.vpc_id != group.vpc_id:
        raise errors.InvalidParameterValue(
            "You have specified two resources that belong to different networks."
        )
    return ref


def build_rules(
    ctx: Scope, group: SecurityGroup, permissions: list[dict[str, Any]], egress: bool
) -> list[SecurityGroupRule]:
    """One rule per peer of each permission, validated as AWS validates them."""
    rules: list[SecurityGroupRule] = []
    for permission in permissions:
        proto = protocol(permission.get("IpProtocol"))
        low, high = ports(proto, permission.get("FromPort"), permission.get("ToPort"))
        base: dict[str, Any] = {
            "is_egress": egress,
            "ip_protocol": proto,
            "from_port": low,
            "to_port": high,
        }
        peers = [
            {"cidr_ipv4": _cidr(item.get("CidrIp"), 4), **_described(item)}
            for item in permission.get("IpRanges") or []
        ]
        peers += [
            {"cidr_ipv6": _cidr(item.get("CidrIpv6"), 6), **_described(item)}
            for item in permission.get("Ipv6Ranges") or []
        ]
        for item in permission.get("PrefixListIds") or []:
            prefix_list = item.get("PrefixListId") or ""
            common.check_id(prefix_list, "pl", errors.InvalidPrefixListIdMalformed)
            peers.append({"prefix_list_id": prefix_list, **_described(item)})
        for item in permission.get("UserIdGroupPairs") or []:
            ref = _referenced(ctx, group, item)
            peers.append(
                {
                    "referenced_group_id": ref.id,
                    "referenced_group_owner": ref.account,
                    **_described(item),
                }
            )
        if not peers:
            raise errors.InvalidParameterValue(NO_PEER)
        rules += [SecurityGroupRule(rule_id=ctx.new_id("sgr"), **base, **peer) for peer in peers]
    return rules


def rule_from_request(
    ctx: Scope, group: SecurityGroup, old: SecurityGroupRule, request: dict[str, Any]
) -> SecurityGroupRule:
    """ModifySecurityGroupRules' SecurityGroupRuleRequest, replacing `old` under the same id."""
    # (request member, permission list, peer key): exactly one must be given
    kinds = (
        ("CidrIpv4", "IpRanges", "CidrIp"),
        ("CidrIpv6", "Ipv6Ranges", "CidrIpv6"),
        ("PrefixListId", "PrefixListIds", "PrefixListId"),
        ("ReferencedGroupId", "UserIdGroupPairs", "GroupId"),
    )
    peer: dict[str, Any] = {
        listed: [{key: request[member], "Description": request.get("Description")}]
        for member, listed, key in kinds
        if request.get(member)
    }
    if len(peer) != 1:
        raise errors.InvalidParameterValue(NO_PEER)
    permission = {
        "IpProtocol": request.get("IpProtocol"),
        "FromPort": request.get("FromPort"),
        "ToPort": request.get("ToPort"),
        **peer,
    }
    (rule,) = build_rules(ctx, group, [permission], old.is_egress)
    rule.rule_id = old.rule_id
    rule.tags = old.tags
    return rule


def duplicate_message(rule: SecurityGroupRule) -> str:
    peer = rule.cidr_ipv4 or rule.cidr_ipv6 or rule.prefix_list_id or rule.referenced_group_id or ""
    proto = "ALL" if rule.ip_protocol == ALL else rule.ip_protocol.upper()
    if rule.from_port is None:
        shown = f"peer: {peer}, {proto}, ALLOW"
    else:
        shown = (
            f"peer: {peer}, {proto}, from port: {rule.from_port}, to port: {rule.to_port}, ALLOW"
        )
    return f'the specified rule "{shown}" already exists'


# --- rules -> wire -------------------------------------------------------------------------
def wire_permissions(rules: Iterable[SecurityGroupRule]) -> list[dict[str, Any]]:
    """IpPermissions: rules grouped by protocol and ports, peers listed by kind."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for rule in rules:
        key = (rule.ip_protocol, rule.from_port, rule.to_port)
        permission = grouped.get(key)
        if permission is None:
            permission = grouped[key] = {
                "IpProtocol": rule.ip_protocol,
                "FromPort": rule.from_port,
                "ToPort": rule.to_port,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        extra = {"Description": rule.description}
        if rule.cidr_ipv4:
            permission["IpRanges"].append({"CidrIp": rule.cidr_ipv4, **extra})
        elif rule.cidr_ipv6:
            permission["Ipv6Ranges"].append({"CidrIpv6": rule.cidr_ipv6, **extra})
        elif rule.prefix_list_id:
            permission["PrefixListIds"].append({"PrefixListId": rule.prefix_list_id, **extra})
        elif rule.referenced_group_id:
            permission["UserIdGroupPairs"].append(
                {
                    "GroupId": rule.referenced_group_id,
                    "UserId": rule.referenced_group_owner,
                    **extra,
                }
            )
    return list(grouped.values())


def rule_arn(group: SecurityGroup, rule: SecurityGroupRule) -> str:
    return f"arn:aws:ec2:{group.region}:{group.account}:security-group-rule/{rule.rule_id}"


def _peer(rule: SecurityGroupRule) -> dict[str, Any]:
    return {
        "IsEgress": rule.is_egress,
        "IpProtocol": rule.ip_protocol,
        "FromPort": -1 if rule.from_port is None else rule.from_port,
        "ToPort": -1 if rule.to_port is None else rule.to_port,
        "CidrIpv4": rule.cidr_ipv4,
        "CidrIpv6": rule.cidr_ipv6,
        "PrefixListId": rule.prefix_list_id,
        "Description": rule.description,
    }


def wire_rule(group: SecurityGroup, rule: SecurityGroupRule) -> dict[str, Any]:
    """The SecurityGroupRule shape (DescribeSecurityGroupRules, Authorize*)."""
    referenced = None
    if rule.referenced_group_id:
        referenced = {"GroupId": rule.referenced_group_id, "UserId": rule.referenced_group_owner}
    return {
        "SecurityGroupRuleId": rule.rule_id,
        "GroupId": group.id,
        "GroupOwnerId": group.account,
        **_peer(rule),
        "ReferencedGroupInfo": referenced,
        "Tags": common.wire_tags(rule.tags) or [],
        "SecurityGroupRuleArn": rule_arn(group, rule),
    }


def wire_revoked(group: SecurityGroup, rule: SecurityGroupRule) -> dict[str, Any]:
    """The RevokedSecurityGroupRule shape."""
    return {
        "SecurityGroupRuleId": rule.rule_id,
        "GroupId": group.id,
        **_peer(rule),
        "ReferencedGroupId": rule.referenced_group_id,
    }


# --- the data plane's view ----------------------------------------------------------------
@dataclass(frozen=True)
class EffectiveRule:
    """One allow rule as a packet filter needs it."""

    group_id: str
    rule_id: str
    is_egress: bool
    protocol: str  # "-1" (all), "tcp", "udp", "icmp", "icmpv6" or an IANA number
    from_port: int | None  # port range, or ICMP type; None: every port
    to_port: int | None  # ... or ICMP code
    peers: tuple[str, ...]  # CIDRs; a referenced group is its members' addresses as /32s
    prefix_list_id: str | None = None  # unresolved: privlink keeps no prefix list entries


def group_members(uow: UnitOfWork, group: SecurityGroup) -> list[str]:
    """Private addresses of the interfaces that carry a group."""
    return [
        eni.private_ip
        for eni in uow.list(NetworkInterface, group.account, group.region)
        if group.id in eni.group_ids
    ]


def effective_rules(uow: UnitOfWork, group_ids: Iterable[str]) -> list[EffectiveRule]:
    """The rules of these groups (an interface's groups), referenced groups expanded."""
    groups = uow.get_many(SecurityGroup, group_ids)
    members: dict[str, list[str]] = {}
    result: list[EffectiveRule] = []
    for group_id in dict.fromkeys(group_ids):
        group = groups.get(group_id)
        if group is None:
            continue
        for rule in group.rules:
            peers: tuple[str, ...] = ()
            if rule.cidr_ipv4 or rule.cidr_ipv6:
                peers = (rule.cidr_ipv4 or rule.cidr_ipv6 or "",)
            elif rule.referenced_group_id:
                ref_id = rule.referenced_group_id
                if ref_id not in members:
                    ref = uow.get(SecurityGroup, ref_id)
                    members[ref_id] = group_members(uow, ref) if ref else []
                peers = tuple(f"{address}/32" for address in members[ref_id])
            result.append(
                EffectiveRule(
                    group.id,
                    rule.rule_id,
                    rule.is_egress,
                    rule.ip_protocol,
                    rule.from_port,
                    rule.to_port,
                    peers,
                    rule.prefix_list_id,
                )
            )
    return result
