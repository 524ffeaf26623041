"""UpdateEnvironment, and the steps the MWAA controller takes an update through.

Synchronously (in the call's transaction): the status rule (AVAILABLE or
UPDATE_FAILED only, ValidationException otherwise), the checks CreateEnvironment
makes for the members given (security groups of the environment's VPC, the role's
trust, object versions) and the version path MWAA allows; then the network
changes at once, through EC2's and PrivateLink's operations
(`provisioning.apply_network`: groups re-applied to the endpoints MWAA made and to
the components' ENIs, the web server endpoint made or deleted with the access
mode). The settings before the update are kept in `env.previous`.

Then the controller (privlink.reconcile.mwaa), as the model's statuses describe:
CREATING_SNAPSHOT (the metadata database is dumped, Airflow keeps running) ->
UPDATING (Airflow restarted with the new settings; a new version's `airflow db
migrate` upgrades the schema) -> AVAILABLE. If the restart fails: ROLLING_BACK
(previous settings and network back, the snapshot restored, the previous Airflow
started) -> UPDATE_FAILED with LastUpdate.Error, still usable; a rollback that
fails three times in a row (the controller tries again) leaves UNAVAILABLE.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.mwaa import provisioning, queries, validation
from privlink.services.mwaa.records import (
    AVAILABLE,
    CREATING_SNAPSHOT,
    ROLLING_BACK,
    UNAVAILABLE,
    UPDATE_FAILED,
    UPDATING,
    Environment,
)

UPDATABLE = (AVAILABLE, UPDATE_FAILED)
LATEST_2 = "2.11"  # the only 2.x line MWAA upgrades to 3.x (and downgrades 3.x to)


def _version(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def check_version_path(current: str, target: str) -> None:
    """MWAA's in-place version changes: minor upgrades and downgrades within a major
    version; 2.11.x <-> 3.x across it; anything else needs a new environment."""
    validation.airflow_version(target)
    if _version(current)[0] == _version(target)[0]:
        return
    if LATEST_2 in (current[:4], target[:4]):
        return
    raise errors.ValidationException.because(
        f"Invalid request provided: Updating an environment from Apache Airflow {current} to "
        f"{target} is not supported. To change the major version, update to Apache Airflow "
        f"{LATEST_2}.x first."
    )


def _check(scope: Scope, env: Environment, changes: Mapping[str, Any]) -> list[str] | None:
    """The members' own checks; the security groups asked for (None: unchanged)."""
    groups = (changes.get("NetworkConfiguration") or {}).get("SecurityGroupIds")
    if groups:
        subnet_ids = env.settings["NetworkConfiguration"]["SubnetIds"]
        groups = validation.network(scope, subnet_ids, groups).group_ids
    if changes.get("ExecutionRoleArn"):
        validation.execution_role(scope, changes["ExecutionRoleArn"])
    if changes.get("SourceBucketArn"):
        validation.source_bucket(scope, changes["SourceBucketArn"])
    validation.object_versions({**env.settings, **changes})
    version = changes.get("AirflowVersion")
    if version and version != env.settings["AirflowVersion"]:
        check_version_path(env.settings["AirflowVersion"], version)
    return groups


def update_environment(
    scope: Scope, name: str, changes: Mapping[str, Any], logging: Any
) -> Environment:
    """Apply the changes (`logging` fills a LoggingConfiguration as create does) and start
    the update: CREATING_SNAPSHOT, which the controller takes on from there."""
    env = queries.environment(scope, name)
    if env.status not in UPDATABLE:
        raise errors.MwaaWrongStatus(name, env.status)
    groups = _check(scope, env, changes)
    env.previous = copy.deepcopy(env.settings)
    if groups:
        env.settings["NetworkConfiguration"]["SecurityGroupIds"] = groups
    for key, value in changes.items():
        if value is None or key in ("NetworkConfiguration", "Name", "WorkerReplacementStrategy"):
            continue
        env.settings[key] = logging(value) if key == "LoggingConfiguration" else value
    provisioning.apply_network(scope, env)
    _move(scope, env, CREATING_SNAPSHOT)
    env.last_update = {
        "Status": "PENDING",
        "CreatedAt": scope.now().timestamp(),
        "WorkerReplacementStrategy": changes.get("WorkerReplacementStrategy") or "FORCED",
    }
    scope.put(env)
    return env


def _move(scope: Scope, env: Environment, status: str) -> None:
    env.status = status
    env.state_since = scope.now().timestamp()


def mark_updating(scope: Scope, env: Environment) -> None:
    """The snapshot is taken: Airflow restarts with the new settings."""
    _move(scope, env, UPDATING)
    scope.put(env)


def mark_rolling_back(scope: Scope, env: Environment, code: str, message: str) -> None:
    """The update failed: back to the previous settings and network; the controller
    restores the snapshot and starts the previous Airflow."""
    if env.previous is not None:
        env.settings = env.previous
    provisioning.apply_network(scope, env)
    _move(scope, env, ROLLING_BACK)
    env.last_update = {
        **(env.last_update or {"CreatedAt": scope.now().timestamp()}),
        "Status": "FAILED",
        "Error": {"ErrorCode": code, "ErrorMessage": message},
    }
    scope.put(env)


def mark_rolled_back(scope: Scope, env: Environment, ok: bool, message: str = "") -> None:
    """UPDATE_FAILED once the previous environment runs again; UNAVAILABLE if it cannot."""
    env.previous = None
    _move(scope, env, UPDATE_FAILED if ok else UNAVAILABLE)
    if not ok and env.last_update is not None:
        error = dict(env.last_update.get("Error") or {})
        error["ErrorMessage"] = f"{error.get('ErrorMessage', '')} Rollback failed: {message}"
        env.last_update = {**env.last_update, "Error": error}
    scope.put(env)
