"""`privlink az`: a zonal outage on demand, driven through the CLI against a live server.

Each test runs its own server: a failed zone is host-wide, and the session's shared
server must keep every zone available for the other tests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from tests.harness import VENV_BIN, Server


def az(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = server.cli_env()
    env["PRIVLINK_URL"] = server.url
    return subprocess.run(
        [str(VENV_BIN / "privlink"), "az", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def zone_states(server: Server, region: str = "us-east-1") -> dict[str, str]:
    zones = server.client("ec2", region=region).describe_availability_zones()
    return {z["ZoneName"]: z["State"] for z in zones["AvailabilityZones"]}


def test_fail_and_restore_show_in_the_cli_and_describe_availability_zones(
    fresh_server: Callable[..., Server],
) -> None:
    server = fresh_server()
    listed = az(server)
    assert listed.returncode == 0, listed.stderr
    assert "us-east-1a" in listed.stdout and "impaired" not in listed.stdout
    assert "eu-west-1a" not in listed.stdout  # the environment's region only

    failed = az(server, "fail", "us-east-1a")
    assert failed.returncode == 0, failed.stderr
    assert failed.stdout.split() == ["us-east-1a", "(use1-az6)", "impaired"]
    states = zone_states(server)
    assert states["us-east-1a"] == "impaired"
    assert {s for name, s in states.items() if name != "us-east-1a"} == {"available"}
    ec2 = server.client("ec2")
    impaired = ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["impaired"]}])
    assert [z["ZoneName"] for z in impaired["AvailabilityZones"]] == ["us-east-1a"]
    row = next(line for line in az(server).stdout.splitlines() if line.startswith("us-east-1a"))
    assert row.split()[:3] == ["us-east-1a", "use1-az6", "impaired"] and "since" in row

    again = az(server, "fail", "use1-az6")  # by zone ID; failing a failed zone is a no-op
    assert again.returncode == 0, again.stderr
    assert row == next(
        line for line in az(server).stdout.splitlines() if line.startswith("us-east-1a")
    )

    restored = az(server, "restore", "us-east-1a")
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.split() == ["us-east-1a", "(use1-az6)", "available"]
    assert set(zone_states(server).values()) == {"available"}


def test_an_unknown_zone_is_a_usage_error(fresh_server: Callable[..., Server]) -> None:
    server = fresh_server()
    for command in ("fail", "restore"):
        result = az(server, command, "us-east-1z")
        assert result.returncode == 2
        assert result.stderr.strip() == "privlink: Invalid availability zone: [us-east-1z]"
    assert set(zone_states(server).values()) == {"available"}
    missing = az(server, "fail")  # no zone at all: argparse's usage error
    assert missing.returncode == 2 and "zone" in missing.stderr


def test_a_failed_zone_survives_a_restart(fresh_server: Callable[..., Server]) -> None:
    server = fresh_server()
    assert az(server, "fail", "eu-west-1b").returncode == 0
    server.stop()
    server.start()
    assert zone_states(server, "eu-west-1") == {
        "eu-west-1a": "available",
        "eu-west-1b": "impaired",
        "eu-west-1c": "available",
    }
    listed = az(server, "--region", "eu-west-1")
    assert "impaired" in next(line for line in listed.stdout.splitlines() if "eu-west-1b" in line)
