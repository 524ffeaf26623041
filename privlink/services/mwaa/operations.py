"""MWAA operations: create, update, delete, tag, tokens, and the lifecycle steps.

CreateEnvironment validates synchronously (validation.py) and then, in the same
unit of work, builds everything the environment runs on (provisioning.py): if
any step refuses, nothing is left behind. The environment starts CREATING;
the MWAA controller (privlink.reconcile.mwaa) runs Airflow once the network
is realised and moves it on with `mark_*` below. Time-taking steps never
happen here.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.mwaa import tokens
from privlink.mwaa.spec import Secrets
from privlink.services.mwaa import artifacts, provisioning, queries, validation
from privlink.services.mwaa.records import (
    AVAILABLE,
    CREATE_FAILED,
    CREATING,
    DELETING,
    LOG_MODULES,
    PENDING,
    SERVING,
    STABLE,
    UPDATE_FAILED,
    UPDATING,
    Environment,
    environment_arn,
)
from privlink.services.shared import tags as tag_rules

INCORRECT_CONFIGURATION = "INCORRECT_CONFIGURATION"
INCORRECT_CONFIGURATION_MESSAGE = (
    "You may need to check the execution role permissions policy for your environment, and "
    "that each of the VPC networking components required by the environment are configured "
    "to allow traffic. Troubleshooting: "
    "https://docs.aws.amazon.com/mwaa/latest/userguide/troubleshooting.html"
)
DEFAULTS: dict[str, Any] = {
    "WebserverAccessMode": "PRIVATE_ONLY",
    "EndpointManagement": "SERVICE",
    "EnvironmentClass": "mw1.small",
    "MinWorkers": 1,
    "MaxWorkers": 10,
    "Schedulers": 2,
    "MinWebservers": 2,
    "MaxWebservers": 2,
    "AirflowConfigurationOptions": {},
    "WeeklyMaintenanceWindowStart": "SUN:03:30",
}
MICRO = {"Schedulers": 1, "MinWebservers": 1, "MaxWebservers": 1, "MaxWorkers": 1}


TAG_ERRORS = tag_rules.TagErrors(
    bad_key=lambda key: errors.ValidationException.because(
        f"Invalid request provided: Invalid tag key {key}."
    ),
    bad_value=lambda key: errors.ValidationException.because(
        f"Invalid request provided: Invalid tag value for key {key}."
    ),
    too_many=lambda count: errors.ValidationException.because(
        f"Invalid request provided: {count} tags given; at most 50 are allowed."
    ),
)


@dataclass(frozen=True)
class NewEnvironment:
    """CreateEnvironment: the members it checks, and every member GetEnvironment echoes."""

    name: str
    execution_role_arn: str
    source_bucket_arn: str
    dag_s3_path: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    airflow_version: str | None = None
    echoed: Mapping[str, Any] = field(default_factory=dict)  # other members, by wire name
    tags: Mapping[str, str] = field(default_factory=dict)


def logging_configuration(given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every module's {Enabled, LogLevel}; Task logs on at INFO unless told otherwise."""
    out: dict[str, Any] = {}
    for module in LOG_MODULES:
        default = {"Enabled": module == "TaskLogs", "LogLevel": "INFO"}
        out[module] = {**default, **dict((given or {}).get(module) or {})}
    return out


def _settings(spec: NewEnvironment, version: str) -> dict[str, Any]:
    settings = {**DEFAULTS, **{k: v for k, v in spec.echoed.items() if v is not None}}
    if settings["EnvironmentClass"] == "mw1.micro":
        settings.update({k: v for k, v in MICRO.items() if k not in spec.echoed})
    settings.update(
        ExecutionRoleArn=spec.execution_role_arn,
        SourceBucketArn=spec.source_bucket_arn,
        DagS3Path=spec.dag_s3_path,
        AirflowVersion=version,
        NetworkConfiguration={
            "SubnetIds": list(spec.subnet_ids),
            "SecurityGroupIds": list(dict.fromkeys(spec.security_group_ids)),
        },
        LoggingConfiguration=logging_configuration(spec.echoed.get("LoggingConfiguration")),
    )
    return settings


