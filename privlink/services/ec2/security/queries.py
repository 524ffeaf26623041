"""Finding security groups: by name in a VPC, a VPC's default group, groups for an interface.

Names are unique per VPC through the store's unique names
(`group_name_scope`), the claim every group makes when it is created.
"""

from __future__ import annotations

from collections.abc import Iterable

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import SecurityGroup, Subnet, Vpc
from privlink.services.ec2.resource_kinds import require

DEFAULT_GROUP = "default"


def group_name_scope(vpc_id: str) -> str:
    """The unique-name scope of security group names: one per VPC."""
    return f"sg-name:{vpc_id}"


def group_named(scope: Scope, vpc_id: str, name: str) -> SecurityGroup | None:
    """A VPC's group by name, or None."""
    group_id = scope.uow.name_owner(group_name_scope(vpc_id), name)
    return scope.get(SecurityGroup, group_id) if group_id else None


def by_name(scope: Scope, vpc: Vpc, name: str) -> SecurityGroup:
    """A VPC's group by name, or InvalidGroup.NotFound naming the VPC as AWS does."""
    group = group_named(scope, vpc.id, name)
    if group is None:
        where = "default VPC" if vpc.is_default else "VPC"
        raise errors.InvalidGroupNameNotFound(name, where, vpc.id)
    return group


def default_group(scope: Scope, vpc_id: str) -> SecurityGroup:
    """A VPC's "default" group (created with the VPC, never deletable)."""
    group = group_named(scope, vpc_id, DEFAULT_GROUP)
    if group is None:
        raise errors.InvalidGroupNameNotFound(DEFAULT_GROUP, "VPC", vpc_id)
    return group


def groups_in_vpc(scope: Scope, subnet: Subnet, group_ids: Iterable[str]) -> list[SecurityGroup]:
    """Groups for an interface or instance in a subnet: they must exist in its VPC."""
    groups = []
    for group_id in dict.fromkeys(group_ids):
        group = require(scope, SecurityGroup, group_id)
        if group.vpc_id != subnet.vpc_id:
            raise errors.InvalidParameter.because(
                f"Security group {group_id} and subnet {subnet.id} belong to different networks."
            )
        groups.append(group)
    return groups
