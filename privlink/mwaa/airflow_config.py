"""How each Airflow component of an environment is started: command line and environment.

Airflow is configured entirely through AIRFLOW__SECTION__KEY variables (no
airflow.cfg to keep in step), so the spec alone determines every component's
configuration, before and after a privlink restart. The customer's
AirflowConfigurationOptions ("section.key": value) are applied last, as on MWAA.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from privlink.mwaa import postgres
from privlink.mwaa.spec import EnvironmentSpec

FORKSERVER = Path(__file__).with_name("forkserver.py")
ADMIN_USER = "admin"  # the runtime's own Airflow user (REST API); web users come from tokens
INHERITED = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR")


def health_path(spec: EnvironmentSpec) -> str:
    return "/api/v2/monitor/health" if spec.major >= 3 else "/health"


def rest_prefix(spec: EnvironmentSpec) -> str:
    return "/api/v2" if spec.major >= 3 else "/api/v1"


def _option(section_key: str) -> str:
    section, _, key = section_key.partition(".")
    return f"AIRFLOW__{section.upper()}__{key.upper()}"


def environment(spec: EnvironmentSpec) -> dict[str, str]:
    """The process environment of every Airflow component and the fork server."""
    layout = spec.layout
    web = spec.web_address or spec.web
    env = {k: os.environ[k] for k in INHERITED if k in os.environ}
    env["PATH"] = f"{spec.venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    env.update(
        AIRFLOW_HOME=str(layout.airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(spec.dags_folder),
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__FERNET_KEY=spec.secrets.fernet_key,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgres.sqlalchemy_url(spec),
        AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS="False",
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(layout.task_logs),
    )
    if spec.major >= 3:
        env.update(
            AIRFLOW__API_AUTH__JWT_SECRET=spec.secrets.jwt_secret,
            AIRFLOW__API__SECRET_KEY=spec.secrets.web_secret_key,
            AIRFLOW__API__WORKERS="1",
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{web.url()}/execution/",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{ADMIN_USER}:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords_file(spec)),
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        )
    else:
        env.update(
            AIRFLOW__WEBSERVER__SECRET_KEY=spec.secrets.web_secret_key,
            AIRFLOW__WEBSERVER__WORKERS="1",
            AIRFLOW__API__AUTH_BACKENDS=(
                "airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session"
            ),
            AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL="5",
        )
    env.update({_option(k): v for k, v in spec.configuration.items()})
    return env


def passwords_file(spec: EnvironmentSpec) -> Path:
    return spec.layout.airflow_home / "simple_auth_manager_passwords.json"


def write_files(spec: EnvironmentSpec) -> None:
    """Files Airflow reads besides its environment (3.x: the simple auth manager's
    password file, so the admin's password is the spec's)."""
    spec.layout.airflow_home.mkdir(parents=True, exist_ok=True)
    spec.layout.task_logs.mkdir(parents=True, exist_ok=True)
    if spec.major >= 3:
        path = passwords_file(spec)
        path.write_text(json.dumps({ADMIN_USER: spec.secrets.admin_password}))
        path.chmod(0o600)


def airflow(spec: EnvironmentSpec, *args: str) -> list[str]:
    return [str(spec.venv / "bin" / "airflow"), *args]


def component_argv(spec: EnvironmentSpec, component: str) -> list[str]:
    """The command line of a component other than postgres."""
    web = spec.web
    if component == "api-server":
        return airflow(spec, "api-server", "--host", web.host, "--port", str(web.port),
                       "--workers", "1", "--proxy-headers")  # fmt: skip
    if component == "webserver":
        return airflow(spec, "webserver", "--hostname", web.host, "--port", str(web.port),
                       "--workers", "1")  # fmt: skip
    if component in ("scheduler", "triggerer"):
        # No log-serving HTTP server (fixed ports 8793/8794 on every interface): task logs
        # are files on the same host, which the API server reads directly.
        return airflow(spec, component, "--skip-serve-logs")
    if component == "dag-processor":
        return airflow(spec, component)
    if component == "forkserver":
        return [str(spec.venv / "bin" / "python"), str(FORKSERVER), str(spec.layout.cli_socket)]
    if component == "front":
        return [sys.executable, "-m", "privlink.mwaa.front", str(spec.state_dir)]
    raise ValueError(f"unknown component {component}")
