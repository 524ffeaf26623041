"""AddTags, RemoveTags, DescribeTags over load balancers, target groups and listeners."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.elbv2 import operations
from privlink.services.elbv2.handlers import wire
from privlink.services.elbv2.operations.tags import resources
from privlink.services.shared import tags


@handles("AddTags")
def add_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.add_tags(ctx, params["ResourceArns"], wire.tag_list(params["Tags"]))
    return {}


@handles("RemoveTags")
def remove_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.remove_tags(ctx, params["ResourceArns"], params["TagKeys"])
    return {}


@handles("DescribeTags")
def describe_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "TagDescriptions": [
            {"ResourceArn": r.id, "Tags": tags.to_list(r.tags)}
            for r in resources(ctx, params["ResourceArns"])
        ]
    }
