"""CloudWatch Logs over the json protocol through botocore's own serializer and parser."""

from __future__ import annotations

from privlink import errors
from tests.unit.test_protocol_roundtrip import (
    error_roundtrip,
    request_roundtrip,
    response_roundtrip,
)


def test_put_log_events_request_round_trip() -> None:
    params = {
        "logGroupName": "airflow-env-Task",
        "logStreamName": "dag/run/task/1.log",
        "logEvents": [
            {"timestamp": 1767225600000, "message": "line 1"},
            {"timestamp": 1767225600001, "message": 'quoted "json" \u00e9'},
        ],
        "sequenceToken": "49590302",
    }
    assert request_roundtrip("logs", "PutLogEvents", params) == params
    filters = {
        "logGroupName": "g",
        "logStreamNames": ["a", "b"],
        "startTime": 1,
        "endTime": 2,
        "filterPattern": '"disk full"',
        "limit": 5,
    }
    assert request_roundtrip("logs", "FilterLogEvents", filters) == filters


def test_event_responses_round_trip() -> None:
    output = {
        "events": [
            {
                "logStreamName": "a",
                "timestamp": 1767225600000,
                "message": "ERROR x",
                "ingestionTime": 1767225600100,
                "eventId": "00123456780000000000000001",
            }
        ],
        "nextToken": "abc",
    }
    assert response_roundtrip("logs", "FilterLogEvents", output) == output
    page = {"events": [], "nextForwardToken": "f/1/s", "nextBackwardToken": "b/0/s"}
    assert response_roundtrip("logs", "GetLogEvents", page) == page
    rejected = {"nextSequenceToken": "1", "rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 2}}
    assert response_roundtrip("logs", "PutLogEvents", rejected) == rejected


def test_errors_carry_their_type() -> None:
    parsed = error_roundtrip("logs", errors.LogGroupNotFound())
    assert (parsed["Code"], parsed["Message"], parsed["status"]) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )
    assert error_roundtrip("logs", errors.LogStreamAlreadyExists())["Code"] == (
        "ResourceAlreadyExistsException"
    )
