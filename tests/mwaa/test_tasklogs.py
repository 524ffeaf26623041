"""Reading task logs incrementally for CloudWatch Logs (files written like Airflow's)."""

from __future__ import annotations

from pathlib import Path

from privlink.mwaa.tasklogs import task_log_lines

STREAM = "dag_id=d/run_id=manual__1/task_id=t/attempt=1.log"


def test_lines_are_read_once_and_partial_lines_wait(tmp_path: Path) -> None:
    path = tmp_path / STREAM
    path.parent.mkdir(parents=True)
    path.write_text(
        '{"timestamp":"2025-01-02T03:04:05.500000","level":"info","event":"one"}\nplain two\nhal'
    )
    lines, offsets = task_log_lines(tmp_path, {})
    assert [(line.stream, line.message[-5:]) for line in lines] == [
        (STREAM, 'one"}'),
        (STREAM, "n two"),
    ]
    assert lines[0].timestamp == 1735787045500  # naive Airflow timestamps are UTC
    with open(path, "a") as f:
        f.write("f three\n")
    more, offsets = task_log_lines(tmp_path, offsets)
    assert [line.message for line in more] == ["half three"]
    assert task_log_lines(tmp_path, offsets)[0] == []


def test_new_files_appear_as_new_streams(tmp_path: Path) -> None:
    first = tmp_path / STREAM
    first.parent.mkdir(parents=True)
    first.write_text("a\n")
    _, offsets = task_log_lines(tmp_path, {})
    second = tmp_path / STREAM.replace("attempt=1", "attempt=2")
    second.write_text("b\n")
    lines, _ = task_log_lines(tmp_path, offsets)
    assert [(line.stream, line.message) for line in lines] == [
        (str(second.relative_to(tmp_path)), "b")
    ]
