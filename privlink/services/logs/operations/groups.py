"""Log group and log stream operations: create, delete, retention, tags."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from privlink import errors
from privlink.api import Scope
from privlink.services.logs import validation
from privlink.services.logs.queries import group_arn, require_group, stream_arn
from privlink.services.logs.records import LogChunk, LogGroup, LogStream

LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")


def millis(scope: Scope) -> int:
    return int(scope.now().timestamp() * 1000)


def create_log_group(
    scope: Scope,
    name: str,
    tags: Mapping[str, str] | None = None,
    kms_key_id: str | None = None,
    log_group_class: str | None = None,
) -> LogGroup:
    validation.group_name(name)
    checked = validation.tags(tags)
    group_class = log_group_class or "STANDARD"
    if group_class not in LOG_GROUP_CLASSES:
        raise validation.invalid(
            group_class,
            "logGroupClass",
            "Member must satisfy enum value set: " + str(LOG_GROUP_CLASSES),
        )
    arn = group_arn(scope, name)
    if scope.get(LogGroup, arn) is not None:
        raise errors.LogGroupAlreadyExists()
    group = LogGroup(
        id=arn,
        account=scope.account,
        region=scope.region,
        name=name,
        created=millis(scope),
        kms_key_id=kms_key_id,
        log_group_class=group_class,
        tags=checked,
    )
    scope.add(group)
    return group


def delete_log_group(scope: Scope, name: str) -> None:
    group = require_group(scope, name)
    for stream in scope.list(LogStream, parent=group.id):
        _delete_stream(scope, stream)
    scope.delete(group)


def put_retention(scope: Scope, name: str, days: int | None) -> LogGroup:
    """Set (or with None, remove) how many days events are kept."""
    group = require_group(scope, name)
    group.retention_days = None if days is None else validation.retention(days)
    scope.put(group)
    return group


def tag_log_group(scope: Scope, group: LogGroup, tags: Mapping[str, str]) -> None:
    group.tags = validation.tags(tags, group.tags)
    scope.put(group)


def untag_log_group(scope: Scope, group: LogGroup, keys: Iterable[str]) -> None:
    gone = set(keys)
    group.tags = {k: v for k, v in group.tags.items() if k not in gone}
    scope.put(group)


def create_log_stream(scope: Scope, group_name: str, name: str) -> LogStream:
    validation.stream_name(name)
    group = require_group(scope, group_name)
    arn = stream_arn(group, name)
    if scope.get(LogStream, arn) is not None:
        raise errors.LogStreamAlreadyExists()
    stream = LogStream(
        id=arn,
        account=scope.account,
        region=scope.region,
        group_arn=group.id,
        name=name,
        created=millis(scope),
    )
    scope.add(stream)
    return stream


def delete_log_stream(scope: Scope, group_name: str, name: str) -> None:
    group = require_group(scope, group_name)
    stream = scope.get(LogStream, stream_arn(group, name))
    if stream is None:
        raise errors.LogStreamNotFound()
    group.stored_bytes = max(0, group.stored_bytes - stream.stored_bytes)
    scope.put(group)
    _delete_stream(scope, stream)


def _delete_stream(scope: Scope, stream: LogStream) -> None:
    for chunk in scope.list(LogChunk, parent=stream.id):
        scope.delete(chunk)
    scope.delete(stream)
