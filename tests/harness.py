"""The one harness tests and benchmarks share: ports, polling, accounts, a privlink process.

Tests import it as `tests.harness`; benchmarks, which run as plain scripts
(`.venv/bin/python bench/...`), put the checkout's root on sys.path from their own
file location first, so both work from any working directory.

The server launcher turns on strict output (PRIVLINK_STRICT_OUTPUT=1) unless told
otherwise: a handler answering with a key its operation's output shape does not
have fails the call with InternalError instead of silently losing the key, so any
test that reaches such a handler fails.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config

from privlink.server.protocols.strict import STRICT_OUTPUT_ENV

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_ACCOUNT = "123456789012"  # what privlink maps unknown access keys to
T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float = 10.0,
    interval: float = 0.1,
    message: str = "condition",
) -> T:
    """Call `predicate` until it returns something truthy and return that, at most `timeout`
    seconds; then fail with the last value seen, so a timeout says what was observed."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            last = f"(last: {value!r})"
            raise AssertionError(f"timed out after {timeout:g}s waiting for {message} {last}")
        time.sleep(interval)


def fresh_account() -> str:
    """A random 12-digit account id: tests isolate themselves by account, so each test that
    asks gets resources nobody else sees (the default account is never returned)."""
    while True:
        account = str(10**11 + secrets.randbelow(9 * 10**11))
        if account != DEFAULT_ACCOUNT:
            return account


def http_answers(url: str) -> bool:
    """True once anything answers HTTP at `url` (an error status counts: the server is up)."""
    try:
        urllib.request.urlopen(url, timeout=1).read()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def client(
    service: str,
    url: str,
    account: str = DEFAULT_ACCOUNT,
    region: str = "us-east-1",
    **kwargs: Any,
) -> Any:
    """A boto3 client for `url` that never retries (a retry would hide the first answer)."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, inject_host_prefix=False),
        **kwargs,
    )


@dataclass
class Server:
    """A `privlink up` process on a state dir; restartable on the same state.

    Its stdout and stderr go to `log` (default: server.log in the state dir), which
    `start` quotes when the process dies before it becomes healthy.
    """

    state_dir: Path
    port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)  # 0: no HTTPS listener
    database: str | None = None
    extra_args: list[str] = field(default_factory=list)
    log_level: str = "warning"
    log: Path | None = None
    strict_output: bool = True
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log or self.state_dir / "server.log"

    def command(self) -> list[str]:
        args = [
            str(VENV_BIN / "privlink"), "up",
            "--port", str(self.port),
            "--https-port", str(self.https_port),
            "--state-dir", str(self.state_dir),
            "--log-level", self.log_level,
            *self.extra_args,
        ]  # fmt: skip
        if self.database:
            args += ["--database", self.database]
        return args

    def start(self, timeout: float = 30.0) -> Server:
        env = dict(os.environ)
        if self.strict_output:
            env[STRICT_OUTPUT_ENV] = "1"
        else:
            env.pop(STRICT_OUTPUT_ENV, None)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=env
            )
        wait_until(self._healthy, timeout, 0.1, f"privlink on {self.url} to become healthy")
        return self

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"privlink exited ({self.proc.returncode}): {self.log_text()}")
        try:
            urllib.request.urlopen(self.url + "/_privlink/health", timeout=1).read()
        except OSError:
            return False
        return True

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20.0) -> None:
        """Signal the process (Ctrl-C by default) and wait; kill it if it does not exit."""
        if self.proc is None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def client(
        self, service: str, account: str = DEFAULT_ACCOUNT, region: str = "us-east-1", **kwargs: Any
    ) -> Any:
        return client(service, self.url, account, region, **kwargs)

    def cli_env(self, account: str = DEFAULT_ACCOUNT, region: str = "us-east-1") -> dict[str, str]:
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
        account: str = DEFAULT_ACCOUNT,
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


def needs(present: bool, what: str) -> pytest.MarkDecorator:
    """Skip a test whose tool is missing, except in CI: there scripts/install must have
    installed it, and a silent skip would hide exactly that."""
    if not present and os.environ.get("CI"):
        raise RuntimeError(f"{what} is missing in CI: scripts/install should install it")
    return pytest.mark.skipif(not present, reason=f"needs {what} (scripts/install)")
