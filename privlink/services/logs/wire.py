"""Logs' wire shapes for groups, streams and events."""

from __future__ import annotations

from typing import Any

from privlink.services.logs.queries import StoredEvent
from privlink.services.logs.records import LogGroup, LogStream


def group(g: LogGroup) -> dict[str, Any]:
    return {
        "logGroupName": g.name,
        "creationTime": g.created,
        "retentionInDays": g.retention_days,
        "metricFilterCount": 0,
        "arn": f"{g.arn}:*",
        "logGroupArn": g.arn,
        "storedBytes": g.stored_bytes,
        "kmsKeyId": g.kms_key_id,
        "logGroupClass": g.log_group_class,
    }


def stream(s: LogStream) -> dict[str, Any]:
    return {
        "logStreamName": s.name,
        "creationTime": s.created,
        "firstEventTimestamp": s.first_event,
        "lastEventTimestamp": s.last_event,
        "lastIngestionTime": s.last_ingestion,
        "uploadSequenceToken": f"{s.events:056d}",
        "arn": s.id,
        "storedBytes": s.stored_bytes,
    }


def output_event(e: StoredEvent) -> dict[str, Any]:
    return {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion}


def filtered_event(e: StoredEvent) -> dict[str, Any]:
    return {
        "logStreamName": e.stream.name,
        "timestamp": e.timestamp,
        "message": e.message,
        "ingestionTime": e.ingestion,
        "eventId": e.event_id,
    }
