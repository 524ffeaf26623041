"""AddTags, RemoveTags, DescribeTags over load balancers, target groups and listeners."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.elbv2 import common
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup

MAX_RESOURCES = 20
Taggable = LoadBalancer | TargetGroup | Listener


def _resource(ctx: Scope, arn: str) -> Taggable:
    parsed = common.parse_arn(arn)
    if parsed is None:
        raise errors.ValidationError(f"'{arn}' is not a valid load balancing resource ARN")
    if parsed.resource_type == "loadbalancer":
        return common.require_load_balancer(ctx, arn)
    if parsed.resource_type == "targetgroup":
        return common.require_target_group(ctx, arn)
    return common.require_listener(ctx, arn)


def _resources(ctx: Scope, params: dict[str, Any]) -> list[Taggable]:
    arns = list(dict.fromkeys(params["ResourceArns"]))
    if len(arns) > MAX_RESOURCES:
        raise errors.ValidationError(
            f"A maximum of {MAX_RESOURCES} resources can be described or tagged at once"
        )
    return [_resource(ctx, arn) for arn in arns]


@handles("AddTags")
def add_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    tags = common.parse_tags(params["Tags"])
    for resource in _resources(ctx, params):
        merged = {**resource.tags, **tags}
        common.check_tag_count(merged)
        resource.tags = merged
        ctx.uow.put(resource)
    return {}


@handles("RemoveTags")
def remove_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    keys = set(params["TagKeys"])
    for resource in _resources(ctx, params):
        resource.tags = {k: v for k, v in resource.tags.items() if k not in keys}
        ctx.uow.put(resource)
    return {}


@handles("DescribeTags")
def describe_tags(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "TagDescriptions": [
            {"ResourceArn": r.id, "Tags": common.wire_tags(r.tags)} for r in _resources(ctx, params)
        ]
    }
