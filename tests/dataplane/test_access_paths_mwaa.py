"""The MWAA guide's three ways to a PRIVATE_ONLY web server ("Accessing the VPC endpoint for
your Apache Airflow Web server", ../shared/seeds/000_*.txt), end to end from privlink's
internet computer (`privlink exec --internet`), against one real environment (Airflow 3.0.6).

The environment lives in two private subnets of a VPC that also has two public subnets
routed to an internet gateway. Its security group admits, on 443, each path's group:
1. a Linux bastion in a public subnet: `ssh -i key.pem -N -D 8157 ec2-user@<public DNS>`,
   then `curl --socks5-hostname localhost:8157 https://<WebserverUrl>/`;
2. an internet-facing application load balancer in the public subnets whose HTTPS listener
   has a certificate imported with the guide's `aws acm import-certificate` for the load
   balancer's name, forwarding to an ip target group of the web server endpoint's two
   addresses (matcher 200,302), then `curl https://<load balancer DNS>/`;
3. a Client VPN endpoint associated with a private subnet, authorized for the VPC's CIDR,
   the exported configuration with the client's certificate and key in the stock OpenVPN
   client, then `curl https://<WebserverUrl>/`.
Each path is refused before the environment's group names it (or, for the VPN, before the
authorization rule), and each answer is Airflow's own page and health report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_acm import make_pki
from tests.api.test_mwaa import prerequisites
from tests.dataplane.test_bastion import SSH, on_internet, stop
from tests.dataplane.test_client_vpn import Clients, text
from tests.dataplane.test_mwaa import ACCOUNT, World, wait_status
from tests.dataplane.world import wait_for
from tests.harness import VENV_BIN, Server, free_port
from tests.vpn_pki import import_pair, make_vpn_pki

pytestmark = pytest.mark.dataplane

NAME = "Private"
VPC_CIDR = "10.70.0.0/16"
RESOLVER = "10.70.0.2"
HEALTHY = {k: "healthy" for k in ("metadatabase", "scheduler", "triggerer", "dag_processor")}


@dataclass
class Paths:
    world: World
    public_subnets: list[str]
    seconds_to_available: float

    @property
    def ec2(self) -> Any:
        return self.world.ec2

    @property
    def host(self) -> str:
        return str(self.world.environment(NAME)["WebserverUrl"])

    def admit(self, group: str) -> None:
        """The environment's security group admits `group` on 443 (the web server)."""
        self.ec2.authorize_security_group_ingress(
            GroupId=self.world.prereq.group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "UserIdGroupPairs": [{"GroupId": group}]}],
        )  # fmt: skip

    def group(self, name: str, port: int, cidr: str) -> str:
        ec2 = self.ec2
        group = ec2.create_security_group(
            GroupName=name, Description=name, VpcId=self.world.prereq.vpc
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp=cidr
        )
        return group  # type: ignore[no-any-return]


