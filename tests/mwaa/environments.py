"""Building and driving a test environment: shared by tests/mwaa and bench/mwaa.

An environment runs on 127.0.0.1 ports (no network namespace: creating those is the
data-plane tests' privilege). Its state lives under /tmp with a traversable root,
because as root its PostgreSQL server runs as the `postgres` user.
"""

from __future__ import annotations

import base64
import shutil
import ssl
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from privlink import tls
from privlink.mwaa import tokens
from privlink.mwaa.runner import Environment
from privlink.mwaa.spec import Endpoint, EnvironmentSpec, Secrets
from tests.harness import free_port

HELLO_DAG = """\
import pendulum
from airflow.decorators import dag, task


@dag(dag_id="{dag_id}", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
     catchup=False, is_paused_upon_creation=False)
def hello():
    @task
    def say():
        print("hello from {dag_id}")

    say()


hello()
"""


# A private web server host name in MWAA's format; the front's certificate also names
# localhost, where the tests reach it.
WEB_HOST = "99aa99aa-55aa-44a1-a91f-f4552cf4e2f5-vpce.c10.us-east-1.airflow.amazonaws.com"


def make_spec(root: Path, version: str = "3.0.6", name: str = "TestEnv") -> EnvironmentSpec:
    ca = tls.LocalCA(root / "tls")
    # (localhost first: it becomes the common name, which X.509 caps at 64 characters)
    files = ca.issue_files(root / "tls", "web", ["localhost", WEB_HOST])
    return EnvironmentSpec(
        name=name,
        airflow_version=version,
        state_dir=root / "env",
        dags_folder=root / "dags",
        database=Endpoint("127.0.0.1", free_port()),
        web=Endpoint("127.0.0.1", free_port()),
        front=Endpoint("127.0.0.1", free_port()),
        tls_cert=files.cert,
        tls_key=files.key,
        secrets=Secrets.generate(),
    )


@contextmanager
def state_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="mwaa-", dir="/tmp"))
    root.chmod(0o711)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Front:
    """An HTTPS client of an environment's web front, trusting privlink's CA."""

    spec: EnvironmentSpec
    http: httpx.Client

    @classmethod
    def of(cls, spec: EnvironmentSpec) -> Front:
        ca = ssl.create_default_context(cafile=spec.tls_cert.parent / "ca.pem")
        url = f"https://localhost:{spec.front.port}"
        http = httpx.Client(base_url=url, verify=ca, timeout=60)
        return cls(spec, http)

    def cli_token(self, now: float | None = None) -> str:
        return tokens.mint_cli_token(
            self.spec.secrets.token_secret, self.spec.name, time.time() if now is None else now
        )

    def cli_raw(self, command: str, token: str | None = None) -> httpx.Response:
        headers = {"Content-Type": "text/plain"}
        headers["Authorization"] = f"Bearer {token if token is not None else self.cli_token()}"
        return self.http.post("/aws_mwaa/cli", content=command, headers=headers)

    def cli(self, command: str) -> tuple[str, str]:
        """(stdout, stderr) of an Airflow CLI command run through /aws_mwaa/cli."""
        answer = self.cli_raw(command)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        return base64.b64decode(body["stdout"]).decode(), base64.b64decode(body["stderr"]).decode()


def start(spec: EnvironmentSpec, timeout: float = 180.0) -> Environment:
    env = Environment(spec)
    env.start(timeout)
    env.wait_healthy(timeout)
    return env
