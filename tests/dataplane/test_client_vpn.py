"""AWS Client VPN, end to end (the MWAA seed's Client VPN path), from privlink's internet.

The endpoint uses ACM-imported server and client certificates (one CA, as easy-rsa makes
them), split tunnel, UDP 443, the VPC resolver pushed as DNS server, and is associated
with a private subnet. The private web server is an interface endpoint to STS whose group
admits only the Client VPN endpoint's group. The stock OpenVPN client runs on the internet
computer (`privlink exec --internet`) with the exported configuration plus the client's
certificate and key. Without an authorization rule nothing is reachable; with one for the
VPC's CIDR the private name resolves through the tunnel and curl gets an answer; a client
certificate of another CA is refused; the connection shows, and terminating it ends it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dataplane.test_aws_service_endpoints import (
    endpoint_to,
    eni_ips,
    network,
    wait_available,
)
from tests.dataplane.world import on_internet, wait_for
from tests.harness import VENV_BIN, Server
from tests.vpn_pki import Issued, import_pair, make_vpn_pki

pytestmark = pytest.mark.dataplane

ACCOUNT = "666666666666"
PRIVATE_NAME = "sts.us-east-1.amazonaws.com"
VPC_CIDR = "10.40.0.0/16"
RESOLVER = "10.40.0.2"


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])


class Clients:
    """OpenVPN clients started on the internet computer; all stopped at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, config: str, leaf: Issued, name: str) -> Path:
        profile = self.root / f"{name}.ovpn"
        profile.write_text(
            config + f"<cert>\n{leaf.pem.decode()}</cert>\n<key>\n{leaf.key_pem.decode()}</key>\n"
        )
        log = self.root / f"{name}.log"
        self.procs.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "privlink"),
                    "exec",
                    "--internet",
                    "--",
                    "openvpn",
                    "--config",
                    str(profile),
                    "--dev",
                    f"tun-{name}",
                    "--connect-retry",
                    "1",
                    "--log",
                    str(log),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        return log

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[Clients]:
    made = Clients(tmp_path)
    yield made
    made.stop()


def text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def curl(ca: Path, address: str) -> str:
    done = on_internet(
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--max-time",
        "3",
        "--cacert",
        str(ca),
        "--resolve",
        f"{PRIVATE_NAME}:443:{address}",
        f"https://{PRIVATE_NAME}/",
    )
    return done.stdout.strip() or "000"


def resolve() -> list[str]:
    """The private name's addresses from the VPC resolver, asked through the tunnel."""
    done = on_internet("dig", "+short", "+time=1", "+tries=1", f"@{RESOLVER}", PRIVATE_NAME)
    return [w for w in done.stdout.split() if re.fullmatch(r"[0-9.]+", w)]


def test_client_vpn_from_the_internet(linux_server: Server, clients: Clients) -> None:
    server = linux_server
    ca = server.state_dir / "tls" / "ca.pem"
    ec2, acm = server.client("ec2", ACCOUNT), server.client("acm", ACCOUNT)
    pki = make_vpn_pki()
    server_arn, client_arn = import_pair(acm, pki)
    vpc, subnets = network(ec2, VPC_CIDR)
    vpn_group = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc)["GroupId"]
    web_group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_group,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": vpn_group}]}],
    )
    endpoint = endpoint_to(ec2, vpc, subnets, web_group, "sts")
    vpn = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="10.192.0.0/22",
        ServerCertificateArn=server_arn,
        AuthenticationOptions=[
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": client_arn},
            }
        ],
        ConnectionLogOptions={"Enabled": False},
        SplitTunnel=True,
        TransportProtocol="udp",
        VpnPort=443,
        DnsServers=[RESOLVER],
        VpcId=vpc,
        SecurityGroupIds=[vpn_group],
    )["ClientVpnEndpointId"]
    started = time.monotonic()
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=vpn, SubnetId=subnets[0])
    wait_available(ec2, [endpoint])
    wait_for(
        lambda: ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[vpn])["ClientVpnEndpoints"][
            0
        ]["Status"]["Code"]
        == "available",
        20,
        "available",
    )
    config = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=vpn)[
        "ClientConfiguration"
    ]

    log = clients.start(config, pki.client, "good")
    wait_for(lambda: "Initialization Sequence Completed" in text(log), 30, "the tunnel")
    connected = time.monotonic() - started
    assert f"dhcp-option DNS {RESOLVER}" in text(log)  # the DNS server is pushed
    assert f"route {VPC_CIDR.split('/')[0]} 255.255.0.0" in text(log)  # split tunnel
    addresses = eni_ips(ec2, endpoint)

    # No authorization rule: nothing is reachable, not even the VPC resolver.
    assert resolve() == []
    assert curl(ca, addresses[0]) == "000"

    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=vpn, TargetNetworkCidr=VPC_CIDR, AuthorizeAllGroups=True
    )
    answer = wait_for(resolve, 20, "the private name through the tunnel")
    assert sorted(answer) == sorted(addresses)
    code = wait_for(lambda: (c := curl(ca, answer[0])) != "000" and c, 20, "curl through the VPN")
    assert code.startswith(("2", "3", "4")), code

    # The connection as DescribeClientVpnConnections shows it.
    def active() -> list[dict[str, Any]]:
        found = ec2.describe_client_vpn_connections(ClientVpnEndpointId=vpn)["Connections"]
        return [c for c in found if c["Status"]["Code"] == "active"]

    (connection,) = wait_for(active, 10, "the connection record")
    assert connection["CommonName"] == "client1.domain.tld"
    assert connection["ClientIp"].startswith("10.192.")
    assert int(connection["IngressBytes"]) > 0

    # A client certificate of another CA is refused.
    stranger = make_vpn_pki("stranger").client
    bad_log = clients.start(config, stranger, "bad")
    server_log = server.state_dir / "dataplane" / "clientvpn" / vpn / "daemon.log"
    wait_for(lambda: "VERIFY ERROR" in text(server_log), 30, "the server to refuse the stranger")
    time.sleep(2)
    assert "Initialization Sequence Completed" not in text(bad_log)

    # Terminating the connection ends it (the client may reconnect: a new connection).
    done = ec2.terminate_client_vpn_connections(
        ClientVpnEndpointId=vpn, ConnectionId=connection["ConnectionId"]
    )
    assert done["ConnectionStatuses"][0]["CurrentStatus"]["Code"] == "terminating"
    wait_for(
        lambda: any(
            c["ConnectionId"] == connection["ConnectionId"] and c["Status"]["Code"] == "terminated"
            for c in ec2.describe_client_vpn_connections(ClientVpnEndpointId=vpn)["Connections"]
        ),
        20,
        "terminated",
    )
    print(f"client vpn: associate -> first tunnel up {connected:.2f} s")
