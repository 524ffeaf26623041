"""InvokeRestApi's engine: one call to the environment's Airflow REST API.

MWAA signs the caller in as itself; here the runtime calls Airflow with credentials
it controls: Airflow 3 gets a short-lived JWT signed with the environment's
jwt_secret (the same trust the API server gives its own tokens), Airflow 2 basic
auth as the runtime's admin user. `path` is relative to the API root (/api/v2 on 3.x,
/api/v1 on 2.x), as InvokeRestApi's `Path` is.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any

import httpx

from privlink.mwaa import airflow_config, tokens
from privlink.mwaa.processes import call_in
from privlink.mwaa.spec import EnvironmentSpec

TOKEN_LIFETIME = 300


def auth_headers(spec: EnvironmentSpec, now: float) -> dict[str, str]:
    if spec.major >= 3:
        jwt = tokens.airflow_jwt(spec.secrets.jwt_secret, airflow_config.ADMIN_USER, "ADMIN",
                                 now, TOKEN_LIFETIME)  # fmt: skip
        return {"Authorization": f"Bearer {jwt}"}
    basic = f"{airflow_config.ADMIN_USER}:{spec.secrets.admin_password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(basic).decode()}


def invoke_rest_api(
    spec: EnvironmentSpec,
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    body: Any = None,
    timeout: float = 30.0,
) -> tuple[int, Any]:
    """(HTTP status, decoded JSON or None) of METHOD path on Airflow's REST API."""
    url = spec.web.url() + airflow_config.rest_prefix(spec) + "/" + path.lstrip("/")
    answer = call_in(
        spec.netns.get(spec.web_component),
        lambda: httpx.request(
            method.upper(),
            url,
            params={k: v for k, v in (query or {}).items()},
            json=body,
            headers=auth_headers(spec, time.time()),
            timeout=timeout,
        ),
    )
    try:
        document = answer.json() if answer.content else None
    except ValueError:
        document = {"detail": answer.text}
    return answer.status_code, document