def public_subnets(ec2: Any, vpc: str) -> list[str]:
    """Two public subnets (a, b): a route table with 0.0.0.0/0 to an internet gateway."""
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    subnets = []
    for third, az in ((101, "a"), (102, "b")):
        subnet = ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.70.{third}.0/24", AvailabilityZone=f"us-east-1{az}"
        )["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
        subnets.append(subnet)
    return subnets


@pytest.fixture(scope="module")
def paths() -> Iterator[Paths]:
    state = Path(tempfile.mkdtemp(prefix="privlink-access-mwaa-", dir="/tmp"))
    state.chmod(0o711)  # each environment's PostgreSQL runs as `postgres`
    server = Server(state, extra_args=["--dataplane", "linux", "--dns-port", str(free_port())])
    server.start(timeout=60)
    try:
        prereq = prerequisites(server, ACCOUNT, cidr=VPC_CIDR)
        world = World(server, 0, prereq)
        started = time.monotonic()
        world.mwaa.create_environment(**prereq.create_args(NAME))
        public = public_subnets(world.ec2, prereq.vpc)
        env = wait_status(world, NAME, 240)
        assert env["Status"] == "AVAILABLE", env.get("LastUpdate")
        print(f"{NAME}: CREATING -> AVAILABLE in {time.monotonic() - started:.1f}s")
        yield Paths(world, public, time.monotonic() - started)
    finally:
        server.stop(timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def fetch(ca: Path | str, url: str, *args: str) -> tuple[str, str]:
    """curl on the internet computer: (HTTP status, body); "000" when nothing answered."""
    done = on_internet("curl", "-s", "--max-time", "8", "--cacert", str(ca),
                       "-w", "\n%{http_code}", *args, url)  # fmt: skip
    body, _, code = done.stdout.rpartition("\n")
    return code.strip() or "000", body


def assert_airflow(ca: Path | str, base: str, *args: str) -> None:
    """Airflow's UI page at / and its health report, all components healthy."""
    code, page = wait_for(
        lambda: (got := fetch(ca, f"{base}/", *args))[0] != "000" and got, 30, f"{base}/"
    )
    assert code == "200" and "<title>Airflow</title>" in page, (code, page[:300])
    code, health = fetch(ca, f"{base}/api/v2/monitor/health", *args)
    assert code == "200", health
    assert {k: v["status"] for k, v in json.loads(health).items()} == HEALTHY


@pytest.fixture
def background() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Long-running commands on the internet computer, stopped at the end of the test."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        stop(proc)


def test_linux_bastion_socks_tunnel(
    paths: Paths, tmp_path: Path, background: list[subprocess.Popen[bytes]]
) -> None:
    ec2, ca = paths.ec2, paths.world.ca
    key = tmp_path / "key.pem"
    key.write_text(ec2.create_key_pair(KeyName="bastion")["KeyMaterial"])
    key.chmod(0o600)
    bastion_group = paths.group("bastion", 22, "0.0.0.0/0")
    launched = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, KeyName="bastion",
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": paths.public_subnets[0],
                            "Groups": [bastion_group], "AssociatePublicIpAddress": True}],
    )["Instances"][0]  # fmt: skip
    public_name = ec2.describe_instances(InstanceIds=[launched["InstanceId"]])["Reservations"][
        0]["Instances"][0]["PublicDnsName"]  # fmt: skip
    target = f"ec2-user@{public_name}"
    started = time.monotonic()
    wait_for(lambda: on_internet(*SSH, "-i", str(key), target, "true").returncode == 0, 30,
             "ssh to the bastion's public name")  # fmt: skip
    background.append(subprocess.Popen(
        [str(VENV_BIN / "privlink"), "exec", "--internet", "--", *SSH, "-i", str(key), "-N",
         "-D", "8157", target],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True))  # fmt: skip
    socks = ("--socks5-hostname", "localhost:8157")
    wait_for(lambda: on_internet("curl", "-s", "-o", "/dev/null", "-x", "socks5h://localhost:8157",
                                 "--max-time", "3", "http://localhost:1/").returncode != 7, 20,
             "the SOCKS listener")  # fmt: skip
    # The environment's group does not know the bastion yet: the tunnel opens, nothing answers.
    assert fetch(ca, f"https://{paths.host}/", *socks, "--max-time", "4")[0] == "000"
    paths.admit(bastion_group)
    assert_airflow(ca, f"https://{paths.host}", *socks)
    print(f"bastion: launch -> Airflow through ssh -D in {time.monotonic() - started:.1f}s")


def web_server_addresses(paths: Paths) -> list[str]:
    """The guide's steps: the web server endpoint's interfaces and their private addresses
    (describe-vpc-endpoints, describe-network-interfaces); dig gives the same ones."""
    service = paths.world.environment(NAME)["WebserverVpcEndpointService"]
    found = paths.world.shell(
        f"aws ec2 describe-vpc-endpoints --filters Name=service-name,Values={service} "
        "--query 'VpcEndpoints[0].NetworkInterfaceIds' --output text"
    )
    assert found.returncode == 0, found.stderr
    enis = found.stdout.split()
    listed = paths.world.shell(
        f"aws ec2 describe-network-interfaces --network-interface-ids {' '.join(enis)} "
        "--query 'NetworkInterfaces[].PrivateIpAddress' --output text"
    )
    addresses = sorted(listed.stdout.split())
    assert len(addresses) == 2, listed
    dug = on_internet("dig", "+short", paths.host).stdout.split()
    assert sorted(a for a in dug if not a.endswith(".")) == addresses
    return addresses


