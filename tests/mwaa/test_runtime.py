"""One real Airflow 3.0.6 environment (PostgreSQL, api-server, scheduler, dag-processor,
triggerer, the CLI fork server, the HTTPS front) on 127.0.0.1, shared by the module.

The tests run in file order on one worker (xdist group): the last one stops the
environment and checks that no process of it is left.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from privlink.mwaa import tokens
from privlink.mwaa.processes import descendants, group_members, starttime
from privlink.mwaa.rest import invoke_rest_api
from privlink.mwaa.runner import Environment
from privlink.mwaa.spec import EnvironmentSpec
from privlink.mwaa.tasklogs import task_log_lines
from tests.harness import wait_until
from tests.mwaa.environments import HELLO_DAG, Front, make_spec, start, state_root

pytestmark = [pytest.mark.mwaa, pytest.mark.xdist_group("mwaa")]
DAG_ID = "privlink_hello"


@pytest.fixture(scope="module")
def spec() -> Iterator[EnvironmentSpec]:
    with state_root() as root:
        spec = make_spec(root)
        env = start(spec)
        try:
            yield spec
        finally:
            env.stop()


@pytest.fixture(scope="module")
def front(spec: EnvironmentSpec) -> Front:
    return Front.of(spec)


def test_health_is_green_directly_and_through_the_front(
    spec: EnvironmentSpec, front: Front
) -> None:
    health = Environment.from_state_dir(spec.state_dir).health()
    assert health.healthy, health
    assert set(health.components) == {"metadatabase", "scheduler", "triggerer", "dag_processor"}
    answer = front.http.get("/api/v2/monitor/health")
    assert answer.status_code == 200
    assert answer.json()["scheduler"]["status"] == "healthy"


def test_unauthenticated_root_is_airflows_own_answer(front: Front) -> None:
    answer = front.http.get("/", follow_redirects=False)
    assert answer.status_code == 200  # Airflow 3.0.6 serves its UI shell on / (no redirect)
    assert "text/html" in answer.headers["content-type"]
    assert front.http.get("/api/v2/dags").status_code == 401  # the API wants a token


def test_dropped_dag_appears_in_cli_dags_list(spec: EnvironmentSpec, front: Front) -> None:
    (spec.dags_folder / f"{DAG_ID}.py").write_text(HELLO_DAG.format(dag_id=DAG_ID))
    wait_until(lambda: DAG_ID in front.cli("dags list")[0], 60, 1.0, "the DAG in `dags list`")


def test_triggered_run_succeeds_and_writes_a_task_log(spec: EnvironmentSpec, front: Front) -> None:
    wait_until(lambda: DAG_ID in front.cli("dags list")[0], 60, 1.0, "the DAG in `dags list`")
    out, _ = front.cli(f"dags trigger {DAG_ID}")
    assert DAG_ID in out and "manual__" in out
    wait_until(
        lambda: "success" in front.cli(f"dags list-runs {DAG_ID}")[0], 90, 1.0, "a successful run"
    )
    lines, offsets = task_log_lines(spec.layout.task_logs, {})
    mine = [line for line in lines if f"hello from {DAG_ID}" in line.message]
    assert mine, [line.message for line in lines]
    assert mine[0].stream.startswith(f"dag_id={DAG_ID}/run_id=manual__")
    assert mine[0].stream.endswith("task_id=say/attempt=1.log")
    assert abs(mine[0].timestamp / 1000 - time.time()) < 600
    again, _ = task_log_lines(spec.layout.task_logs, offsets)
    assert again == []  # nothing new since the offsets


def test_variables_set_then_get(front: Front) -> None:
    out, _ = front.cli("variables set greeting 'hello world'")
    assert "greeting" in out
    assert front.cli("variables get greeting")[0].strip() == "hello world"


def test_cli_refuses_missing_expired_forged_and_foreign_tokens(
    spec: EnvironmentSpec, front: Front
) -> None:
    now = time.time()
    secret = spec.secrets.token_secret
    answer = front.http.post("/aws_mwaa/cli", content="dags list")
    assert answer.status_code == 401
    refused = {
        "expired": front.cli_token(now - tokens.TOKEN_LIFETIME - 1),
        "forged": tokens.mint_cli_token("not-the-secret", spec.name, now),
        "other environment": tokens.mint_cli_token(secret, "OtherEnv", now),
        "web token": tokens.mint_web_token(secret, spec.name, "admin", now),
        "garbage": "abc",
    }
    for what, token in refused.items():
        answer = front.cli_raw("dags list", token)
        assert answer.status_code == 403, what
    assert front.cli_raw("dags list", front.cli_token(now - 5)).status_code == 200


def test_cli_refuses_commands_mwaa_does_not_run(front: Front) -> None:
    for command in ("db reset -y", "scheduler", "users list", ""):
        answer = front.cli_raw(command)
        assert answer.status_code == 400, command
    _, stderr = front.cli("dags bogus-subcommand")
    assert "invalid choice" in stderr  # Airflow's own usage error, as MWAA relays it


def test_rest_helper_lists_dags_and_reports_airflow_errors(spec: EnvironmentSpec) -> None:
    status, body = invoke_rest_api(spec, "GET", "/dags", {"limit": 10})
    assert status == 200
    assert DAG_ID in [dag["dag_id"] for dag in body["dags"]]
    status, body = invoke_rest_api(spec, "GET", "/dags/no_such_dag")
    assert status == 404 and "no_such_dag" in json.dumps(body)
    status, body = invoke_rest_api(
        spec, "POST", f"/dags/{DAG_ID}/dagRuns", body={"logical_date": None}
    )
    assert status == 200 and body["dag_id"] == DAG_ID and body["state"] == "queued"


def test_web_login_token_opens_an_airflow_session(spec: EnvironmentSpec, front: Front) -> None:
    page = front.http.get("/aws_mwaa/aws-console-sso", params={"login": "true"})
    assert page.status_code == 200 and "window.location.hash" in page.text
    token = tokens.mint_web_token(spec.secrets.token_secret, spec.name, "alice", time.time())
    answer = front.http.post(
        "/aws_mwaa/aws-console-sso?login=true", data={"token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    session = answer.cookies["_token"]
    dags = front.http.get("/api/v2/dags", headers={"Authorization": f"Bearer {session}"})
    assert dags.status_code == 200 and DAG_ID in dags.text
    stale = tokens.mint_web_token(spec.secrets.token_secret, spec.name, "bob", time.time() - 61)
    refused = front.http.post("/aws_mwaa/aws-console-sso", data={"token": stale})
    assert refused.status_code == 403 and "_token" not in refused.cookies


def test_snapshot_then_restore_puts_the_metadata_back(spec: EnvironmentSpec, front: Front) -> None:
    """An update's snapshot is taken while Airflow runs; a rollback restores it: what was
    written after the snapshot is gone, what was before it is there."""
    front.cli("variables set before_snapshot kept")
    env = Environment.from_state_dir(spec.state_dir)
    snapshot = spec.layout.snapshots / "update-1.dump"
    env.snapshot(snapshot)
    assert snapshot.stat().st_size > 0
    front.cli("variables set after_snapshot lost")
    env.restore(snapshot)
    assert set(env.running()) == {"postgres"}  # Airflow stopped while the database went back
    env.start()
    env.wait_healthy(120)
    wait_until(lambda: _answers(front), 60, 0.5, "the CLI after the restore")
    assert "kept" in front.cli("variables get before_snapshot")[0]
    assert "lost" not in front.cli("variables get after_snapshot")[0]


def test_restart_adopts_live_processes_and_replaces_dead_ones(
    spec: EnvironmentSpec, front: Front
) -> None:
    before = Environment.from_state_dir(spec.state_dir).running()
    assert set(before) == set(spec.components)
    os.killpg(before["forkserver"], signal.SIGKILL)  # a component crashes meanwhile
    wait_until(lambda: not group_members(before["forkserver"]), 10, 0.1, "the kill")
    again = Environment.from_state_dir(spec.state_dir)  # privlink restarted: state dir only
    again.start()
    after = again.running()
    assert {c: p for c, p in after.items() if c != "forkserver"} == {
        c: p for c, p in before.items() if c != "forkserver"
    }
    assert after["forkserver"] != before["forkserver"]
    wait_until(lambda: _answers(front), 60, 0.5, "the replaced CLI fork server")


def _answers(front: Front) -> bool:
    return front.cli_raw("version").status_code == 200


def test_stop_leaves_no_process_behind(spec: EnvironmentSpec) -> None:
    env = Environment.from_state_dir(spec.state_dir)
    leaders = list(env.running().values())
    assert len(leaders) == len(spec.components)
    processes = [pid for leader in leaders for pid in descendants(leader)]
    assert len(processes) > len(leaders)  # PostgreSQL's backends, triggerer's runner ...

    def all_found() -> bool:
        """What a restart finds without pidfiles (leftovers) holds every live process of
        the environment. Asked afresh a few times: a helper the components start and end
        within a moment (CI once saw one) may fall between the two listings."""
        live = {p for leader in leaders for p in descendants(leader) if starttime(p) is not None}
        return live <= set(env.leftovers())

    wait_until(all_found, 5, 0.5, "every process of the environment among its leftovers")
    processes = [pid for leader in leaders for pid in descendants(leader)]
    env.stop()
    assert env.running() == {}
    assert [pid for pid in processes if starttime(pid) is not None] == []
    assert env.leftovers() == []
    assert not Path(spec.layout.run_dir / "scheduler.pid").exists()
