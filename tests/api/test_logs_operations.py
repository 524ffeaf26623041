"""Logs operations and IAM queries as other services call them (no HTTP, no handler).

MWAA writes task logs with `put_log_events(..., create_stream=True)` and asks IAM whether an
execution role trusts airflow-env.amazonaws.com; these tests hold the operations to that
contract against a real store, and read the results back through the same queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from privlink import errors
from privlink.api import Scope
from privlink.services.iam import operations as iam
from privlink.services.iam import queries as iam_queries
from privlink.services.logs import operations as logs
from privlink.services.logs import queries as logs_queries
from privlink.services.logs.reading import Window, read_stream
from privlink.store import Store

ACCOUNT, REGION = "111111111111", "eu-west-1"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
NOW_MS = int(NOW.timestamp() * 1000)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


def scope(uow: object, region: str = REGION) -> Scope:
    return Scope(ACCOUNT, region, uow, now=lambda: NOW)  # type: ignore[arg-type]


def test_a_service_writes_task_logs_creating_the_stream(store: Store) -> None:
    with store.unit() as uow:
        logs.create_log_group(scope(uow), "airflow-env-Task")
    events = [logs.LogEvent(NOW_MS - 10 + i, f"line {i}") for i in range(3)]
    with store.unit() as uow:
        result = logs.put_log_events(
            scope(uow), "airflow-env-Task", "dag/run/task/1.log", events, create_stream=True
        )
    assert result.rejected == {}
    with store.unit() as uow:
        s = scope(uow)
        group = logs_queries.require_group(s, "airflow-env-Task")
        stream = logs_queries.require_stream(s, group, "dag/run/task/1.log")
        page = read_stream(s, stream, Window(), 10, None, from_head=True)
    assert [e.message for e in page.events] == ["line 0", "line 1", "line 2"]
    assert stream.first_event == NOW_MS - 10 and stream.last_ingestion == NOW_MS


def test_without_create_stream_a_missing_stream_is_refused(store: Store) -> None:
    with store.unit() as uow:
        logs.create_log_group(scope(uow), "g")
    with pytest.raises(errors.AwsError) as info, store.unit() as uow:
        logs.put_log_events(scope(uow), "g", "absent", [logs.LogEvent(NOW_MS, "x")])
    assert info.value.code == "ResourceNotFoundException"
    with store.unit() as uow:
        assert logs_queries.streams(scope(uow), logs_queries.require_group(scope(uow), "g")) == []


def test_execution_role_trust_is_read_across_regions(store: Store) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    with store.unit() as uow:
        role = iam.create_role(
            scope(uow, "us-east-1"),
            iam.RoleSpec("mwaa-exec", json.dumps(trust), path="/service-role/"),
        )
    arn = f"arn:aws:iam::{ACCOUNT}:role/service-role/mwaa-exec"
    assert role.arn == arn
    with store.unit() as uow:
        found = iam_queries.role_by_arn(scope(uow, "ap-south-1"), arn)
        assert found is not None and iam_queries.trusts(found, "airflow-env.amazonaws.com")
        assert not iam_queries.trusts(found, "ec2.amazonaws.com")
        assert iam_queries.role_by_arn(scope(uow), f"arn:aws:iam::{ACCOUNT}:role/mwaa-exec") is None