def create_environment(scope: Scope, spec: NewEnvironment) -> Environment:
    arn = environment_arn(scope.account, scope.region, spec.name)
    validation.new_name(scope, arn, spec.name)
    network = validation.network(scope, spec.subnet_ids, spec.security_group_ids)
    validation.execution_role(scope, spec.execution_role_arn)
    validation.source_bucket(scope, spec.source_bucket_arn)
    validation.object_versions(dict(spec.echoed))
    version = validation.airflow_version(spec.airflow_version)
    tag_rules.check(spec.tags, TAG_ERRORS)
    now = scope.now().timestamp()
    env = Environment(
        id=arn,
        account=scope.account,
        region=scope.region,
        name=spec.name,
        status=CREATING,
        created_at=now,
        state_since=now,
        settings=_settings(spec, version),
        tags=dict(spec.tags),
        host_id=str(uuid.UUID(int=random.getrandbits(128), version=4)),
        cell=random.randint(2, 75),
        last_update={"Status": "PENDING", "CreatedAt": now},
        secrets=vars(Secrets.generate()),
    )
    provisioning.build_service_side(scope, env, [s.availability_zone for s in network.subnets])
    provisioning.build_customer_side(scope, env, [s.id for s in network.subnets])
    artifacts.ensure_log_groups(scope, env)
    scope.add(env)
    return env


def delete_environment(scope: Scope, name: str) -> Environment:
    env = queries.environment(scope, name)
    if env.status not in STABLE:
        raise errors.MwaaWrongStatus(name, env.status)
    _move(scope, env, DELETING)
    scope.put(env)
    return env


# --- tags ---------------------------------------------------------------------------
def by_arn(scope: Scope, arn: str) -> Environment:
    found = scope.get(Environment, arn)
    if found is None:
        raise errors.MwaaResourceNotFound.because(f"Resource {arn} does not exist.")
    return found


def tag_resource(scope: Scope, arn: str, added: Mapping[str, str]) -> None:
    env = by_arn(scope, arn)
    tag_rules.check({**env.tags, **added}, TAG_ERRORS)
    env.tags.update(added)
    scope.put(env)


def untag_resource(scope: Scope, arn: str, keys: Iterable[str]) -> None:
    env = by_arn(scope, arn)
    for key in keys:
        env.tags.pop(key, None)
    scope.put(env)


# --- tokens -------------------------------------------------------------------------
def _running(scope: Scope, name: str) -> Environment:
    env = queries.environment(scope, name)
    if env.status not in SERVING:
        raise errors.MwaaWrongStatus(name, env.status)
    return env


def running_environment(scope: Scope, name: str) -> Environment:
    """The environment, if its web server may be called (the tokens' status rule)."""
    return _running(scope, name)


def create_cli_token(scope: Scope, name: str) -> tuple[str, str]:
    """(token, web server host name); the front accepts the token for 60 s."""
    env = _running(scope, name)
    token = tokens.mint_cli_token(env.secrets["token_secret"], env.name, time.time())
    return token, env.webserver_host


def create_web_login_token(scope: Scope, name: str, identity: str) -> tuple[str, str]:
    env = _running(scope, name)
    token = tokens.mint_web_token(env.secrets["token_secret"], env.name, identity, time.time())
    return token, env.webserver_host


# --- the controller's steps ---------------------------------------------------------
def _move(scope: Scope, env: Environment, status: str) -> None:
    env.status = status
    env.state_since = scope.now().timestamp()


def mark_pending(scope: Scope, env: Environment) -> None:
    """EndpointManagement CUSTOMER: waiting for the customer's endpoints."""
    _move(scope, env, PENDING)
    scope.put(env)


def mark_creating(scope: Scope, env: Environment) -> None:
    _move(scope, env, CREATING)
    scope.put(env)


def mark_available(scope: Scope, env: Environment) -> None:
    was_update = env.status == UPDATING
    _move(scope, env, AVAILABLE)
    env.previous = None
    if env.last_update is not None:
        env.last_update = {**env.last_update, "Status": "SUCCESS"}
        env.last_update.pop("Error", None)
    if was_update or env.last_update is None:
        env.last_update = {"Status": "SUCCESS", "CreatedAt": scope.now().timestamp()}
    scope.put(env)


def mark_failed(scope: Scope, env: Environment, code: str, message: str) -> None:
    """CREATE_FAILED (or UPDATE_FAILED for an update) with LastUpdate.Error."""
    failed = CREATE_FAILED if env.status in (CREATING, PENDING) else UPDATE_FAILED
    _move(scope, env, failed)
    env.error_code, env.error_message = code, message
    env.last_update = {
        **(env.last_update or {"CreatedAt": scope.now().timestamp()}),
        "Status": "FAILED",
        "Error": {"ErrorCode": code, "ErrorMessage": message},
    }
    scope.put(env)


def forget(scope: Scope, env: Environment) -> None:
    """The last step of a delete: every resource is gone, so is the environment."""
    scope.delete(env)
