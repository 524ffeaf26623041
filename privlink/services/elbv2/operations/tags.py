"""Tags on load balancers, target groups and listeners, in ELBv2's error vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from privlink import errors
from privlink.api import Scope
from privlink.services.elbv2 import arns
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.services.shared import tags

MAX_RESOURCES = 20
Taggable = LoadBalancer | TargetGroup | Listener

TAG_ERRORS = tags.TagErrors(
    bad_key=errors.ElbTagKeyInvalid,
    bad_value=errors.ElbTagValueTooLong,
    too_many=lambda _count: errors.TooManyTags(),
    duplicate=errors.DuplicateTagKeys,
)


def _resource(scope: Scope, arn: str) -> Taggable:
    kind = arns.check(arn, "load balancing resource").resource_type
    if kind == "loadbalancer":
        return scope.require(LoadBalancer, arn)
    if kind == "targetgroup":
        return scope.require(TargetGroup, arn)
    return scope.require(Listener, arn)


def resources(
    scope: Scope, resource_arns: Iterable[str], action: str | None = None
) -> list[Taggable]:
    """The caller's taggable resources by ARN (at most MAX_RESOURCES, each must exist);
    `action` names a change, refused on another account's ARN."""
    wanted = list(dict.fromkeys(resource_arns))
    if len(wanted) > MAX_RESOURCES:
        raise errors.ElbTooManyResources(str(MAX_RESOURCES))
    for arn in wanted if action else ():
        arns.own(scope, arn, action or "")
    return [_resource(scope, arn) for arn in wanted]


def add_tags(scope: Scope, resource_arns: Iterable[str], added: Mapping[str, str]) -> None:
    tags.check(added, TAG_ERRORS)
    for resource in resources(scope, resource_arns, "AddTags"):
        merged = {**resource.tags, **added}
        tags.check(merged, TAG_ERRORS)
        resource.tags = merged
        scope.put(resource)


def remove_tags(scope: Scope, resource_arns: Iterable[str], keys: Iterable[str]) -> None:
    gone = set(keys)
    for resource in resources(scope, resource_arns, "RemoveTags"):
        resource.tags = {k: v for k, v in resource.tags.items() if k not in gone}
        scope.put(resource)
