"""What flows between an environment and the customer's account while it runs: DAG files
from the bucket's DagS3Path into Airflow's dags folder, task logs from Airflow into
CloudWatch Logs (airflow-<Env>-Task), as MWAA moves them.

Both are operations on a Scope, called by the MWAA controller on a timer. DAGs are
copied only when their ETag changed (a manifest next to the folder remembers what was
copied); files gone from the bucket are removed. Task logs are shipped incrementally
from byte offsets kept in the runtime's state dir, so a restart neither loses nor
repeats lines.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from privlink import errors
from privlink.api import Scope
from privlink.mwaa.tasklogs import task_log_lines
from privlink.services.logs.operations import events as log_events
from privlink.services.logs.operations import groups as log_groups
from privlink.services.logs.queries import group_by_name
from privlink.services.mwaa.records import LOG_MODULES, Environment
from privlink.services.mwaa.validation import bucket_name
from privlink.services.s3.operations.objects import open_object
from privlink.services.s3.records import ObjectKey
from privlink.services.s3.storage import Storage

MANIFEST = ".privlink-dags.json"
OFFSETS = "task-log-offsets.json"


def log_group(env: Environment, member: str) -> str:
    return f"airflow-{env.name}-{LOG_MODULES[member]}"


def ensure_log_groups(scope: Scope, env: Environment) -> None:
    """The log groups of the environment's enabled modules (MWAA creates them)."""
    for member in LOG_MODULES:
        if not env.settings["LoggingConfiguration"][member].get("Enabled"):
            continue
        name = log_group(env, member)
        if group_by_name(scope, name) is None:
            log_groups.create_log_group(scope, name)


def _read_json(path: Path) -> dict[str, object]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def sync_dags(scope: Scope, storage: Storage, env: Environment, folder: Path) -> int:
    """Copy changed DAG files from the bucket into `folder`; returns how many changed."""
    bucket = bucket_name(env.settings["SourceBucketArn"])
    prefix = env.settings["DagS3Path"].strip("/") + "/"
    manifest_path = folder.parent / MANIFEST
    manifest = _read_json(manifest_path)
    wanted: dict[str, str] = {}
    for key in scope.uow.list(ObjectKey, parent=bucket):
        latest = key.latest
        if key.key.startswith(prefix) and latest and not latest.delete_marker:
            relative = key.key[len(prefix) :]
            if relative and not relative.endswith("/") and ".." not in relative.split("/"):
                wanted[relative] = latest.etag
    changed = 0
    for relative, etag in wanted.items():
        if manifest.get(relative) == etag and (folder / relative).exists():
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open_object(scope, storage, bucket, prefix + relative) as source:
                with open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
        except errors.AwsError:
            continue
        changed += 1
    for relative in set(manifest) - set(wanted):
        (folder / relative).unlink(missing_ok=True)
        changed += 1
    if changed:
        manifest_path.write_text(json.dumps(wanted))
    return changed


def ship_task_logs(scope: Scope, env: Environment, log_folder: Path, state: Path) -> int:
    """Put new task log lines into airflow-<Env>-Task, one stream per task try."""
    if not env.settings["LoggingConfiguration"]["TaskLogs"].get("Enabled"):
        return 0
    group = log_group(env, "TaskLogs")
    if group_by_name(scope, group) is None:
        return 0
    offsets_path = state / OFFSETS
    offsets = {k: int(v) for k, v in _read_json(offsets_path).items() if isinstance(v, int)}
    lines, updated = task_log_lines(log_folder, offsets)
    by_stream: dict[str, list[log_events.LogEvent]] = {}
    for line in lines:
        # CloudWatch Logs refuses ':' and '*' in stream names; MWAA writes '_' for them.
        stream = line.stream.replace(":", "_").replace("*", "_")
        by_stream.setdefault(stream, []).append(log_events.LogEvent(line.timestamp, line.message))
    for stream, batch in by_stream.items():
        batch.sort(key=lambda e: e.timestamp)
        log_events.put_log_events(scope, group, stream, batch, create_stream=True)
    if updated != offsets:
        offsets_path.write_text(json.dumps(updated))
    return len(lines)
