"""MWAA handlers (rest-json): wire members <-> typed calls <-> wire members."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from privlink import errors
from privlink.api import Context, Deferred, handles
from privlink.domain import paging
from privlink.services.mwaa import (
    constraints,
    operations,
    queries,
    runtime_access,
    updates,
    wire,
)

CHECKED_ELSEWHERE = (
    "Name", "ExecutionRoleArn", "SourceBucketArn", "DagS3Path", "NetworkConfiguration",
    "AirflowVersion", "Tags",
)  # fmt: skip


@handles("CreateEnvironment")
def create_environment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("CreateEnvironment", params)
    network = params["NetworkConfiguration"]
    if "SubnetIds" not in network:
        raise errors.ValidationException.because(
            "Invalid request provided: NetworkConfiguration.SubnetIds is required."
        )
    spec = operations.NewEnvironment(
        name=params["Name"],
        execution_role_arn=params["ExecutionRoleArn"],
        source_bucket_arn=params["SourceBucketArn"],
        dag_s3_path=params["DagS3Path"],
        subnet_ids=tuple(network["SubnetIds"]),
        security_group_ids=tuple(network.get("SecurityGroupIds") or ()),
        airflow_version=params.get("AirflowVersion"),
        echoed={k: v for k, v in params.items() if k not in CHECKED_ELSEWHERE},
        tags=params.get("Tags") or {},
    )
    return {"Arn": operations.create_environment(ctx, spec).arn}


@handles("GetEnvironment")
def get_environment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("GetEnvironment", params)
    return {"Environment": wire.environment(ctx, queries.environment(ctx, params["Name"]))}


@handles("UpdateEnvironment")
def update_environment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("UpdateEnvironment", params)
    changes = {k: v for k, v in params.items() if k != "Name"}
    env = updates.update_environment(ctx, params["Name"], changes, operations.logging_configuration)
    return {"Arn": env.arn}


@handles("DeleteEnvironment")
def delete_environment(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("DeleteEnvironment", params)
    operations.delete_environment(ctx, params["Name"])
    return {}


@handles("ListEnvironments")
def list_environments(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("ListEnvironments", params)
    names = [e.name for e in queries.environments(ctx)]
    try:
        page, token = paging.page(
            names, params.get("MaxResults") or 25, params.get("NextToken"), str, (1, 25)
        )
    except errors.InvalidPaginationToken as exc:
        raise errors.ValidationException.because(
            "Invalid request provided: The NextToken is invalid."
        ) from exc
    out: dict[str, Any] = {"Environments": page}
    if token:
        out["NextToken"] = token
    return out


@handles("TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("TagResource", params)
    operations.tag_resource(ctx, params["ResourceArn"], params.get("Tags") or {})
    return {}


@handles("UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("UntagResource", params)
    operations.untag_resource(ctx, params["ResourceArn"], params.get("tagKeys") or [])
    return {}


@handles("ListTagsForResource")
def list_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("ListTagsForResource", params)
    return {"Tags": dict(operations.by_arn(ctx, params["ResourceArn"]).tags)}


@handles("CreateCliToken")
def create_cli_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    token, host = operations.create_cli_token(ctx, params["Name"])
    return {"CliToken": token, "WebServerHostname": host}


@handles("CreateWebLoginToken")
def create_web_login_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    constraints.check("CreateWebLoginToken", params)
    identity = f"root/{ctx.account}"
    token, host = operations.create_web_login_token(ctx, params["Name"], identity)
    return {
        "WebToken": token,
        "WebServerHostname": host,
        "IamIdentity": identity,
        "AirflowIdentity": identity,
    }


def invoke_rest_api(root: Path, ctx: Context, params: dict[str, Any]) -> Deferred:
    """InvokeRestApi (bound to the state dir in service.py, so it carries no mark). The
    environment and its status are checked here, in the transaction; the HTTP call to
    Airflow is Deferred, so it runs after the commit, off the store thread."""
    constraints.check("InvokeRestApi", params)
    env = operations.running_environment(ctx, params["Name"])
    call = runtime_access.RestCall(
        params["Method"], params["Path"], params.get("QueryParameters"), params.get("Body")
    )
    return Deferred(partial(runtime_access.answer, root, env, call))
