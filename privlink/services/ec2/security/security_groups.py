"""Security groups: create, describe, delete, and their rules (authorize, revoke, modify).

Names are unique per VPC through the store's unique_names
(`common.group_name_scope`), the same claim CreateVpc makes for each VPC's
"default" group. Rule parsing
and wire shapes live in `sg_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services import dependencies
from privlink.services.ec2 import common
from privlink.services.ec2.records import (
    NetworkInterface,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from privlink.services.ec2.security import sg_rules


def arn(group: SecurityGroup) -> str:
    return f"arn:aws:ec2:{group.region}:{group.account}:security-group/{group.id}"


def default_vpc(ctx: Scope) -> Vpc:
    for vpc in ctx.uow.list(Vpc, ctx.account, ctx.region):
        if vpc.is_default:
            return vpc
    raise errors.VPCIdNotSpecified("No default VPC for this user")


def default_group(ctx: Scope, vpc_id: str) -> SecurityGroup:
    """A VPC's "default" group (created with the VPC, never deletable)."""
    group = sg_rules.group_named(ctx.uow, vpc_id, "default")
    if group is None:
        raise errors.InvalidGroupNotFound.because(
            f"The security group 'default' does not exist in VPC '{vpc_id}'"
        )
    return group


def by_name(ctx: Scope, vpc: Vpc, name: str) -> SecurityGroup:
    group = sg_rules.group_named(ctx.uow, vpc.id, name)
    if group is None:
        where = "default VPC" if vpc.is_default else "VPC"
        raise errors.InvalidGroupNotFound.because(
            f"The security group '{name}' does not exist in {where} '{vpc.id}'"
        )
    return group


def groups_in_vpc(ctx: Scope, subnet: Subnet, group_ids: list[str]) -> list[SecurityGroup]:
    """Groups for an interface or instance in a subnet: they must exist in its VPC."""
    groups = []
    for group_id in dict.fromkeys(group_ids):
        group: SecurityGroup = common.resolve(ctx, "sg", group_id)
        if group.vpc_id != subnet.vpc_id:
            raise errors.InvalidParameter(
                f"Security group {group_id} and subnet {subnet.id} belong to different networks."
            )
        groups.append(group)
    return groups


def _target(ctx: Scope, params: dict[str, Any]) -> SecurityGroup:
    """The group an operation names, by id or (default VPC only) by name."""
    if params.get("GroupId"):
        return common.resolve(ctx, "sg", params["GroupId"])  # type: ignore[no-any-return]
    if params.get("GroupName"):
        return by_name(ctx, default_vpc(ctx), params["GroupName"])
    raise errors.MissingParameter("The request must contain the parameter groupName or groupId")


def wire_group(group: SecurityGroup) -> dict[str, Any]:
    return {
        "Description": group.description,
        "GroupName": group.name,
        "IpPermissions": sg_rules.wire_permissions(r for r in group.rules if not r.is_egress),
        "OwnerId": group.account,
        "GroupId": group.id,
        "IpPermissionsEgress": sg_rules.wire_permissions(r for r in group.rules if r.is_egress),
        "VpcId": group.vpc_id,
        "SecurityGroupArn": arn(group),
        "Tags": common.wire_tags(group.tags),
    }


# --- groups ----------------------------------------------------------------------------------
def _check_name(name: str, description: str) -> None:
    if not name or len(name) > 255:
        raise errors.InvalidParameterValue(
            f"Value ({name}) for parameter GroupName is invalid. Group names must be 1-255 "
            "characters."
        )
    if name.lower().startswith("sg-"):
        raise errors.InvalidParameterValue("Group names may not be in the format sg-*")
    if name == "default":
        raise errors.InvalidGroupReserved("The security group 'default' is reserved")
    if not description or len(description) > 255:
        raise errors.InvalidParameterValue(
            "Value for parameter GroupDescription is invalid. Descriptions must be 1-255 "
            "characters."
        )


@handles("CreateSecurityGroup")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    name, description = params["GroupName"], params["Description"]
    _check_name(name, description)
    if params.get("VpcId"):
        vpc = common.require(ctx, Vpc, params["VpcId"], errors.InvalidVpcIDNotFound, "vpc ID")
    else:
        vpc = default_vpc(ctx)
    group = SecurityGroup(
        id=ctx.new_id("sg"),
        account=ctx.account,
        region=ctx.region,
        vpc_id=vpc.id,
        name=name,
        description=description,
        rules=[
            SecurityGroupRule(
                rule_id=ctx.new_id("sgr"), is_egress=True, ip_protocol="-1", cidr_ipv4="0.0.0.0/0"
            )
        ],
        tags=common.tags_for(params, "security-group"),
    )
    if ctx.uow.claim_name(common.group_name_scope(vpc.id), name, group.id):
        raise errors.InvalidGroupDuplicate(
            f"The security group '{name}' already exists for VPC '{vpc.id}'"
        )
    ctx.uow.add(group)
    return {
        "GroupId": group.id,
        "Tags": common.wire_tags(group.tags),
        "SecurityGroupArn": arn(group),
    }


