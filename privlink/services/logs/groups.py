"""Log group handlers: create, describe, delete, retention, tags."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.logs import operations, queries, validation, wire
from privlink.services.logs.records import LogGroup


@handles("CreateLogGroup")
def create_log_group(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.create_log_group(
        ctx,
        params["logGroupName"],
        params.get("tags"),
        params.get("kmsKeyId"),
        params.get("logGroupClass"),
    )
    return {}


@handles("DeleteLogGroup")
def delete_log_group(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_log_group(ctx, params["logGroupName"])
    return {}


@handles("DescribeLogGroups")
def describe_log_groups(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    prefix, pattern = params.get("logGroupNamePrefix"), params.get("logGroupNamePattern")
    if prefix is not None and pattern is not None:
        raise errors.LogsInvalidParameter(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
        )
    found = queries.groups(ctx)
    if prefix is not None:
        found = [g for g in found if g.name.startswith(prefix)]
    if pattern:
        found = [g for g in found if pattern.lower() in g.name.lower()]
    identifiers = params.get("logGroupIdentifiers")
    if identifiers:
        wanted = {i.removesuffix(":*") for i in identifiers}
        found = [g for g in found if g.name in wanted or g.arn in wanted]
    if params.get("logGroupClass"):
        found = [g for g in found if g.log_group_class == params["logGroupClass"]]
    chunk, token = validation.page(found, params, lambda g: g.name)
    return {"logGroups": [wire.group(g) for g in chunk], "nextToken": token}


@handles("PutRetentionPolicy")
def put_retention_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.put_retention(ctx, params["logGroupName"], params["retentionInDays"])
    return {}


@handles("DeleteRetentionPolicy")
def delete_retention_policy(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.put_retention(ctx, params["logGroupName"], None)
    return {}


def _by_arn(ctx: Scope, arn: str) -> LogGroup:
    if not arn.startswith(f"arn:aws:logs:{ctx.region}:") or ":log-group:" not in arn:
        raise errors.LogsInvalidParameter(f"Invalid ARN: {arn}")
    return queries.require_group(ctx, None, arn)


@handles("TagLogGroup")
def tag_log_group(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = queries.require_group(ctx, params["logGroupName"])
    operations.tag_log_group(ctx, group, params["tags"])
    return {}


@handles("UntagLogGroup")
def untag_log_group(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    group = queries.require_group(ctx, params["logGroupName"])
    operations.untag_log_group(ctx, group, params["tags"])
    return {}


@handles("ListTagsLogGroup")
def list_tags_log_group(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": queries.require_group(ctx, params["logGroupName"]).tags}


@handles("TagResource")
def tag_resource(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.tag_log_group(ctx, _by_arn(ctx, params["resourceArn"]), params["tags"])
    return {}


@handles("UntagResource")
def untag_resource(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    operations.untag_log_group(ctx, _by_arn(ctx, params["resourceArn"]), params["tagKeys"])
    return {}


@handles("ListTagsForResource")
def list_tags_for_resource(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": _by_arn(ctx, params["resourceArn"]).tags}
