"""Real Amazon MWAA environments: Apache Airflow 3.0.6 and PostgreSQL behind the endpoints
MWAA makes, driven only through the AWS APIs, the AWS CLI, dig and curl.

One environment ("Seed", PRIVATE_ONLY) is shared by the module (about 20 s to AVAILABLE
here, 60-90 s for the module); a second, cheap one ("Blocked") has a security group without
the self-referencing rule and must fail with INCORRECT_CONFIGURATION within seconds. The
seed document's commands (../shared/seeds/000_*.txt) run as written.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_mwaa import Prerequisites, prerequisites
from tests.dataplane.vpc_browser import VpcBrowser
from tests.dataplane.world import run_in, wait_for
from tests.harness import Server, free_port

pytestmark = pytest.mark.dataplane

ACCOUNT = "246813579024"
DAG_ID = "privlink_seed"
DAG = """\
import pendulum
from airflow.decorators import dag, task


@dag(dag_id="privlink_seed", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
     catchup=False, is_paused_upon_creation=False)
def seed():
    @task
    def say():
        print("hello from the seed DAG")

    say()


seed()
"""


class World:
    def __init__(self, server: Server, dns_port: int, prereq: Prerequisites) -> None:
        self.server = server
        self.dns_port = dns_port
        self.prereq = prereq
        self.mwaa = server.client("mwaa", ACCOUNT)
        self.ec2 = server.client("ec2", ACCOUNT)
        self.ca = str(server.state_dir / "tls" / "ca.pem")
        self.client_instance = ""
        self.seconds_to_available = 0.0

    def environment(self, name: str = "Seed") -> dict[str, Any]:
        return self.mwaa.get_environment(Name=name)["Environment"]  # type: ignore[no-any-return]

    def shell(self, command: str) -> subprocess.CompletedProcess[str]:
        """A command line as a user types it, with the CLI pointed at privlink."""
        return subprocess.run(
            ["bash", "-c", command], env=self.server.cli_env(ACCOUNT), capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip

    def inside(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return run_in(self.client_instance, *argv, timeout=60)

    def cli(self, command: str, name: str = "Seed") -> tuple[str, str]:
        """An Airflow CLI command through a CLI token and POST /aws_mwaa/cli, from inside
        the VPC (curl on an instance)."""
        token = self.mwaa.create_cli_token(Name=name)
        done = self.inside(
            "curl", "-sS", "--cacert", self.ca, "-X", "POST",
            "-H", f"Authorization: Bearer {token['CliToken']}",
            "-H", "Content-Type: text/plain", "--data-raw", command,
            f"https://{token['WebServerHostname']}/aws_mwaa/cli",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        body = json.loads(done.stdout)
        return base64.b64decode(body["stdout"]).decode(), base64.b64decode(body["stderr"]).decode()


def wait_status(world: World, name: str, timeout: float) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        env = world.environment(name)
        return None if env["Status"] in ("CREATING", "PENDING") else env

    return wait_for(settled, timeout, f"{name} to leave CREATING")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    # As root, each environment's PostgreSQL runs as `postgres`: the state dir must be
    # traversable by others.
    state = Path(tempfile.mkdtemp(prefix="privlink-mwaa-", dir="/tmp"))
    state.chmod(0o711)
    dns_port = free_port()
    server = Server(state, extra_args=["--dataplane", "linux", "--dns-port", str(dns_port)])
    server.start(timeout=60)
    try:
        prereq = prerequisites(server, ACCOUNT)
        world = World(server, dns_port, prereq)
        started = time.monotonic()
        world.mwaa.create_environment(**prereq.create_args("Seed"))
        env = wait_status(world, "Seed", 240)
        world.seconds_to_available = time.monotonic() - started
        assert env["Status"] == "AVAILABLE", env.get("LastUpdate")
        world.client_instance = world.ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=prereq.subnets[0],
            SecurityGroupIds=[prereq.group],
        )["Instances"][0]["InstanceId"]  # fmt: skip
        wait_for(lambda: world.inside("true").returncode == 0, 30, "the client instance")
        yield world
    finally:
        server.stop(timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def test_available_with_the_endpoints_mwaa_made(world: World) -> None:
    print(f"Seed: CREATING -> AVAILABLE in {world.seconds_to_available:.1f}s")
    env = world.environment()
    assert env["LastUpdate"]["Status"] == "SUCCESS"
    endpoints = world.ec2.describe_vpc_endpoints(
        Filters=[{"Name": "tag-key", "Values": ["AmazonMWAAManaged"]}]
    )["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == sorted(
        [env["WebserverVpcEndpointService"], env["DatabaseVpcEndpointService"]]
    )
    assert all(e["State"] == "available" and len(e["NetworkInterfaceIds"]) == 2 for e in endpoints)


def test_the_seed_commands_as_written(world: World) -> None:
    got = world.shell("aws mwaa get-environment --name Seed --query 'Environment.WebserverUrl'")
    assert got.returncode == 0, got.stderr
    host = json.loads(got.stdout)
    assert host == world.environment()["WebserverUrl"] and "-vpce.c" in host
    dig = f"dig @127.0.0.1 -p {world.dns_port}"
    cname = world.shell(f"{dig} CNAME +short {host}").stdout.strip()
    assert cname.startswith("vpce-") and cname.endswith(".us-east-1.vpce.amazonaws.com.")
    found = world.shell(f"aws ec2 describe-vpc-endpoints | grep {cname}")
    assert f'"DnsName": "{cname.rstrip(".")}"' in found.stdout
    addresses = world.shell(f"{dig} +short {host} {cname}").stdout.split()
    service = world.environment()["WebserverVpcEndpointService"]
    endpoints = world.ec2.describe_vpc_endpoints()["VpcEndpoints"]
    web = next(e for e in endpoints if e["ServiceName"] == service)
    enis = world.ec2.describe_network_interfaces(NetworkInterfaceIds=web["NetworkInterfaceIds"])
    ips = sorted(i["PrivateIpAddress"] for i in enis["NetworkInterfaces"])
    assert sorted(a for a in addresses if not a.endswith(".")) == sorted(ips * 2)
    # The same chain inside the VPC, from its own resolver.
    assert world.inside("dig", "CNAME", "+short", host).stdout.strip() == cname
    assert sorted(world.inside("dig", "+short", cname).stdout.split()) == ips


def test_web_server_over_https_from_inside_the_vpc(world: World) -> None:
    host = world.environment()["WebserverUrl"]
    root = world.inside("curl", "-sS", "--cacert", world.ca, "-o", "/dev/null",
                        "-w", "%{http_code}", f"https://{host}/")  # fmt: skip
    assert root.stdout == "200", root.stderr
    health = world.inside("curl", "-sS", "--cacert", world.ca,
                          f"https://{host}/api/v2/monitor/health")  # fmt: skip
    report = json.loads(health.stdout)
    assert {k: v["status"] for k, v in report.items()} == {
        "metadatabase": "healthy",
        "scheduler": "healthy",
        "triggerer": "healthy",
        "dag_processor": "healthy",
    }


def test_cli_token_runs_airflow_commands(world: World) -> None:
    out, _ = world.cli("version")
    assert out.strip().startswith("3.0.6")
    world.cli("variables set privlink_key privlink_value")
    assert "privlink_value" in world.cli("variables get privlink_key")[0]


def test_invoke_rest_api(world: World) -> None:
    answer = world.mwaa.invoke_rest_api(Name="Seed", Path="/dags", Method="GET")
    assert answer["RestApiStatusCode"] == 200 and "dags" in answer["RestApiResponse"]
    with pytest.raises(ClientError) as info:
        world.mwaa.invoke_rest_api(Name="Seed", Path="/dags/nope", Method="GET")
    error = info.value.response
    assert error["Error"]["Code"] == "RestApiClientException"
    assert error["RestApiStatusCode"] == 404


def test_uploaded_dag_runs_and_its_task_log_reaches_cloudwatch(
    world: World, tmp_path: Path
) -> None:
    dag = tmp_path / "seed_dag.py"
    dag.write_text(DAG)
    copied = world.shell(f"aws s3 cp {dag} s3://{world.prereq.bucket}/dags/seed_dag.py")
    assert copied.returncode == 0, copied.stderr
    wait_for(lambda: DAG_ID in world.cli("dags list")[0], 90, "the DAG in `dags list`")
    out, _ = world.cli(f"dags trigger {DAG_ID}")
    assert DAG_ID in out

    def succeeded() -> bool:
        runs = world.mwaa.invoke_rest_api(Name="Seed", Path=f"/dags/{DAG_ID}/dagRuns", Method="GET")
        states = [r["state"] for r in runs["RestApiResponse"]["dag_runs"]]
        assert "failed" not in states, runs
        return "success" in states

    wait_for(succeeded, 120, "a successful run")
    logs = world.server.client("logs", ACCOUNT)

    def logged() -> bool:
        found = logs.filter_log_events(logGroupName="airflow-Seed-Task")["events"]
        return any("hello from the seed DAG" in e["message"] for e in found)

    wait_for(logged, 30, "the task log in airflow-Seed-Task")


def test_web_login_token_logs_a_browser_into_the_airflow_ui(world: World, tmp_path: Path) -> None:
    """The user guide's console-SSO URL in headless Chromium on an instance of the VPC (its
    resolver, the web server endpoint, privlink's CA in the browser's NSS database) lands
    in Airflow's UI signed in: the DAG list shows the seed DAG and the user menu."""
    token = world.mwaa.create_web_login_token(Name="Seed")
    assert token["AirflowIdentity"] and token["IamIdentity"]
    host = token["WebServerHostname"]
    browser = VpcBrowser(world.client_instance, Path(world.ca))
    try:
        browser.goto(f"https://{host}/aws_mwaa/aws-console-sso?login=true#{token['WebToken']}")
        browser.wait_for("location.pathname === '/' && localStorage.getItem('token') !== null")
        browser.goto(f"https://{host}/dags")
        text = browser.wait_for(
            f"document.body.innerText.includes('{DAG_ID}') && document.body.innerText", 60
        )
        assert "User" in text and "Dags" in text
        assert browser.evaluate("location.href") == f"https://{host}/dags"  # not a login page
        shot = browser.screenshot(tmp_path / "airflow-dags.png")
        print(f"screenshot: {shot}")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
        # A token used after its 60 s, or forged, opens nothing.
        browser.goto(f"https://{host}/aws_mwaa/aws-console-sso?login=true#forged.token")
        refused = "document.body && document.body.innerText.startsWith('Forbidden')"
        assert browser.wait_for(refused)
    finally:
        browser.close()