def _permission_getter(egress: bool, value: Callable[[SecurityGroupRule], Any]) -> filters.Getter:
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

FILTERS: dict[str, filters.Getter] = {
    "description": lambda g: g.description,
    "group-id": lambda g: g.id,
    "group-name": lambda g: g.name,
    "owner-id": lambda g: g.account,
    "vpc-id": lambda g: g.vpc_id,
    **{f"ip-permission.{k}": _permission_getter(False, v) for k, v in _RULE_FIELDS.items()},
    **{f"egress.ip-permission.{k}": _permission_getter(True, v) for k, v in _RULE_FIELDS.items()},
}


def _referenced_names(ctx: Scope, groups: list[SecurityGroup]) -> dict[str, str]:
    ids = {r.referenced_group_id for g in groups for r in g.rules if r.referenced_group_id}
    return {gid: g.name for gid, g in ctx.uow.get_many(SecurityGroup, ids).items()}


@handles("DescribeSecurityGroups")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("GroupIds") or []
    names = params.get("GroupNames") or []
    for group_id in ids:
        common.check_id(group_id, "sg", errors.InvalidGroupIdMalformed)
    if ids or names:
        groups = (
            common.scoped(ctx, SecurityGroup, ids, errors.InvalidGroupNotFound, "security group")
            if ids
            else []
        )
        if names:
            vpc = default_vpc(ctx)
            groups += [by_name(ctx, vpc, name) for name in names]
        groups = list({g.id: g for g in groups}.values())
    else:
        groups = ctx.uow.list(SecurityGroup, ctx.account, ctx.region)
    names_of = _referenced_names(ctx, groups)

    def referenced_names(egress: bool) -> filters.Getter:
        return lambda g: [
            names_of.get(r.referenced_group_id or "") for r in g.rules if r.is_egress == egress
        ]

    getters = {
        **FILTERS,
        "ip-permission.group-name": referenced_names(False),
        "egress.ip-permission.group-name": referenced_names(True),
    }
    groups = filters.apply(groups, params.get("Filters"), getters)
    chunk, token = paging.page(
        groups, params.get("MaxResults"), params.get("NextToken"), lambda g: g.id
    )
    return {"SecurityGroups": [wire_group(g) for g in chunk], "NextToken": token}


@handles("DeleteSecurityGroup")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = _target(ctx, params)
    if group.name == "default":
        raise errors.CannotDelete(
            f'the specified group: "{group.id}" name: "default" cannot be deleted by a user'
        )
    if _in_use(ctx, group):
        raise errors.DependencyViolation(f"resource {group.id} has a dependent object")
    ctx.uow.release_names(group.id)
    ctx.uow.delete(group)
    return {"Return": True, "GroupId": group.id}


def _in_use(ctx: Scope, group: SecurityGroup) -> bool:
    """Referenced by another group's rule, carried by an interface, or held elsewhere."""
    for other in ctx.uow.list(SecurityGroup, region=ctx.region):
        if other.id != group.id and any(r.referenced_group_id == group.id for r in other.rules):
            return True
    for eni in ctx.uow.list(NetworkInterface, ctx.account, ctx.region):
        if group.id in eni.group_ids:
            return True
    return bool(dependencies.blockers(ctx, group))


