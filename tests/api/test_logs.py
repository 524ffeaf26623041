"""CloudWatch Logs black-box through boto3: groups, streams, retention, tags, events."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Server

DAY = 24 * 3600 * 1000


def now_ms() -> int:
    return int(time.time() * 1000)


def error(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        str(response["Error"]["Code"]),
        int(response["ResponseMetadata"]["HTTPStatusCode"]),
        str(response["Error"]["Message"]),
    )


@pytest.fixture
def logs(server: Server, account: str) -> Any:
    return server.client("logs", account)


def put(logs: Any, group: str, stream: str, *messages: str, at: int | None = None) -> Any:
    start = now_ms() if at is None else at
    events = [{"timestamp": start + i, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def test_log_group_lifecycle(logs: Any, account: str) -> None:
    logs.create_log_group(logGroupName="airflow-env-Task", tags={"env": "dev"})
    [group] = logs.describe_log_groups(logGroupNamePrefix="airflow-env")["logGroups"]
    assert group["logGroupName"] == "airflow-env-Task"
    assert group["arn"] == f"arn:aws:logs:us-east-1:{account}:log-group:airflow-env-Task:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:{account}:log-group:airflow-env-Task"
    assert group["logGroupClass"] == "STANDARD" and "retentionInDays" not in group
    assert abs(group["creationTime"] - now_ms()) < 60_000
    assert error(lambda: logs.create_log_group(logGroupName="airflow-env-Task")) == (
        "ResourceAlreadyExistsException",
        400,
        "The specified log group already exists",
    )
    logs.delete_log_group(logGroupName="airflow-env-Task")
    assert logs.describe_log_groups()["logGroups"] == []
    assert error(lambda: logs.delete_log_group(logGroupName="airflow-env-Task")) == (
        "ResourceNotFoundException",
        400,
        "The specified log group does not exist.",
    )


def test_groups_are_regional_and_per_account(server: Server, account: str) -> None:
    server.client("logs", account, region="us-east-1").create_log_group(logGroupName="here")
    assert (
        server.client("logs", account, region="eu-west-1").describe_log_groups()["logGroups"] == []
    )
    other = server.client("logs", str(int(account) + 1))
    assert other.describe_log_groups()["logGroups"] == []


def test_describe_log_groups_pages_and_patterns(logs: Any) -> None:
    for name in ("/aws/b", "/aws/a", "/app/Web", "/aws/c"):
        logs.create_log_group(logGroupName=name)
    first = logs.describe_log_groups(logGroupNamePrefix="/aws/", limit=2)
    assert [g["logGroupName"] for g in first["logGroups"]] == ["/aws/a", "/aws/b"]
    rest = logs.describe_log_groups(
        logGroupNamePrefix="/aws/", limit=2, nextToken=first["nextToken"]
    )
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["/aws/c"]
    assert "nextToken" not in rest
    assert [
        g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="web")["logGroups"]
    ] == ["/app/Web"]
    code, _, message = error(
        lambda: logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="a")
    )
    assert code == "InvalidParameterException" and "mutually exclusive" in message
    paged = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1})
    assert len(paged.build_full_result()["logGroups"]) == 4


def test_invalid_names(logs: Any) -> None:
    code, status, message = error(lambda: logs.create_log_group(logGroupName="bad:name"))
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == (
        "1 validation error detected: Value 'bad:name' at 'logGroupName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )
    logs.create_log_group(logGroupName="names")
    code, _, message = error(
        lambda: logs.create_log_stream(logGroupName="names", logStreamName="a:b")
    )
    assert code == "InvalidParameterException" and "[^:*]*" in message


def test_retention(logs: Any) -> None:
    logs.create_log_group(logGroupName="kept")
    logs.put_retention_policy(logGroupName="kept", retentionInDays=14)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 14
    code, status, message = error(
        lambda: logs.put_retention_policy(logGroupName="kept", retentionInDays=2)
    )
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Value '2' at 'retentionInDays'" in message and "[1, 3, 5, 7, 14," in message
    logs.delete_retention_policy(logGroupName="kept")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    assert error(lambda: logs.put_retention_policy(logGroupName="nope", retentionInDays=1))[0] == (
        "ResourceNotFoundException"
    )


def test_tags(logs: Any, account: str) -> None:
    logs.create_log_group(logGroupName="tagged", tags={"a": "1"})
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:tagged"
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_log_group(logGroupName="tagged")["tags"] == {"b": "2"}
    logs.tag_log_group(logGroupName="tagged", tags={"c": "3"})
    logs.untag_log_group(logGroupName="tagged", tags=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn + ":*")["tags"] == {"c": "3"}
    many = {f"k{i}": "v" for i in range(50)}
    assert error(lambda: logs.tag_resource(resourceArn=arn, tags=many))[0] == (
        "InvalidParameterException"
    )
    missing = f"arn:aws:logs:us-east-1:{account}:log-group:missing"
    assert error(lambda: logs.list_tags_for_resource(resourceArn=missing))[0] == (
        "ResourceNotFoundException"
    )


def test_log_streams(logs: Any, account: str) -> None:
    logs.create_log_group(logGroupName="g")
    for name in ("task/2", "task/1", "scheduler"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    assert error(lambda: logs.create_log_stream(logGroupName="g", logStreamName="task/1")) == (
        "ResourceAlreadyExistsException",
        400,
        "The specified log stream already exists",
    )
    assert error(lambda: logs.create_log_stream(logGroupName="none", logStreamName="s"))[:2] == (
        "ResourceNotFoundException",
        400,
    )
    listed = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert [s["logStreamName"] for s in listed] == ["scheduler", "task/1", "task/2"]
    assert listed[1]["arn"] == f"arn:aws:logs:us-east-1:{account}:log-group:g:log-stream:task/1"
    assert "firstEventTimestamp" not in listed[0]
    tasks = logs.describe_log_streams(
        logGroupName="g", logStreamNamePrefix="task/", descending=True
    )
    assert [s["logStreamName"] for s in tasks["logStreams"]] == ["task/2", "task/1"]
    put(logs, "g", "task/2", "old", at=now_ms() - 5000)
    put(logs, "g", "scheduler", "new")
    by_time = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in by_time["logStreams"]][:2] == ["scheduler", "task/2"]
    assert (
        by_time["logStreams"][0]["lastEventTimestamp"]
        >= by_time["logStreams"][0]["firstEventTimestamp"]
    )
    code, _, message = error(
        lambda: logs.describe_log_streams(
            logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="t"
        )
    )
    assert code == "InvalidParameterException" and "LastEventTime" in message
    page = logs.describe_log_streams(logGroupName="g", limit=2)
    assert len(page["logStreams"]) == 2 and page["nextToken"]
    logs.delete_log_stream(logGroupName="g", logStreamName="task/1")
    assert error(lambda: logs.delete_log_stream(logGroupName="g", logStreamName="task/1")) == (
        "ResourceNotFoundException",
        400,
        "The specified log stream does not exist.",
    )
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:g"
    by_arn = logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert [s["logStreamName"] for s in by_arn] == ["scheduler", "task/2"]


def test_put_and_get_log_events(logs: Any) -> None:
    logs.create_log_group(logGroupName="ev")
    logs.create_log_stream(logGroupName="ev", logStreamName="s")
    start = now_ms() - 60_000
    first = put(logs, "ev", "s", "one", "two", "three", at=start)
    assert first["nextSequenceToken"] and "rejectedLogEventsInfo" not in first
    put(logs, "ev", "s", "four", at=start + 10)  # sequenceToken not needed
    latest = logs.get_log_events(logGroupName="ev", logStreamName="s", limit=2)
    assert [e["message"] for e in latest["events"]] == ["three", "four"]
    assert latest["events"][0]["timestamp"] == start + 2
    assert latest["events"][0]["ingestionTime"] >= start
    head = logs.get_log_events(logGroupName="ev", logStreamName="s", startFromHead=True, limit=3)
    assert [e["message"] for e in head["events"]] == ["one", "two", "three"]
    more = logs.get_log_events(
        logGroupName="ev", logStreamName="s", nextToken=head["nextForwardToken"]
    )
    assert [e["message"] for e in more["events"]] == ["four"]
    end = logs.get_log_events(
        logGroupName="ev", logStreamName="s", nextToken=more["nextForwardToken"]
    )
    assert end["events"] == [] and end["nextForwardToken"] == more["nextForwardToken"]
    put(logs, "ev", "s", "five", at=start + 20)
    later = logs.get_log_events(
        logGroupName="ev", logStreamName="s", nextToken=end["nextForwardToken"]
    )
    assert [e["message"] for e in later["events"]] == ["five"]
    back = logs.get_log_events(
        logGroupName="ev", logStreamName="s", nextToken=latest["nextBackwardToken"], limit=1
    )
    assert [e["message"] for e in back["events"]] == ["two"]
    window = logs.get_log_events(
        logGroupName="ev",
        logStreamName="s",
        startTime=start + 1,
        endTime=start + 3,
        startFromHead=True,
    )
    assert [e["message"] for e in window["events"]] == ["two", "three"]
    assert (
        error(
            lambda: logs.get_log_events(logGroupName="ev", logStreamName="s", nextToken="garbage")
        )[0]
        == "InvalidParameterException"
    )


def test_put_log_events_rules(logs: Any) -> None:
    logs.create_log_group(logGroupName="rules")
    logs.create_log_stream(logGroupName="rules", logStreamName="s")
    now = now_ms()
    unordered = [{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]
    assert error(
        lambda: logs.put_log_events(logGroupName="rules", logStreamName="s", logEvents=unordered)
    ) == (
        "InvalidParameterException",
        400,
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    wide = [{"timestamp": now - 2 * DAY, "message": "a"}, {"timestamp": now, "message": "b"}]
    assert (
        error(lambda: logs.put_log_events(logGroupName="rules", logStreamName="s", logEvents=wide))[
            0
        ]
        == "InvalidParameterException"
    )
    mixed = [
        {"timestamp": now - 14 * DAY - 1000, "message": "too old"},
        {"timestamp": now - 14 * DAY - 500, "message": "also too old"},
        {"timestamp": now - 14 * DAY + 60_000, "message": "kept"},
    ]
    result = logs.put_log_events(logGroupName="rules", logStreamName="s", logEvents=mixed)
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    future = [
        {"timestamp": now, "message": "now"},
        {"timestamp": now + 3 * 3600 * 1000, "message": "too new"},
    ]
    result = logs.put_log_events(logGroupName="rules", logStreamName="s", logEvents=future)
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    stored = logs.get_log_events(logGroupName="rules", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in stored["events"]] == ["kept", "now"]
    assert error(lambda: put(logs, "rules", "missing", "x")) == (
        "ResourceNotFoundException",
        400,
        "The specified log stream does not exist.",
    )
    assert error(lambda: put(logs, "missing", "s", "x"))[2] == (
        "The specified log group does not exist."
    )


def test_retention_rejects_expired_events(logs: Any) -> None:
    logs.create_log_group(logGroupName="short")
    logs.put_retention_policy(logGroupName="short", retentionInDays=1)
    logs.create_log_stream(logGroupName="short", logStreamName="s")
    now = now_ms()
    batch = [
        {"timestamp": now - 2 * DAY + 60_000, "message": "expired"},
        {"timestamp": now - DAY + 60_000, "message": "kept"},
    ]
    result = logs.put_log_events(logGroupName="short", logStreamName="s", logEvents=batch)
    assert result["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}


def test_many_events_span_chunks(logs: Any) -> None:
    logs.create_log_group(logGroupName="bulk")
    logs.create_log_stream(logGroupName="bulk", logStreamName="s")
    start = now_ms() - 3_600_000
    for batch in range(3):
        events = [
            {"timestamp": start + batch * 1000 + i, "message": f"line {batch * 1000 + i}"}
            for i in range(1000)
        ]
        logs.put_log_events(logGroupName="bulk", logStreamName="s", logEvents=events)
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName="bulk", logStreamName="s", limit=700, **kwargs)
        if not page["events"]:
            break
        seen += [e["message"] for e in page["events"]]
        token = page["nextForwardToken"]
    assert seen == [f"line {i}" for i in range(3000)]
    found = (
        logs.get_paginator("filter_log_events")
        .paginate(logGroupName="bulk", filterPattern='"line 29"', PaginationConfig={"PageSize": 50})
        .build_full_result()["events"]
    )
    assert [e["message"] for e in found] == ["line 29"] + [f"line {i}" for i in range(290, 300)] + [
        f"line {i}" for i in range(2900, 3000)
    ]
    stream = logs.describe_log_streams(logGroupName="bulk")["logStreams"][0]
    assert stream["storedBytes"] == sum(len(f"line {i}") for i in range(3000))


def test_filter_log_events(logs: Any) -> None:
    logs.create_log_group(logGroupName="f")
    start = now_ms() - 10_000
    for name in ("a", "b"):
        logs.create_log_stream(logGroupName="f", logStreamName=name)
    put(logs, "f", "a", "ERROR disk full", "INFO ok", at=start)
    put(logs, "f", "b", "WARN slow", "ERROR timeout", at=start + 1)

    def messages(**kwargs: Any) -> list[str]:
        return [e["message"] for e in logs.filter_log_events(logGroupName="f", **kwargs)["events"]]

    # time order; events at the same time in the order they were ingested
    assert messages() == ["ERROR disk full", "INFO ok", "WARN slow", "ERROR timeout"]
    assert messages(filterPattern="ERROR") == ["ERROR disk full", "ERROR timeout"]
    assert messages(filterPattern='"disk full"') == ["ERROR disk full"]
    assert messages(filterPattern="?WARN ?INFO") == ["INFO ok", "WARN slow"]
    assert messages(filterPattern="ERROR -timeout") == ["ERROR disk full"]
    assert messages(filterPattern="error") == []  # terms are case-sensitive
    assert messages(filterPattern="%ERR.R t%") == ["ERROR timeout"]
    assert messages(logStreamNames=["b"]) == ["WARN slow", "ERROR timeout"]
    assert messages(logStreamNamePrefix="a") == ["ERROR disk full", "INFO ok"]
    assert messages(startTime=start + 1, endTime=start + 1) == ["INFO ok", "WARN slow"]
    first = logs.filter_log_events(logGroupName="f", limit=3)
    assert len(first["events"]) == 3 and first["nextToken"]
    rest = logs.filter_log_events(logGroupName="f", nextToken=first["nextToken"])
    assert [e["message"] for e in rest["events"]] == ["ERROR timeout"] and "nextToken" not in rest
    event = first["events"][0]
    assert event["logStreamName"] == "a" and event["eventId"].isdigit()
    assert error(lambda: logs.filter_log_events(logGroupName="f", filterPattern="{ $.x = 1 }"))[
        0
    ] == ("InvalidParameterException")
    assert (
        error(lambda: logs.filter_log_events(logGroupName="none"))[0] == "ResourceNotFoundException"
    )


def test_delete_group_removes_streams_and_events(logs: Any) -> None:
    logs.create_log_group(logGroupName="gone")
    logs.create_log_stream(logGroupName="gone", logStreamName="s")
    put(logs, "gone", "s", "x")
    logs.delete_log_group(logGroupName="gone")
    logs.create_log_group(logGroupName="gone")
    assert logs.describe_log_streams(logGroupName="gone")["logStreams"] == []
    assert logs.filter_log_events(logGroupName="gone")["events"] == []
