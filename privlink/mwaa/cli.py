"""The body of POST /aws_mwaa/cli: which Airflow commands run, and running them warm.

MWAA runs a subset of the Airflow CLI (its user guide's "Apache Airflow CLI command
reference"): DAG, task, variable, connection and pool management, never commands
that start or reset components. The command runs in a child of the environment's
fork server (forkserver.py) so the round trip costs a fork, not Airflow's imports.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

# Command groups MWAA accepts (design choice after MWAA's CLI reference; `db` only for
# `db check`). Everything else -- scheduler, webserver, db reset, users ... -- is refused.
ALLOWED_GROUPS = frozenset(
    {"cheat-sheet", "config", "connections", "dags", "info", "jobs", "plugins", "pools",
     "providers", "tasks", "variables", "version", "assets", "backfill"}
)  # fmt: skip
ALLOWED_DB = frozenset({"check", "check-migrations"})


class CliRefused(Exception):
    """A command the endpoint does not run; the message is shown to the caller."""


@dataclass(frozen=True)
class CliResult:
    stdout: bytes
    stderr: bytes
    exit_code: int

    def mwaa_json(self) -> dict[str, str]:
        """The response body MWAA gives: base64 stdout and stderr."""
        return {
            "stdout": base64.b64encode(self.stdout).decode(),
            "stderr": base64.b64encode(self.stderr).decode(),
        }


def parse_command(body: str) -> list[str]:
    """The argv of an allowed command (without `airflow`), or CliRefused."""
    try:
        argv = shlex.split(body)
    except ValueError as exc:
        raise CliRefused(f"cannot parse the command: {exc}") from exc
    if argv and argv[0] == "airflow":
        argv = argv[1:]
    if not argv:
        raise CliRefused("no command given")
    group = argv[0]
    if group == "db" and len(argv) > 1 and argv[1] in ALLOWED_DB:
        return argv
    if group not in ALLOWED_GROUPS:
        raise CliRefused(f"the command '{group}' is not supported")
    return argv


async def run_command(socket_path: Path, argv: list[str], timeout: float = 300.0) -> CliResult:
    """Run `airflow ARGV` in a fresh child of the fork server listening on socket_path."""
    reader, writer = await asyncio.open_unix_connection(str(socket_path), limit=1 << 26)
    try:
        writer.write(json.dumps({"argv": argv}).encode() + b"\n")
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
    finally:
        writer.close()
    if not line:
        raise RuntimeError("the CLI fork server closed the connection without an answer")
    answer = json.loads(line)
    return CliResult(
        base64.b64decode(answer["stdout"]), base64.b64decode(answer["stderr"]), answer["exit"]
    )
