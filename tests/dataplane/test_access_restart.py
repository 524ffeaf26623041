"""Access paths survive privlink's crash and leave nothing behind on shutdown.

A bastion (sshd in its namespace) and an internet-facing ALB (HAProxy in its namespace)
serve privlink's internet; privlink is killed with SIGKILL and started again on the same
state dir: both still answer, each still runs exactly one daemon (adopted or replaced, never
doubled); Ctrl-C then stops every daemon privlink started.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.dataplane.test_internet_facing_lb import fetched
from tests.dataplane.test_vpc_paths_api import WEB, main_table
from tests.dataplane.world import network, on_internet, open_group, wait_for
from tests.harness import Server

pytestmark = pytest.mark.dataplane

ACCOUNT = "646464646464"


def daemons(state_dir: Path) -> dict[str, list[int]]:
    """PIDs of the sshd and HAProxy processes started for this state dir (by command line)."""
    found: dict[str, list[int]] = {"sshd": [], "haproxy": []}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        line = b" ".join(argv).decode(errors="replace")
        if str(state_dir) not in line:
            continue
        # sshd rewrites its title ("sshd: /usr/sbin/sshd -D -f ... [listener]").
        first = argv[0].decode(errors="replace").split(" ")[0].rstrip(":")
        if Path(first).name in found:
            found[Path(first).name].append(int(proc.name))
    return found


def ssh_works(key: Path, host: str) -> bool:
    done = on_internet(
        "ssh", "-i", str(key), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=3", f"ec2-user@{host}", "true",
    )  # fmt: skip
    return done.returncode == 0


def build(server: Server, tmp_path: Path) -> tuple[Path, str, str]:
    """A public VPC with a bastion and an internet-facing ALB to a web instance."""
    ec2, elb = server.client("ec2", ACCOUNT), server.client("elbv2", ACCOUNT)
    vpc, subnets = network(ec2, "10.90.0.0/16")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=main_table(ec2, vpc), DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)  # fmt: skip
    key = tmp_path / "key.pem"
    key.write_text(ec2.create_key_pair(KeyName="bastion")["KeyMaterial"])
    key.chmod(0o600)
    bastion = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, KeyName="bastion",
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnets[0],
                            "AssociatePublicIpAddress": True,
                            "Groups": [open_group(ec2, vpc, "ssh", (22, 22), "0.0.0.0/0")]}],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    web = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnets[0], UserData=WEB,
        SecurityGroupIds=[open_group(ec2, vpc, "web", (8080, 8080), "10.90.0.0/16")],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    alb = elb.create_load_balancer(
        Name="front", Type="application", Scheme="internet-facing", Subnets=subnets,
        SecurityGroups=[open_group(ec2, vpc, "alb", (80, 80), "0.0.0.0/0")],
    )["LoadBalancers"][0]  # fmt: skip
    tg = elb.create_target_group(
        Name="web", Protocol="HTTP", Port=8080, VpcId=vpc, HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": web}])
    elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])  # fmt: skip
    host = wait_for(
        lambda: ec2.describe_instances(InstanceIds=[bastion])["Reservations"][0]["Instances"][0]
        .get("PublicDnsName"), 20, "the bastion's public name",
    )  # fmt: skip
    return key, str(host), f"http://{alb['DNSName']}/"


def test_bastion_and_alb_survive_sigkill_and_stop_on_ctrl_c(
    fresh_server: Any, tmp_path: Path
) -> None:
    server: Server = fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])
    key, host, url = build(server, tmp_path)
    wait_for(lambda: ssh_works(key, host), 30, "ssh to the bastion from the internet")
    wait_for(lambda: fetched(url), 60, "the ALB from the internet")
    before = daemons(server.state_dir)
    assert [len(before["sshd"]) >= 1, len(before["haproxy"]) >= 1] == [True, True], before

    server.stop(signal.SIGKILL)
    server.start()
    wait_for(lambda: ssh_works(key, host), 30, "ssh to the bastion after the restart")
    wait_for(lambda: fetched(url), 60, "the ALB after the restart")
    after = daemons(server.state_dir)
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}

    server.stop(signal.SIGINT)
    assert daemons(server.state_dir) == {"sshd": [], "haproxy": []}
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "plk" not in left