def test_a_group_without_the_self_referencing_rule_fails_the_environment(world: World) -> None:
    ec2 = world.ec2
    blocking = ec2.create_security_group(
        GroupName="no-self-rule", Description="egress only", VpcId=world.prereq.vpc
    )["GroupId"]
    args = world.prereq.create_args("Blocked")
    args["NetworkConfiguration"] = {
        "SubnetIds": world.prereq.subnets,
        "SecurityGroupIds": [blocking],
    }
    started = time.monotonic()
    world.mwaa.create_environment(**args)
    env = wait_status(world, "Blocked", 120)
    print(f"Blocked: CREATING -> {env['Status']} in {time.monotonic() - started:.1f}s")
    assert env["Status"] == "CREATE_FAILED"
    assert env["LastUpdate"]["Error"] == {
        "ErrorCode": "INCORRECT_CONFIGURATION",
        "ErrorMessage": (
            "You may need to check the execution role permissions policy for your environment, "
            "and that each of the VPC networking components required by the environment are "
            "configured to allow traffic. Troubleshooting: "
            "https://docs.aws.amazon.com/mwaa/latest/userguide/troubleshooting.html"
        ),
    }
    world.mwaa.delete_environment(Name="Blocked")

    def gone() -> bool:
        try:
            world.environment("Blocked")
        except ClientError:
            return True
        return False

    wait_for(gone, 60, "Blocked to be deleted")
    ec2.delete_security_group(GroupId=blocking)  # nothing of the environment holds it


def test_environment_survives_sigkill_of_privlink(world: World) -> None:
    """The runtime's processes outlive privlink; the next privlink adopts them, and the
    metadata (the variable set earlier) is intact."""
    world.server.stop(sig=signal.SIGKILL)
    world.server.start(timeout=60)
    env = world.environment()
    assert env["Status"] == "AVAILABLE"
    # The restarted data plane's first pass re-renders the VPC resolver: wait for the name.
    host = env["WebserverUrl"]
    wait_for(lambda: world.inside("getent", "hosts", host).returncode == 0, 30, "the name")
    assert "privlink_value" in world.cli("variables get privlink_key")[0]
    answer = world.mwaa.invoke_rest_api(Name="Seed", Path="/dags", Method="GET")
    assert answer["RestApiStatusCode"] == 200