def import_certificate(paths: Paths, directory: Path, name: str) -> str:
    """The guide's command as written, for a certificate of `name` from a private CA
    (its root written to directory/ca.pem for curl)."""
    pki = make_pki()
    leaf = pki.leaf(name)
    (directory / "Certificate.pem").write_bytes(leaf.pem)
    (directory / "CertificateChain.pem").write_bytes(pki.chain)
    (directory / "PrivateKey.pem").write_bytes(leaf.key_pem)
    (directory / "ca.pem").write_bytes(pki.root.pem)
    done = paths.world.shell(
        f"cd {directory} && aws acm import-certificate --certificate fileb://Certificate.pem "
        "--certificate-chain fileb://CertificateChain.pem --private-key fileb://PrivateKey.pem "
        "--region us-east-1"
    )
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["CertificateArn"])


def test_internet_facing_alb_to_the_web_server_endpoint(paths: Paths, tmp_path: Path) -> None:
    elb = paths.world.server.client("elbv2", ACCOUNT)
    alb_group = paths.group("alb", 443, "0.0.0.0/0")
    alb = elb.create_load_balancer(Name="airflow", Scheme="internet-facing",
                                   Subnets=paths.public_subnets,
                                   SecurityGroups=[alb_group])["LoadBalancers"][0]  # fmt: skip
    started = time.monotonic()
    certificate = import_certificate(paths, tmp_path, alb["DNSName"])
    tg = elb.create_target_group(
        Name="airflow-web", Protocol="HTTPS", Port=443, VpcId=paths.world.prereq.vpc,
        TargetType="ip", HealthCheckProtocol="HTTPS", Matcher={"HttpCode": "200,302"},
        HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    addresses = web_server_addresses(paths)
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": ip, "Port": 443} for ip in addresses])
    elb.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )  # fmt: skip

    def health() -> list[tuple[str, str]]:
        found = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return sorted((d["Target"]["Id"], d["TargetHealth"]["State"]) for d in found)

    # The environment's group does not know the load balancer's group yet.
    wait_for(lambda: {s for _, s in health()} == {"unhealthy"}, 40, "unhealthy targets")
    paths.admit(alb_group)
    wait_for(lambda: health() == [(ip, "healthy") for ip in addresses], 40, "healthy targets")
    assert_airflow(tmp_path / "ca.pem", f"https://{alb['DNSName']}")
    print(f"alb: create -> Airflow at the load balancer's name in "
          f"{time.monotonic() - started:.1f}s")  # fmt: skip


def test_client_vpn_with_the_exported_configuration(paths: Paths, tmp_path: Path) -> None:
    ec2, acm = paths.ec2, paths.world.server.client("acm", ACCOUNT)
    pki = make_vpn_pki()
    server_arn, client_arn = import_pair(acm, pki)
    vpn_group = paths.ec2.create_security_group(
        GroupName="vpn", Description="vpn", VpcId=paths.world.prereq.vpc
    )["GroupId"]
    vpn = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="10.192.0.0/22", ServerCertificateArn=server_arn,
        AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {
            "ClientRootCertificateChainArn": client_arn}}],
        ConnectionLogOptions={"Enabled": False}, SplitTunnel=True, TransportProtocol="udp",
        VpnPort=443, DnsServers=[RESOLVER], VpcId=paths.world.prereq.vpc,
        SecurityGroupIds=[vpn_group],
    )["ClientVpnEndpointId"]  # fmt: skip
    started = time.monotonic()
    ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=vpn, SubnetId=paths.world.prereq.subnets[0]
    )
    paths.admit(vpn_group)
    wait_for(lambda: ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[vpn])[
        "ClientVpnEndpoints"][0]["Status"]["Code"] == "available", 20, "available")  # fmt: skip
    config = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=vpn)[
        "ClientConfiguration"
    ]
    clients = Clients(tmp_path)
    try:
        log = clients.start(config, pki.client, "airflow")
        wait_for(lambda: "Initialization Sequence Completed" in text(log), 30, "the tunnel")
        # No authorization rule: the web server is out of reach.
        assert fetch(paths.world.ca, f"https://{paths.host}/", "--max-time", "3")[0] == "000"
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=vpn, TargetNetworkCidr=VPC_CIDR, AuthorizeAllGroups=True
        )
        assert_airflow(paths.world.ca, f"https://{paths.host}")
    finally:
        clients.stop()
    print(f"client vpn: associate -> Airflow through the tunnel in "
          f"{time.monotonic() - started:.1f}s")  # fmt: skip
