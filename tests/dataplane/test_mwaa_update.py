"""UpdateEnvironment on a real environment (Airflow 2.10.3 to start with), driven only
through the AWS APIs and an instance in the VPC.

In file order, on one environment: the version path MWAA allows; an upgrade to 2.11.0
with new Airflow configuration options through CREATING_SNAPSHOT -> UPDATING ->
AVAILABLE keeping the metadata; an upgrade to a version that is not installed (the
runtime cannot start it) through ROLLING_BACK -> UPDATE_FAILED, still usable; new
security groups re-applied to the endpoints and the components' ENIs with a new DAG
path; the access mode removing and adding the web server endpoint; a group that blocks
the database rolling back with INCORRECT_CONFIGURATION.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_mwaa import prerequisites
from tests.dataplane.test_mwaa import ACCOUNT, World
from tests.dataplane.world import wait_for
from tests.harness import VENV_BIN, Server, free_port, wait_until

pytestmark = pytest.mark.dataplane
NAME = "Upgrade"
MANAGED = [{"Name": "tag-key", "Values": ["AmazonMWAAManaged"]}]


def settle(world: World, timeout: float = 240) -> tuple[dict[str, Any], list[str]]:
    """Poll until the update ends; (the environment, every status seen on the way)."""
    seen: list[str] = []

    def done() -> dict[str, Any] | None:
        env = world.environment(NAME)
        if not seen or seen[-1] != env["Status"]:
            seen.append(env["Status"])
        return env if env["Status"] in ("AVAILABLE", "UPDATE_FAILED", "UNAVAILABLE") else None

    env = wait_until(done, timeout, 0.1, "the update to end")
    return env, seen


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as info:
        call()
    assert info.value.response["Error"]["Code"] == "ValidationException"
    return str(info.value.response["Error"]["Message"])


def managed_endpoints(world: World) -> list[dict[str, Any]]:
    found = world.ec2.describe_vpc_endpoints(Filters=MANAGED)["VpcEndpoints"]
    return [e for e in found if e["State"] not in ("deleting", "deleted")]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    state = Path(tempfile.mkdtemp(prefix="privlink-mwaa-update-", dir="/tmp"))
    state.chmod(0o711)
    dns_port = free_port()
    server = Server(state, extra_args=["--dataplane", "linux", "--dns-port", str(dns_port)])
    server.start(timeout=60)
    try:
        prereq = prerequisites(server, ACCOUNT, cidr="10.40.0.0/16")
        world = World(server, dns_port, prereq)
        world.mwaa.create_environment(**prereq.create_args(NAME, AirflowVersion="2.10.3"))
        env, _ = settle(world)
        assert env["Status"] == "AVAILABLE", env.get("LastUpdate")
        world.client_instance = world.ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=prereq.subnets[0],
            SecurityGroupIds=[prereq.group],
        )["Instances"][0]["InstanceId"]  # fmt: skip
        wait_for(lambda: world.inside("true").returncode == 0, 30, "the client instance")
        host = env["WebserverUrl"]  # the instance's resolver knows the web server's name
        wait_for(lambda: world.inside("dig", "+short", host).stdout.strip(), 30, "resolution")
        yield world
    finally:
        server.stop(timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def test_version_path_mwaa_allows(world: World) -> None:
    message = refused(lambda: world.mwaa.update_environment(Name=NAME, AirflowVersion="3.0.6"))
    assert message == (
        "Invalid request provided: Updating an environment from Apache Airflow 2.10.3 to 3.0.6 "
        "is not supported. To change the major version, update to Apache Airflow 2.11.x first."
    )
    message = refused(lambda: world.mwaa.update_environment(Name=NAME, AirflowVersion="2.6.3"))
    assert "Airflow version 2.6.3 is not supported" in message
    assert world.environment(NAME)["Status"] == "AVAILABLE"


def test_upgrade_snapshots_then_updates_and_keeps_the_metadata(world: World) -> None:
    world.cli("variables set before_upgrade kept", NAME)
    started = time.monotonic()
    world.mwaa.update_environment(
        Name=NAME, AirflowVersion="2.11.0",
        AirflowConfigurationOptions={"core.default_task_retries": "3"},
    )  # fmt: skip
    assert world.environment(NAME)["Status"] == "CREATING_SNAPSHOT"
    busy = refused(lambda: world.mwaa.update_environment(Name=NAME, MaxWorkers=2))
    assert busy.startswith(f"Invalid request provided: Environment {NAME} is in status ")
    env, seen = settle(world)
    print(f"upgrade 2.10.3 -> 2.11.0: {seen} in {time.monotonic() - started:.1f}s")
    assert env["Status"] == "AVAILABLE" and "UPDATING" in seen
    assert env["AirflowVersion"] == "2.11.0" and env["LastUpdate"]["Status"] == "SUCCESS"
    assert env["AirflowConfigurationOptions"] == {"core.default_task_retries": "3"}
    assert world.cli("version", NAME)[0].strip().startswith("2.11.0")
    assert world.cli("config get-value core default_task_retries", NAME)[0].strip() == "3"
    assert "kept" in world.cli("variables get before_upgrade", NAME)[0]


def test_upgrade_to_a_version_not_installed_rolls_back(world: World) -> None:
    """2.10.1 is a version MWAA offers (a minor downgrade is allowed) that this machine
    has not installed: Airflow cannot start, so the update rolls back to 2.11.0."""
    started = time.monotonic()
    world.mwaa.update_environment(Name=NAME, AirflowVersion="2.10.1")
    env, seen = settle(world)
    print(f"2.11.0 -> 2.10.1: {seen} in {time.monotonic() - started:.1f}s")
    assert env["Status"] == "UPDATE_FAILED" and "ROLLING_BACK" in seen
    assert env["AirflowVersion"] == "2.11.0"
    assert env["LastUpdate"]["Status"] == "FAILED"
    assert "Airflow 2.10.1 is not installed" in env["LastUpdate"]["Error"]["ErrorMessage"]
    assert world.cli("version", NAME)[0].strip().startswith("2.11.0")  # still usable
    assert "kept" in world.cli("variables get before_upgrade", NAME)[0]


def test_security_groups_and_dag_path(world: World, tmp_path: Path) -> None:
    ec2, prereq = world.ec2, world.prereq
    group = ec2.create_security_group(GroupName="mwaa-2", Description="mwaa 2", VpcId=prereq.vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "UserIdGroupPairs": [{"GroupId": prereq.group}]},
    ])  # fmt: skip
    dag = tmp_path / "moved.py"
    dag.write_text(DAG.format(dag_id="privlink_moved"))
    world.shell(f"aws s3 cp {dag} s3://{prereq.bucket}/dags2/moved.py").check_returncode()
    world.mwaa.update_environment(
        Name=NAME, NetworkConfiguration={"SecurityGroupIds": [group]}, DagS3Path="dags2"
    )
    env, seen = settle(world)
    assert env["Status"] == "AVAILABLE", (seen, env.get("LastUpdate"))
    assert env["NetworkConfiguration"]["SecurityGroupIds"] == [group]
    endpoints = managed_endpoints(world)
    assert len(endpoints) == 2
    assert all([g["GroupId"] for g in e["Groups"]] == [group] for e in endpoints)
    enis = [
        e
        for e in ec2.describe_network_interfaces()["NetworkInterfaces"]
        if e.get("Description", "").startswith(f"AWS-MWAA {NAME} ")
    ]
    assert len(enis) == 3 and all([g["GroupId"] for g in e["Groups"]] == [group] for e in enis)
    wait_for(lambda: "privlink_moved" in world.cli("dags list", NAME)[0], 90, "the moved DAG")


def test_access_mode_removes_and_adds_the_web_server_endpoint(world: World) -> None:
    private = world.environment(NAME)
    world.mwaa.update_environment(Name=NAME, WebserverAccessMode="PUBLIC_ONLY")
    env, _ = settle(world)
    assert env["Status"] == "AVAILABLE" and env["WebserverAccessMode"] == "PUBLIC_ONLY"
    assert "-vpce." not in env["WebserverUrl"] and "WebserverVpcEndpointService" not in env
    assert [e["ServiceName"] for e in managed_endpoints(world)] == [
        private["DatabaseVpcEndpointService"]
    ]
    # Served on privlink's internet under the public host name (privlink exec --internet).
    public = subprocess.run(
        [str(VENV_BIN / "privlink"), "exec", "--internet", "--", "curl", "-sS", "--cacert",
         world.ca, "-o", "/dev/null", "-w", "%{http_code}", f"https://{env['WebserverUrl']}/health"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert public.stdout == "200", public.stderr
    world.mwaa.update_environment(Name=NAME, WebserverAccessMode="PRIVATE_ONLY")
    env, _ = settle(world)
    assert env["Status"] == "AVAILABLE" and env["WebserverUrl"] == private["WebserverUrl"]
    assert sorted(e["ServiceName"] for e in managed_endpoints(world)) == sorted(
        [private["DatabaseVpcEndpointService"], private["WebserverVpcEndpointService"]]
    )
    host = env["WebserverUrl"]  # the VPC's resolver learns the new endpoint's name
    wait_for(lambda: world.inside("dig", "+short", host).stdout.strip(), 30, "resolution")
    url = f"https://{host}/health"
    health = world.inside("curl", "-sS", "--cacert", world.ca, "-o", "/dev/null",
                          "-w", "%{http_code}", url)  # fmt: skip
    assert health.stdout == "200", health.stderr


def test_a_group_that_blocks_the_database_rolls_back(world: World) -> None:
    ec2 = world.ec2
    current = world.environment(NAME)["NetworkConfiguration"]["SecurityGroupIds"]
    blocking = ec2.create_security_group(
        GroupName="no-self-rule-2", Description="egress only", VpcId=world.prereq.vpc
    )["GroupId"]
    world.mwaa.update_environment(Name=NAME, NetworkConfiguration={"SecurityGroupIds": [blocking]})
    env, seen = settle(world)
    assert env["Status"] == "UPDATE_FAILED" and "ROLLING_BACK" in seen, seen
    assert env["LastUpdate"]["Error"]["ErrorCode"] == "INCORRECT_CONFIGURATION"
    assert env["NetworkConfiguration"]["SecurityGroupIds"] == current
    assert all([g["GroupId"] for g in e["Groups"]] == current for e in managed_endpoints(world))
    assert world.cli("version", NAME)[0].strip().startswith("2.11.0")


DAG = """\
import pendulum
from airflow.decorators import dag, task


@dag(dag_id="{dag_id}", schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False)
def moved():
    @task
    def say():
        print("moved")

    say()


moved()
"""
