"""How security groups and their rules show on the wire, and how Describe* selects them.

AWS shows stored rules two ways: grouped into IpPermissions by protocol and
ports (DescribeSecurityGroups) and one by one with an sgr- id
(DescribeSecurityGroupRules, Authorize's answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.domain import filters
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.records import SecurityGroup, SecurityGroupRule
from privlink.services.shared.describe import Describe


def arn(group: SecurityGroup) -> str:
    return f"arn:aws:ec2:{group.region}:{group.account}:security-group/{group.id}"


def rule_arn(group: SecurityGroup, rule: SecurityGroupRule) -> str:
    return f"arn:aws:ec2:{group.region}:{group.account}:security-group-rule/{rule.rule_id}"


def _add_peer(permission: dict[str, Any], rule: SecurityGroupRule) -> None:
    extra = {"Description": rule.description}
    if rule.cidr_ipv4:
        permission["IpRanges"].append({"CidrIp": rule.cidr_ipv4, **extra})
    elif rule.cidr_ipv6:
        permission["Ipv6Ranges"].append({"CidrIpv6": rule.cidr_ipv6, **extra})
    elif rule.prefix_list_id:
        permission["PrefixListIds"].append({"PrefixListId": rule.prefix_list_id, **extra})
    elif rule.referenced_group_id:
        permission["UserIdGroupPairs"].append(
            {"GroupId": rule.referenced_group_id, "UserId": rule.referenced_group_owner, **extra}
        )


def wire_permissions(rules: Iterable[SecurityGroupRule]) -> list[dict[str, Any]]:
    """IpPermissions: rules grouped by protocol and ports, peers listed by kind."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for rule in rules:
        key = (rule.ip_protocol, rule.from_port, rule.to_port)
        if key not in grouped:
            grouped[key] = {
                "IpProtocol": rule.ip_protocol,
                "FromPort": rule.from_port,
                "ToPort": rule.to_port,
                "IpRanges": [],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }
        _add_peer(grouped[key], rule)
    return list(grouped.values())


def wire_group(group: SecurityGroup) -> dict[str, Any]:
    return {
        "Description": group.description,
        "GroupName": group.name,
        "IpPermissions": wire_permissions(r for r in group.rules if not r.is_egress),
        "OwnerId": group.account,
        "GroupId": group.id,
        "IpPermissionsEgress": wire_permissions(r for r in group.rules if r.is_egress),
        "VpcId": group.vpc_id,
        "SecurityGroupArn": arn(group),
        "Tags": tag_wire.wire(group.tags),
    }


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
        "Tags": tag_wire.wire(rule.tags),
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


def group_set(scope: Scope, group_ids: list[str]) -> list[dict[str, Any]]:
    """[{GroupId, GroupName}] in the given order: how interfaces and instances show groups."""
    groups = {gid: scope.get(SecurityGroup, gid) for gid in group_ids}
    return [{"GroupId": gid, "GroupName": getattr(groups[gid], "name", None)} for gid in group_ids]


# --- Describe ---------------------------------------------------------------------------------
def _rules(egress: bool, value: Callable[[SecurityGroupRule], Any]) -> filters.Getter:
    return lambda g: [value(r) for r in g.rules if r.is_egress == egress]


_RULE_FIELDS: dict[str, Callable[[SecurityGroupRule], Any]] = {
    "cidr": lambda r: r.cidr_ipv4,
    "from-port": lambda r: r.from_port,
    "to-port": lambda r: r.to_port,
    "group-id": lambda r: r.referenced_group_id,
    "ipv6-cidr": lambda r: r.cidr_ipv6,
    "prefix-list-id": lambda r: r.prefix_list_id,
    "protocol": lambda r: r.ip_protocol,
    "user-id": lambda r: r.referenced_group_owner,
}


def _referenced_names(scope: Scope) -> Mapping[str, filters.Getter]:
    """ip-permission.group-name: the names of the groups rules reference."""
    names: dict[str, str] = {}

    def name_of(rule: SecurityGroupRule) -> str | None:
        ref = rule.referenced_group_id or ""
        if ref and ref not in names:
            found = scope.foreign(SecurityGroup, ref)  # may be another account's group
            names[ref] = found.name if found else ""
        return names.get(ref) or None

    return {
        "ip-permission.group-name": _rules(False, name_of),
        "egress.ip-permission.group-name": _rules(True, name_of),
    }


SECURITY_GROUPS = Describe(
    SecurityGroup,
    {
        "description": lambda g: g.description,
        "group-id": lambda g: g.id,
        "group-name": lambda g: g.name,
        "owner-id": lambda g: g.account,
        "vpc-id": lambda g: g.vpc_id,
        **{f"ip-permission.{k}": _rules(False, v) for k, v in _RULE_FIELDS.items()},
        **{f"egress.ip-permission.{k}": _rules(True, v) for k, v in _RULE_FIELDS.items()},
    },
    checker("sg", errors.InvalidGroupIdMalformed),
    scoped_filters=_referenced_names,
)

RuleRow = tuple[SecurityGroup, SecurityGroupRule]

RULE_FILTERS: dict[str, filters.Getter] = {
    "group-id": lambda row: row[0].id,
    "security-group-rule-id": lambda row: row[1].rule_id,
}
