"""The wire form of an environment (botocore's `Environment` shape), every member filled
as MWAA fills it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from privlink.api import Scope
from privlink.services.mwaa import provisioning
from privlink.services.mwaa.records import LOG_MODULES, MWAA_ACCOUNT, Environment

SERVICE_ROLE = "role/aws-service-role/airflow.amazonaws.com/AWSServiceRoleForAmazonMWAA"


def _time(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _logging(env: Environment) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for member, module in LOG_MODULES.items():
        given = dict(env.settings["LoggingConfiguration"][member])
        if given.get("Enabled"):
            given["CloudWatchLogGroupArn"] = (
                f"arn:aws:logs:{env.region}:{env.account}:log-group:airflow-{env.name}-{module}"
            )
        out[member] = given
    return out


def _last_update(env: Environment) -> dict[str, Any] | None:
    if env.last_update is None:
        return None
    out = dict(env.last_update)
    out["CreatedAt"] = _time(out["CreatedAt"])
    return out


def environment(scope: Scope, env: Environment) -> dict[str, Any]:
    settings = env.settings
    out: dict[str, Any] = {k: v for k, v in settings.items() if k != "LoggingConfiguration"}
    out.update(
        Name=env.name,
        Status=env.status,
        Arn=env.arn,
        CreatedAt=_time(env.created_at),
        WebserverUrl=env.webserver_host,
        ServiceRoleArn=f"arn:aws:iam::{env.account}:{SERVICE_ROLE}",
        LoggingConfiguration=_logging(env),
        Tags=dict(env.tags),
        CeleryExecutorQueue=(
            f"arn:aws:sqs:{env.region}:{MWAA_ACCOUNT}:airflow-celery-{env.host_id}"
        ),
        DatabaseVpcEndpointService=provisioning.service_name(scope, env, "database"),
    )
    if env.private:
        out["WebserverVpcEndpointService"] = provisioning.service_name(scope, env, "webserver")
    last = _last_update(env)
    if last is not None:
        out["LastUpdate"] = last
    return {k: v for k, v in out.items() if v is not None}
