"""A Linux bastion, end to end (the MWAA seed's "Linux bastion host" path).

An instance launched with a key pair runs sshd in its namespace: ec2-user gets in with
that key, nobody else. The private web server is an interface endpoint to an AWS service
privlink serves (STS, private DNS on) whose security group admits only the bastion's group.
Until privlink's internet is reachable from a test, the "user's computer" is another
instance in the VPC: it opens the tutorial's tunnels to the bastion's private address and
curls the private name through them; straight from that instance the endpoint's group
refuses it. Revoking the rule that names the bastion's group cuts the path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dataplane.test_aws_service_endpoints import endpoint_to, network, wait_available
from tests.dataplane.world import on_internet, run_in, wait_for
from tests.harness import VENV_BIN, Server

pytestmark = pytest.mark.dataplane

ACCOUNT = "555555555555"
PRIVATE_NAME = "sts.us-east-1.amazonaws.com"
SSH = (
    "ssh",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=5",
    "-o",
    "ExitOnForwardFailure=yes",
)


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])


def tunnel(instance: str, *args: str) -> subprocess.Popen[bytes]:
    """ssh from `instance`, in the background (its own process group, stopped by the test)."""
    return subprocess.Popen(
        [str(VENV_BIN / "privlink"), "exec", instance, "--", *SSH, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=10)


def curl(instance: str, ca: Path, *args: str) -> str:
    """The HTTP status curl got ("000": no answer)."""
    done = run_in(
        instance,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "5",
        "--cacert",
        str(ca),
        *args,
        timeout=20,
    )
    return done.stdout.strip() or "000"


@pytest.fixture
def tunnels() -> Iterator[list[subprocess.Popen[bytes]]]:
    opened: list[subprocess.Popen[bytes]] = []
    yield opened
    for proc in opened:
        stop(proc)


def test_bastion_tunnels_reach_the_private_web_server(
    linux_server: Server, tmp_path: Path, tunnels: list[subprocess.Popen[bytes]]
) -> None:
    server = linux_server
    ca = server.state_dir / "tls" / "ca.pem"
    ec2 = server.client("ec2", ACCOUNT)
    vpc, subnets = network(ec2, "10.30.0.0/16", azs="ab")
    key = tmp_path / "key.pem"
    key.write_text(ec2.create_key_pair(KeyName="bastion")["KeyMaterial"])
    key.chmod(0o600)
    bastion_group = ec2.create_security_group(GroupName="bastion", Description="ssh", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=bastion_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "10.30.0.0/16"}],
            }
        ],
    )
    web_group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    from_bastion = {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": bastion_group}]}
    ec2.authorize_security_group_ingress(GroupId=web_group, IpPermissions=[from_bastion])
    endpoint = endpoint_to(ec2, vpc, subnets, web_group, "sts")
    bastion = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        KeyName="bastion",
        SubnetId=subnets[0],
        SecurityGroupIds=[bastion_group],
    )["Instances"][0]
    laptop = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnets[1])[
        "Instances"
    ][0]["InstanceId"]
    wait_available(ec2, [endpoint])
    target = f"ec2-user@{bastion['PrivateIpAddress']}"
    identity = ("-i", str(key))

    started = time.monotonic()
    wait_for(
        lambda: run_in(laptop, *SSH, *identity, target, "true").returncode == 0,
        30,
        "sshd on the bastion",
    )
    first_login = time.monotonic() - started
    who = run_in(laptop, *SSH, *identity, target, "id -u; hostname -I")
    assert who.returncode == 0, who.stderr
    assert who.stdout.split()[:2] == ["0", bastion["PrivateIpAddress"]]
    assert "ec2-user" not in Path("/etc/passwd").read_text()  # the host has no such user
    refused = run_in(laptop, *SSH, *identity, f"root@{bastion['PrivateIpAddress']}", "true")
    assert refused.returncode == 255 and "Permission denied" in refused.stderr
    other_key = tmp_path / "other"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other_key)], check=True
    )
    assert run_in(laptop, *SSH, "-i", str(other_key), target, "true").returncode == 255

    # Straight from the laptop, the endpoint's group (bastion only) refuses it.
    assert curl(laptop, ca, f"https://{PRIVATE_NAME}/") == "000"

    # ssh -N -D 8157, then curl --socks5-hostname: the name resolves at the bastion.
    tunnels.append(tunnel(laptop, *identity, "-N", "-D", "8157", target))
    socks = ("--socks5-hostname", "localhost:8157", f"https://{PRIVATE_NAME}/")
    code = wait_for(
        lambda: curl(laptop, ca, *socks) != "000" and curl(laptop, ca, *socks),
        20,
        "an answer through the SOCKS tunnel",
    )
    assert code.startswith(("2", "3", "4")), code
    # ssh -N -L 8158:<private host>:443: the name does not match (the seed warns), -k.
    tunnels.append(tunnel(laptop, *identity, "-N", "-L", f"8158:{PRIVATE_NAME}:443", target))
    local = wait_for(
        lambda: curl(laptop, ca, "-k", "https://localhost:8158/") != "000",
        20,
        "an answer through the local forward",
    )
    assert local

    # The private side names the bastion's group: without that rule the path is cut.
    ec2.revoke_security_group_ingress(GroupId=web_group, IpPermissions=[from_bastion])
    wait_for(lambda: curl(laptop, ca, *socks) == "000", 20, "the revoked rule to cut the path")
    print(f"bastion: first ssh login {first_login:.2f} s after launch")


def internet_curl(ca: Path, *args: str) -> str:
    done = on_internet(
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "5",
        "--cacert",
        str(ca),
        *args,
    )
    return done.stdout.strip() or "000"


def test_tutorial_commands_from_the_internet(
    linux_server: Server, tmp_path: Path, tunnels: list[subprocess.Popen[bytes]]
) -> None:
    """The seed's commands as written, from privlink's internet: a bastion in a public
    subnet (internet gateway, public address), reached by its public DNS name."""
    server = linux_server
    ca = server.state_dir / "tls" / "ca.pem"
    ec2 = server.client("ec2", ACCOUNT)
    vpc, (public_subnet, private_subnet) = network(ec2, "10.31.0.0/16", azs="ab")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public_subnet)
    key = tmp_path / "key.pem"
    key.write_text(ec2.create_key_pair(KeyName="bastion")["KeyMaterial"])
    key.chmod(0o600)
    bastion_group = ec2.create_security_group(GroupName="bastion", Description="ssh", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=bastion_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    web_group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_group,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": bastion_group}]}],
    )
    endpoint = endpoint_to(ec2, vpc, [private_subnet], web_group, "sts")
    launched = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        KeyName="bastion",
        NetworkInterfaces=[
            {
                "DeviceIndex": 0,
                "SubnetId": public_subnet,
                "Groups": [bastion_group],
                "AssociatePublicIpAddress": True,
            }
        ],
    )["Instances"][0]
    public_name = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][0][
        "Instances"
    ][0]["PublicDnsName"]
    wait_available(ec2, [endpoint])
    target = f"ec2-user@{public_name}"
    wait_for(
        lambda: on_internet(*SSH, "-i", str(key), target, "true").returncode == 0,
        30,
        "ssh to the bastion's public name",
    )

    # ssh -i key.pem -N -D 8157 ec2-user@<bastion public DNS>; a SOCKS5 client to the host.
    tunnels.append(
        subprocess.Popen(
            [
                str(VENV_BIN / "privlink"),
                "exec",
                "--internet",
                "--",
                *SSH,
                "-i",
                str(key),
                "-N",
                "-D",
                "8157",
                target,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    )
    socks = ("--socks5-hostname", "localhost:8157", f"https://{PRIVATE_NAME}/")
    code = wait_for(
        lambda: (c := internet_curl(ca, *socks)) != "000" and c,
        20,
        "the private web server through the bastion",
    )
    assert code.startswith(("2", "3", "4")), code
    # ssh -N -L 8158:<private host>:443 ...; https://localhost:8158/ (name mismatch: -k)
    tunnels.append(
        subprocess.Popen(
            [
                str(VENV_BIN / "privlink"),
                "exec",
                "--internet",
                "--",
                *SSH,
                "-i",
                str(key),
                "-N",
                "-L",
                f"8158:{PRIVATE_NAME}:443",
                target,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    )
    assert wait_for(
        lambda: internet_curl(ca, "-k", "https://localhost:8158/") != "000", 20, "the local forward"
    )