# --- rules -----------------------------------------------------------------------------------
def _add_rules(ctx: Scope, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    group = _target(ctx, params)
    new = sg_rules.build_rules(ctx, group, sg_rules.request_permissions(params, egress), egress)
    tags = common.tags_for(params, "security-group-rule")
    existing = list(group.rules)
    for rule in new:
        rule.tags = dict(tags)
        if any(rule.same_permission(other) for other in existing):
            raise errors.InvalidPermissionDuplicate(sg_rules.duplicate_message(rule))
        existing.append(rule)
    if sum(1 for r in existing if r.is_egress == egress) > sg_rules.MAX_RULES:
        raise errors.RulesPerSecurityGroupLimitExceeded(
            "The maximum number of rules per security group has been reached."
        )
    group.rules = existing
    ctx.uow.put(group)
    return {"Return": True, "SecurityGroupRules": [sg_rules.wire_rule(group, r) for r in new]}


@handles("AuthorizeSecurityGroupIngress")
def authorize_ingress(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _add_rules(ctx, params, egress=False)


@handles("AuthorizeSecurityGroupEgress")
def authorize_egress(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _add_rules(ctx, params, egress=True)


def _rules_by_id(
    group: SecurityGroup, rule_ids: list[str], egress: bool | None
) -> list[SecurityGroupRule]:
    for rule_id in rule_ids:
        common.check_id(rule_id, "sgr", errors.InvalidSecurityGroupRuleIdMalformed)
    by_id = {r.rule_id: r for r in group.rules if egress is None or r.is_egress == egress}
    missing = [i for i in dict.fromkeys(rule_ids) if i not in by_id]
    if missing:
        raise errors.InvalidSecurityGroupRuleIdNotFound(*missing)
    return [by_id[i] for i in dict.fromkeys(rule_ids)]


def _remove_rules(ctx: Scope, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    group = _target(ctx, params)
    unknown: list[SecurityGroupRule] = []
    if params.get("SecurityGroupRuleIds"):
        if params.get("IpPermissions"):
            raise errors.InvalidParameterCombination(
                "The parameter 'SecurityGroupRuleIds' may not be used in combination with "
                "'ipPermissions'"
            )
        removed = _rules_by_id(group, params["SecurityGroupRuleIds"], egress)
    else:
        asked = sg_rules.build_rules(
            ctx, group, sg_rules.request_permissions(params, egress), egress
        )
        removed = []
        for candidate in asked:
            match = next((r for r in group.rules if r.same_permission(candidate)), None)
            if match is None:
                unknown.append(candidate)
            elif match not in removed:
                removed.append(match)
        if not removed:
            raise errors.InvalidPermissionNotFound(
                "The specified rule does not exist in this security group."
            )
    gone = {r.rule_id for r in removed}
    group.rules = [r for r in group.rules if r.rule_id not in gone]
    ctx.uow.put(group)
    return {
        "Return": True,
        "UnknownIpPermissions": sg_rules.wire_permissions(unknown) or None,
        "RevokedSecurityGroupRules": [sg_rules.wire_revoked(group, r) for r in removed],
    }


@handles("RevokeSecurityGroupIngress")
def revoke_ingress(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _remove_rules(ctx, params, egress=False)


@handles("RevokeSecurityGroupEgress")
def revoke_egress(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _remove_rules(ctx, params, egress=True)


RuleRow = tuple[SecurityGroup, SecurityGroupRule]

RULE_FILTERS: dict[str, filters.Getter] = {
    "group-id": lambda row: row[0].id,
    "security-group-rule-id": lambda row: row[1].rule_id,
}


@handles("DescribeSecurityGroupRules")
def describe_rules(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    rows: list[RuleRow] = [
        (group, rule)
        for group in ctx.uow.list(SecurityGroup, ctx.account, ctx.region)
        for rule in group.rules
    ]
    wanted = params.get("SecurityGroupRuleIds")
    if wanted:
        for rule_id in wanted:
            common.check_id(rule_id, "sgr", errors.InvalidSecurityGroupRuleIdMalformed)
        by_id = {row[1].rule_id: row for row in rows}
        missing = [i for i in dict.fromkeys(wanted) if i not in by_id]
        if missing:
            raise errors.InvalidSecurityGroupRuleIdNotFound(*missing)
        rows = [by_id[i] for i in dict.fromkeys(wanted)]
    rows = filters.apply(rows, params.get("Filters"), RULE_FILTERS, tags=lambda row: row[1].tags)
    chunk, token = paging.page(
        rows, params.get("MaxResults"), params.get("NextToken"), lambda row: row[1].rule_id
    )
    return {"SecurityGroupRules": [sg_rules.wire_rule(g, r) for g, r in chunk], "NextToken": token}


@handles("ModifySecurityGroupRules")
def modify_rules(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group: SecurityGroup = common.resolve(ctx, "sg", params["GroupId"])
    updates = params["SecurityGroupRules"]
    olds = _rules_by_id(group, [u.get("SecurityGroupRuleId") or "" for u in updates], None)
    replaced: dict[str, SecurityGroupRule] = {}
    for old, update in zip(olds, updates, strict=True):
        request = update.get("SecurityGroupRule")
        if request is None:
            raise errors.MissingParameter(
                "The request must contain the parameter SecurityGroupRule"
            )
        replaced[old.rule_id] = sg_rules.rule_from_request(ctx, group, old, request)
    rules = [replaced.get(r.rule_id, r) for r in group.rules]
    for index, rule in enumerate(rules):
        if any(rule.same_permission(other) for other in rules[:index]):
            raise errors.InvalidPermissionDuplicate(sg_rules.duplicate_message(rule))
    group.rules = rules
    ctx.uow.put(group)
    return {"Return": True}


# Security group rules are tagged through CreateTags like any resource, but live in their group.
def _locate_rule(ctx: Scope, rule_id: str) -> common.TagHolder | None:
    for group in ctx.uow.list(SecurityGroup, ctx.account, ctx.region):
        for rule in group.rules:
            if rule.rule_id == rule_id:
                return group, rule.tags
    return None


def _list_rules(ctx: Scope) -> list[tuple[str, common.TagHolder]]:
    return [
        (rule.rule_id, (group, rule.tags))
        for group in ctx.uow.list(SecurityGroup, ctx.account, ctx.region)
        for rule in group.rules
    ]


common.register_kind(
    common.ResourceKind(
        "sgr",
        "security-group-rule",
        errors.InvalidSecurityGroupRuleIdNotFound,
        "security group rule ID",
        None,
        errors.InvalidSecurityGroupRuleIdMalformed,
        locate=_locate_rule,
        listing=_list_rules,
    )
)
