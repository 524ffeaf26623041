"""Security group operations: create, delete, and change their rules.

Callable from handlers, other services and controllers alike: each takes a
`Scope` and typed arguments (`Permission`s, not IpPermissions dicts) and
returns records. What keeps a group from being deleted is declared once in
`privlink.services.dependencies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from privlink import errors
from privlink.api import Scope
from privlink.services import dependencies
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.network.topology import default_vpc
from privlink.services.ec2.records import SecurityGroup, SecurityGroupRule, Vpc
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security.permissions import (
    ALL,
    DESCRIPTION_CHARACTERS,
    MAX_RULES,
    Permission,
    build_rules,
    duplicate_text,
)
from privlink.services.ec2.security.queries import DEFAULT_GROUP, group_name_scope


def _egress_to_everywhere(scope: Scope) -> SecurityGroupRule:
    return SecurityGroupRule(
        rule_id=scope.new_id("sgr"), is_egress=True, ip_protocol=ALL, cidr_ipv4="0.0.0.0/0"
    )


def create_default_group(scope: Scope, vpc: Vpc) -> SecurityGroup:
    """A new VPC's "default" group: members talk to each other, everything may go out."""
    group = SecurityGroup(
        id=scope.new_id("sg"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        name=DEFAULT_GROUP,
        description="default VPC security group",
    )
    group.rules = [
        SecurityGroupRule(
            rule_id=scope.new_id("sgr"),
            is_egress=False,
            ip_protocol=ALL,
            referenced_group_id=group.id,
            referenced_group_owner=scope.account,
        ),
        _egress_to_everywhere(scope),
    ]
    scope.add(group)
    scope.uow.claim_name(group_name_scope(vpc.id), DEFAULT_GROUP, group.id)
    return group


def _check_name(name: str, description: str) -> None:
    if not name or len(name) > 255:
        raise errors.InvalidParameterValue.because(
            f"Value ({name}) for parameter GroupName is invalid. Group names must be 1-255 "
            "characters."
        )
    if name.lower().startswith("sg-"):
        raise errors.InvalidParameterValue.because("Group names may not be in the format sg-*")
    if name == DEFAULT_GROUP:
        raise errors.InvalidGroupReserved(name)
    if not description or len(description) > 255:
        raise errors.InvalidParameterValue.because(
            "Value for parameter GroupDescription is invalid. Descriptions must be 1-255 "
            "characters."
        )
    if not description.isascii():
        raise errors.InvalidParameterValue.because(
            f"Value ({description}) for parameter GroupDescription is invalid. Character sets "
            "beyond ASCII are not supported."
        )
    if not DESCRIPTION_CHARACTERS.fullmatch(description):
        raise errors.InvalidParameterValue.because(
            "Invalid security group description. Valid descriptions are strings less than 256 "
            "characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
        )


def create_security_group(
    scope: Scope,
    name: str,
    description: str,
    vpc_id: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> SecurityGroup:
    """A group in a VPC (the default VPC if none is named) that lets everything out."""
    _check_name(name, description)
    vpc = scope.require(Vpc, vpc_id) if vpc_id else default_vpc(scope)
    group = SecurityGroup(
        id=scope.new_id("sg"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        name=name,
        description=description,
        rules=[_egress_to_everywhere(scope)],
        tags=dict(tags or {}),
    )
    if scope.uow.claim_name(group_name_scope(vpc.id), name, group.id):
        raise errors.InvalidGroupDuplicate(name, vpc.id)
    scope.add(group)
    return group


def delete_security_group(scope: Scope, group_id: str) -> SecurityGroup:
    group = require(scope, SecurityGroup, group_id)
    if group.name == DEFAULT_GROUP:
        raise errors.CannotDelete(group.id, DEFAULT_GROUP)
    if dependencies.blockers(scope, group):
        raise errors.GroupInUse(group.id)
    scope.uow.release_names(group.id)
    scope.delete(group)
    return group


def authorize(
    scope: Scope,
    group_id: str,
    permissions: Iterable[Permission],
    *,
    egress: bool = False,
    tags: Mapping[str, str] | None = None,
) -> list[SecurityGroupRule]:
    """Add rules (each new one tagged with `tags`); a rule the group has is a Duplicate."""
    group = require(scope, SecurityGroup, group_id)
    new = build_rules(scope, group, permissions, egress)
    rules = list(group.rules)
    for rule in new:
        rule.tags = dict(tags or {})
        if any(rule.same_permission(other) for other in rules):
            raise errors.InvalidPermissionDuplicate(duplicate_text(rule))
        rules.append(rule)
    if sum(1 for r in rules if r.is_egress == egress) > MAX_RULES:
        raise errors.RulesPerSecurityGroupLimitExceeded()
    group.rules = rules
    scope.put(group)
    return new


def authorize_ingress(
    scope: Scope, group_id: str, permissions: Iterable[Permission]
) -> list[SecurityGroupRule]:
    return authorize(scope, group_id, permissions)


def rules_by_id(
    group: SecurityGroup, rule_ids: Sequence[str], egress: bool | None = None
) -> list[SecurityGroupRule]:
    """A group's rules by sgr- id (of one direction, unless `egress` is None); all must exist."""
    for rule_id in rule_ids:
        check_id(rule_id, "sgr", errors.InvalidSecurityGroupRuleIdMalformed)
    by_id = {r.rule_id: r for r in group.rules if egress is None or r.is_egress == egress}
    wanted = list(dict.fromkeys(rule_ids))
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise errors.InvalidSecurityGroupRuleIdNotFound(*missing)
    return [by_id[i] for i in wanted]


def _drop(scope: Scope, group: SecurityGroup, removed: list[SecurityGroupRule]) -> None:
    gone = {r.rule_id for r in removed}
    group.rules = [r for r in group.rules if r.rule_id not in gone]
    scope.put(group)


def revoke_rules(
    scope: Scope, group_id: str, rule_ids: Sequence[str], *, egress: bool = False
) -> tuple[SecurityGroup, list[SecurityGroupRule]]:
    """Remove rules by id: the group and the rules removed."""
    group = require(scope, SecurityGroup, group_id)
    removed = rules_by_id(group, rule_ids, egress)
    _drop(scope, group, removed)
    return group, removed


def revoke(
    scope: Scope, group_id: str, permissions: Iterable[Permission], *, egress: bool = False
) -> tuple[SecurityGroup, list[SecurityGroupRule], list[SecurityGroupRule]]:
    """Remove the rules matching these permissions: (group, removed, asked for but unknown).

    Some unknown is fine (AWS reports them); none matching is InvalidPermission.NotFound."""
    group = require(scope, SecurityGroup, group_id)
    removed: list[SecurityGroupRule] = []
    unknown: list[SecurityGroupRule] = []
    for candidate in build_rules(scope, group, permissions, egress):
        match = next((r for r in group.rules if r.same_permission(candidate)), None)
        if match is None:
            unknown.append(candidate)
        elif match not in removed:
            removed.append(match)
    if not removed:
        raise errors.InvalidPermissionNotFound()
    _drop(scope, group, removed)
    return group, removed, unknown


def modify_rules(scope: Scope, group_id: str, changes: Mapping[str, Permission]) -> None:
    """Replace rules in place (same id, same tags): each change is one peer's permission."""
    group = require(scope, SecurityGroup, group_id)
    olds = rules_by_id(group, list(changes))
    replaced: dict[str, SecurityGroupRule] = {}
    for old in olds:
        (rule,) = build_rules(scope, group, [changes[old.rule_id]], old.is_egress)
        rule.rule_id, rule.tags = old.rule_id, old.tags
        replaced[old.rule_id] = rule
    rules = [replaced.get(r.rule_id, r) for r in group.rules]
    for index, rule in enumerate(rules):
        if any(rule.same_permission(other) for other in rules[:index]):
            raise errors.InvalidPermissionDuplicate(duplicate_text(rule))
    group.rules = rules
    scope.put(group)
