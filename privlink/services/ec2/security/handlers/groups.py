"""Security group handlers: wire input -> operation -> wire output.

A group is named by GroupId, or (default VPC only) by GroupName.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.network.topology import default_vpc
from privlink.services.ec2.records import SecurityGroup, Vpc
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security import groups, requests, views
from privlink.services.ec2.security.queries import by_name
from privlink.services.shared.describe import narrow


def _group_id(ctx: Context, params: dict[str, Any]) -> str:
    """The group an operation names, by id or (default VPC only) by name."""
    if params.get("GroupId"):
        return require(ctx, SecurityGroup, params["GroupId"]).id
    if params.get("GroupName"):
        return by_name(ctx, default_vpc(ctx), params["GroupName"]).id
    raise errors.ParameterMissing("groupName or groupId")


@handles("CreateSecurityGroup")
def create_security_group(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = groups.create_security_group(
        ctx,
        params["GroupName"],
        params["Description"],
        params.get("VpcId"),
        tag_wire.for_type(params, "security-group"),
    )
    return {
        "GroupId": group.id,
        "Tags": tag_wire.wire(group.tags),
        "SecurityGroupArn": views.arn(group),
    }


@handles("DescribeSecurityGroups")
def describe_security_groups(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("GroupIds") or []
    names = params.get("GroupNames") or []
    chosen = None
    if ids or names:
        found = views.SECURITY_GROUPS.select(ctx, ids) if ids else []
        if names:
            vpc = default_vpc(ctx)
            found += [by_name(ctx, vpc, name) for name in names]
        chosen = list({g.id: g for g in found}.values())
    chunk, token = views.SECURITY_GROUPS.page(ctx, None, params, chosen)
    return {"SecurityGroups": [views.wire_group(g) for g in chunk], "NextToken": token}


@handles("DeleteSecurityGroup")
def delete_security_group(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = groups.delete_security_group(ctx, _group_id(ctx, params))
    return {"Return": True, "GroupId": group.id}


def _authorize(ctx: Context, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    group_id = _group_id(ctx, params)
    permissions = requests.permissions(params, egress)
    tags = tag_wire.for_type(params, "security-group-rule")
    new = groups.authorize(ctx, group_id, permissions, egress=egress, tags=tags)
    group = ctx.require(SecurityGroup, group_id)
    return {"Return": True, "SecurityGroupRules": [views.wire_rule(group, r) for r in new]}


@handles("AuthorizeSecurityGroupIngress")
def authorize_ingress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _authorize(ctx, params, egress=False)


@handles("AuthorizeSecurityGroupEgress")
def authorize_egress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _authorize(ctx, params, egress=True)


def _revoke(ctx: Context, params: dict[str, Any], egress: bool) -> dict[str, Any]:
    group_id = _group_id(ctx, params)
    unknown: list[Any] = []
    if params.get("SecurityGroupRuleIds"):
        if params.get("IpPermissions"):
            raise errors.InvalidParameterCombination.because(
                "The parameter 'SecurityGroupRuleIds' may not be used in combination with "
                "'ipPermissions'"
            )
        ids = params["SecurityGroupRuleIds"]
        group, removed = groups.revoke_rules(ctx, group_id, ids, egress=egress)
    else:
        asked = requests.permissions(params, egress)
        group, removed, unknown = groups.revoke(ctx, group_id, asked, egress=egress)
    return {
        "Return": True,
        "UnknownIpPermissions": views.wire_permissions(unknown) or None,
        "RevokedSecurityGroupRules": [views.wire_revoked(group, r) for r in removed],
    }


@handles("RevokeSecurityGroupIngress")
def revoke_ingress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _revoke(ctx, params, egress=False)


@handles("RevokeSecurityGroupEgress")
def revoke_egress(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _revoke(ctx, params, egress=True)


@handles("DescribeSecurityGroupRules")
def describe_security_group_rules(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    rows: list[views.RuleRow] = [
        (group, rule) for group in ctx.list(SecurityGroup) for rule in group.rules
    ]
    wanted = params.get("SecurityGroupRuleIds")
    if wanted:
        for rule_id in wanted:
            check_id(rule_id, "sgr", errors.InvalidSecurityGroupRuleIdMalformed)
        by_id = {row[1].rule_id: row for row in rows}
        missing = [i for i in dict.fromkeys(wanted) if i not in by_id]
        if missing:
            raise errors.InvalidSecurityGroupRuleIdNotFound(*missing)
        rows = [by_id[i] for i in dict.fromkeys(wanted)]
    chunk, token = narrow(
        rows, params, views.RULE_FILTERS, lambda row: row[1].rule_id, lambda row: row[1].tags
    )
    return {
        "SecurityGroupRules": [views.wire_rule(g, r) for g, r in chunk],
        "NextToken": token,
    }


@handles("ModifySecurityGroupRules")
def modify_security_group_rules(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    group = require(ctx, SecurityGroup, params["GroupId"])
    updates = params["SecurityGroupRules"]
    groups.rules_by_id(group, [u.get("SecurityGroupRuleId") or "" for u in updates])
    changes = {}
    for update in updates:
        request = update.get("SecurityGroupRule")
        if request is None:
            raise errors.ParameterMissing("SecurityGroupRule")
        changes[update["SecurityGroupRuleId"]] = requests.rule_change(request)
    groups.modify_rules(ctx, group.id, changes)
    return {"Return": True}


@handles("GetSecurityGroupsForVpc")
def get_security_groups_for_vpc(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The groups that can be used in a VPC: the caller's groups made in it."""
    vpc = require(ctx, Vpc, params["VpcId"])
    getters = {
        "group-id": lambda g: g.id,
        "group-name": lambda g: g.name,
        "description": lambda g: g.description,
        "owner-id": lambda g: g.account,
        "primary-vpc-id": lambda g: g.vpc_id,
    }
    found = ctx.list(SecurityGroup, parent=vpc.id)
    chunk, token = narrow(found, params, getters, lambda g: g.id, limits=(5, 1000))
    return {
        "SecurityGroupForVpcs": [
            {
                "Description": g.description,
                "GroupName": g.name,
                "OwnerId": g.account,
                "GroupId": g.id,
                "Tags": tag_wire.wire(g.tags),
                "PrimaryVpcId": g.vpc_id,
            }
            for g in chunk
        ],
        "NextToken": token,
    }
