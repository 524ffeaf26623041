"""CloudWatch Logs through the AWS CLI: v1 (the project's pinned `aws`) for every call a user
makes around MWAA task logs, and v2's `aws logs tail --follow` where CLI v2 is installed.

`aws logs tail` exists only in CLI v2, which AWS does not publish on PyPI; Debian ships it
(package awscli, /usr/bin/aws). Without it the tail test is skipped, and the polling it
does (FilterLogEvents from the last seen time, deduplicated by eventId) is covered with the
v1 CLI below.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness import Server, needs

CLI_V2 = Path("/usr/bin/aws")


def cli_v2_available() -> bool:
    if not CLI_V2.exists() or shutil.which(str(CLI_V2)) is None:
        return False
    version = subprocess.run([str(CLI_V2), "--version"], capture_output=True, text=True)
    return version.stdout.startswith("aws-cli/2.")


def now_ms() -> int:
    return int(time.time() * 1000)


def test_task_log_walkthrough_with_cli_v1(server: Server, account: str, tmp_path: Path) -> None:
    def aws(*args: str) -> Any:
        out = server.aws("logs", *args, account=account).stdout
        return json.loads(out) if out.strip() else None

    group = "airflow-MyEnv-Task"
    aws("create-log-group", "--log-group-name", group, "--tags", "env=dev")
    aws("put-retention-policy", "--log-group-name", group, "--retention-in-days", "30")
    [described] = aws("describe-log-groups", "--log-group-name-prefix", "airflow-")["logGroups"]
    assert (described["logGroupName"], described["retentionInDays"]) == (group, 30)
    stream = "dag_id=hello/run_id=manual/task_id=say/attempt=1.log"
    aws("create-log-stream", "--log-group-name", group, "--log-stream-name", stream)
    events = tmp_path / "events.json"
    start = now_ms() - 1000
    events.write_text(
        json.dumps([{"timestamp": start + i, "message": f"[task] line {i}"} for i in range(5)])
    )
    put = aws(
        "put-log-events",
        "--log-group-name", group,
        "--log-stream-name", stream,
        "--log-events", f"file://{events}",
    )  # fmt: skip
    assert put["nextSequenceToken"]
    got = aws(
        "get-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        stream,
        "--start-from-head",
    )
    assert [e["message"] for e in got["events"]] == [f"[task] line {i}" for i in range(5)]
    found = aws("filter-log-events", "--log-group-name", group, "--filter-pattern", '"line 3"')[
        "events"
    ]
    assert [(e["logStreamName"], e["message"]) for e in found] == [(stream, "[task] line 3")]
    streams = aws("describe-log-streams", "--log-group-name", group, "--order-by", "LastEventTime")
    assert streams["logStreams"][0]["lastEventTimestamp"] == start + 4
    # What `aws logs tail --follow` does between polls: from the last seen time, new events only.
    seen = {e["eventId"] for e in aws("filter-log-events", "--log-group-name", group)["events"]}
    events.write_text(json.dumps([{"timestamp": start + 10, "message": "[task] done"}]))
    aws("put-log-events", "--log-group-name", group, "--log-stream-name", stream,
        "--log-events", f"file://{events}")  # fmt: skip
    polled = aws("filter-log-events", "--log-group-name", group, "--start-time", str(start + 4))
    fresh = [e["message"] for e in polled["events"] if e["eventId"] not in seen]
    assert fresh == ["[task] done"]
    failed = server.aws(
        "logs", "create-log-group", "--log-group-name", group, account=account, check=False
    )
    assert failed.returncode != 0 and "ResourceAlreadyExistsException" in failed.stderr
    aws("delete-log-stream", "--log-group-name", group, "--log-stream-name", stream)
    aws("delete-retention-policy", "--log-group-name", group)
    aws("delete-log-group", "--log-group-name", group)
    missing = server.aws(
        "logs", "delete-log-group", "--log-group-name", group, account=account, check=False
    )
    assert "ResourceNotFoundException" in missing.stderr


@pytest.fixture
def tail(server: Server, account: str) -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
        env = server.cli_env(account)
        proc = subprocess.Popen(
            [str(CLI_V2), "--endpoint-url", server.url, "logs", "tail", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        out = proc.stdout
        threading.Thread(target=lambda: [lines.put(line) for line in out], daemon=True).start()
        return proc, lines

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def wait_for(lines: queue.Queue[str], text: str, timeout: float = 20.0) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if text in seen[-1]:
            return seen
    raise AssertionError(f"{text!r} not seen in {seen}")


@needs(cli_v2_available(), "the AWS CLI v2 (Debian's awscli)")
def test_aws_logs_tail_follow_with_cli_v2(server: Server, account: str, tail: Any) -> None:
    logs = server.client("logs", account)
    group = "airflow-Tail-Task"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="attempt=1.log")

    def put(message: str) -> None:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="attempt=1.log",
            logEvents=[{"timestamp": now_ms(), "message": message}],
        )

    put("before follow")
    once = subprocess.run(
        [str(CLI_V2), "--endpoint-url", server.url, "logs", "tail", group, "--since", "1h"],
        env=server.cli_env(account),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert once.returncode == 0, once.stderr
    assert "attempt=1.log before follow" in once.stdout
    proc, lines = tail(group, "--follow", "--since", "1h", "--format", "short")
    seen = wait_for(lines, "before follow")
    put("while following")
    seen += wait_for(lines, "while following")
    assert sum("before follow" in line for line in seen) == 1  # no repeats across polls
    assert proc.poll() is None
