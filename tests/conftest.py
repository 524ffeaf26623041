"""Shared fixtures: a live privlink server driven black-box over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A privlink process started for tests; restartable on the same state."""

    state_dir: Path
    port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    database: str | None = None
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        args = [
            str(VENV_BIN / "privlink"),
            "up",
            "--port",
            str(self.port),
            "--https-port",
            str(self.https_port),
            "--state-dir",
            str(self.state_dir),
            "--log-level",
            "warning",
            *self.extra_args,
        ]
        if self.database:
            args += ["--database", self.database]
        log = open(self.state_dir / "server.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"privlink exited: {(self.state_dir / 'server.log').read_text()}"
                )
            try:
                urllib.request.urlopen(self.url + "/_privlink/health", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("privlink did not become healthy")

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def client(
        self, service: str, account: str = "123456789012", region: str = "us-east-1", **kwargs: Any
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}, inject_host_prefix=False),
            **kwargs,
        )

    def cli_env(self, account: str = "123456789012", region: str = "us-east-1") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ENDPOINT_URL=self.url,
            AWS_DEFAULT_REGION=region,
            AWS_ACCESS_KEY_ID=account,
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DISABLE_HOST_PREFIX_INJECTION="true",
            AWS_MAX_ATTEMPTS="1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        return env

    def aws(
        self,
        *args: str,
        account: str = "123456789012",
        region: str = "us-east-1",
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run the AWS CLI against this server; JSON output."""
        result = subprocess.run(
            [str(VENV_BIN / "aws"), "--output", "json", *args],
            env=self.cli_env(account, region),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {result.stderr}")
        return result


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One privlink for the whole session; tests isolate themselves by account and resources."""
    state = Path(tempfile.mkdtemp(prefix="privlink-test-"))
    srv = Server(state).start()
    yield srv
    srv.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def fresh_server() -> Iterator[Callable[..., Server]]:
    """Factory for private servers (restart tests, databases); all stopped at the end."""
    made: list[Server] = []

    def make(**kwargs: Any) -> Server:
        state = Path(tempfile.mkdtemp(prefix="privlink-test-"))
        srv = Server(state, **kwargs)
        made.append(srv)
        return srv.start()

    yield make
    for srv in made:
        srv.stop()
        shutil.rmtree(srv.state_dir, ignore_errors=True)


_account_counter = iter(range(100000000000, 999999999999, 7919))


@pytest.fixture
def account() -> str:
    """A fresh 12-digit account for this test, so its resources are its own."""
    return str(next(_account_counter) + os.getpid() % 1000)


@pytest.fixture
def ec2(server: Server, account: str) -> Any:
    return server.client("ec2", account)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the group (its plugin registers later)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Data-plane tests share host-wide kernel names (plk*): keep them on one xdist worker."""
    for item in items:
        if item.get_closest_marker("dataplane"):
            item.add_marker(pytest.mark.xdist_group("dataplane"))
