"""Task logs as CloudWatch Logs events: what the API side ships to airflow-<Env>-Task.

Airflow writes one file per task try under the environment's base_log_folder
(`dag_id=D/run_id=R/task_id=T/attempt=N.log`); MWAA names the log stream after that
same relative path. `task_log_lines` reads what was appended since the last call
(byte offsets per file, kept by the caller), complete lines only, so shipping is
incremental and survives a privlink restart if the caller persists the offsets.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TaskLogLine:
    stream: str  # the log stream name: the file's path under the log folder
    timestamp: int  # milliseconds since the epoch
    message: str


def _timestamp(line: str, fallback: float) -> int:
    """Airflow 3 writes JSON lines with an ISO `timestamp`; Airflow 2 plain text."""
    if line.startswith("{"):
        try:
            stamp = json.loads(line).get("timestamp")
            if isinstance(stamp, str):
                when = dt.datetime.fromisoformat(stamp)
                if when.tzinfo is None:  # Airflow writes UTC, sometimes without the Z
                    when = when.replace(tzinfo=dt.UTC)
                return int(when.timestamp() * 1000)
        except (ValueError, AttributeError):
            pass
    return int(fallback * 1000)


def task_log_lines(
    log_folder: Path, offsets: Mapping[str, int]
) -> tuple[list[TaskLogLine], dict[str, int]]:
    """Lines appended to task log files since `offsets` (stream -> bytes already read);
    returns them in file order with the new offsets."""
    lines: list[TaskLogLine] = []
    updated = dict(offsets)
    for path in sorted(log_folder.rglob("*.log")):
        stream = str(path.relative_to(log_folder))
        start = offsets.get(stream, 0)
        try:
            stat = path.stat()
            if stat.st_size <= start:
                continue
            with open(path, "rb") as f:
                f.seek(start)
                data = f.read(stat.st_size - start)
        except OSError:
            continue
        complete = data[: data.rfind(b"\n") + 1]
        updated[stream] = start + len(complete)
        for raw in complete.decode(errors="replace").splitlines():
            if raw:
                lines.append(TaskLogLine(stream, _timestamp(raw, stat.st_mtime), raw))
    return lines, updated
