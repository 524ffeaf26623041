"""A provider and a consumer built through the real API, for end-to-end data-plane tests.

The provider runs two servers on one instance (started by UserData): a plain
one on 8080 that answers "hello <peer address>", and a PROXY-v2-aware one on
8081 that answers with what the PROXY header said. They sit behind an NLB
with a TCP listener on 80 (plain) and 81 (PROXY v2 target group), published
as an endpoint service. The consumer has an instance and, once `connect` is
called, an interface endpoint to the service.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

from tests.harness import VENV_BIN, Server, wait_until

PROVIDER = "111111111111"
CONSUMER = "222222222222"
PRIVATE_NAME = "api.provider.example.com"

SERVERS = f"""#!/bin/bash
python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(64)
while True:
    c, peer = s.accept()
    c.sendall(("hello " + peer[0] + "\\n").encode())
    c.close()
' &
exec {VENV_BIN}/python -c '
import socket
from privlink.dataplane import proxyproto
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8081))
s.listen(64)
while True:
    c, peer = s.accept()
    c.settimeout(3)
    data = b""
    try:
        header = None
        while header is None:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
            header = proxyproto.decode(data)
        if header is not None and header.command == "PROXY":
            c.sendall(f"proxy {{header.src[0]}} {{header.vpce_id}} {{peer[0]}}\\n".encode())
    except (OSError, ValueError):
        pass
    c.close()
'
"""
CLIENT = (
    "import socket,sys\n"
    "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
    "print(s.recv(200).decode().strip())\n"
)


def wait_for(fn: Any, timeout: float, what: str) -> Any:
    """The harness's poller at a pace that suits end-to-end checks (each costs a subprocess)."""
    return wait_until(fn, timeout, 0.5, what)


def run_in(instance: str, *argv: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """`privlink exec INSTANCE -- ARGV` (the instance's namespace and resolver)."""
    return subprocess.run(
        [str(VENV_BIN / "privlink"), "exec", instance, "--", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def on_internet(*argv: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """`privlink exec --internet -- ARGV`: the computer on privlink's internet."""
    return run_in("--internet", *argv, timeout=timeout)


# Connects, says who it is (its own port) and reads the service's whole answer's length.
READ_ALL = (
    "import socket,sys\n"
    "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
    "data = b''\n"
    "while chunk := s.recv(4096):\n"
    "    data += chunk\n"
    "print(s.getsockname()[1], len(data))\n"
)


def read_all(
    instance: str, host: str, port: int, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    """One connection from `instance`; its stdout is "LOCAL_PORT BYTES_ANSWERED"."""
    return run_in(instance, "python3", "-c", READ_ALL, host, str(port), timeout=timeout)


def observed_world(fresh_server: Any) -> World:
    """The consumer/provider world on a Linux data plane that counts traffic every 2 s
    (PRIVLINK_OBSERVE_SECONDS, set by the caller), its targets healthy."""
    built = World(fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])).build()
    wait_for(built.targets_healthy, 40, "the targets to pass real health checks")
    return built


def connect(instance: str, host: str, port: int) -> subprocess.CompletedProcess[str]:
    return run_in(instance, "python3", "-c", CLIENT, host, str(port))


def dig(instance: str, name: str) -> list[str]:
    return run_in(instance, "dig", "+short", name).stdout.split()


def network(ec2: Any, cidr: str) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    a, b = cidr.split(".")[:2]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"{a}.{b}.{i}.0/24", AvailabilityZone=f"us-east-1{az}"
        )["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def open_group(ec2: Any, vpc: str, name: str, ports: tuple[int, int], cidr: str) -> str:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": ports[0],
                "ToPort": ports[1],
                "IpRanges": [{"CidrIp": cidr}],
            }
        ],
    )
    return group


@dataclass
class World:
    server: Server
    p_ec2: Any = None
    p_elb: Any = None
    c_ec2: Any = None
    service_id: str = ""
    service_name: str = ""
    nlb_ips: set[str] = field(default_factory=set)
    backend: str = ""
    client: str = ""
    c_vpc: str = ""
    c_subnets: list[str] = field(default_factory=list)
    c_group: str = ""
    target_groups: list[str] = field(default_factory=list)

    def build(self) -> World:
        self.p_ec2 = self.server.client("ec2", PROVIDER)
        self.p_elb = self.server.client("elbv2", PROVIDER)
        self.c_ec2 = self.server.client("ec2", CONSUMER)
        self._provider()
        self._consumer()
        return self

    def _provider(self) -> None:
        ec2, elb = self.p_ec2, self.p_elb
        vpc, subnets = network(ec2, "10.0.0.0/16")
        group = open_group(ec2, vpc, "web", (8080, 8081), "10.0.0.0/16")
        self.backend = ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnets[0],
            SecurityGroupIds=[group],
            UserData=SERVERS,
        )["Instances"][0]["InstanceId"]
        nlb = elb.create_load_balancer(
            Name="svc", Type="network", Scheme="internal", Subnets=subnets
        )["LoadBalancers"][0]
        # The backend lives in AZ a only: cross-zone lets AZ b's node (and ENI) reach it too.
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=nlb["LoadBalancerArn"],
            Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
        )
        self.nlb_ips = {
            address["PrivateIPv4Address"]
            for zone in nlb["AvailabilityZones"]
            for address in zone.get("LoadBalancerAddresses", [])
        }
        for name, port, listen, proxy in (("plain", 8080, 80, False), ("proxied", 8081, 81, True)):
            tg = elb.create_target_group(
                Name=name,
                Protocol="TCP",
                Port=port,
                VpcId=vpc,
                TargetType="instance",
                HealthCheckIntervalSeconds=5,
                HealthCheckTimeoutSeconds=2,
                HealthyThresholdCount=2,
            )["TargetGroups"][0]["TargetGroupArn"]
            if proxy:
                elb.modify_target_group_attributes(
                    TargetGroupArn=tg,
                    Attributes=[{"Key": "proxy_protocol_v2.enabled", "Value": "true"}],
                )
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": self.backend}])
            elb.create_listener(
                LoadBalancerArn=nlb["LoadBalancerArn"],
                Protocol="TCP",
                Port=listen,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
            )
            self.target_groups.append(tg)
        service = ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[nlb["LoadBalancerArn"]],
            AcceptanceRequired=True,
            PrivateDnsName=PRIVATE_NAME,
        )["ServiceConfiguration"]
        self.service_id, self.service_name = service["ServiceId"], service["ServiceName"]
        ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=self.service_id)
        ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=self.service_id, AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"]
        )

    def _consumer(self) -> None:
        ec2 = self.c_ec2
        self.c_vpc, self.c_subnets = network(ec2, "10.0.0.0/16")
        self.c_group = open_group(ec2, self.c_vpc, "endpoint", (80, 81), "10.0.0.0/16")
        self.client = ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=self.c_subnets[0]
        )["Instances"][0]["InstanceId"]

    def targets_healthy(self) -> bool:
        return all(
            self.p_elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"][0][
                "TargetHealth"
            ]["State"]
            == "healthy"
            for tg in self.target_groups
        )

    def create_endpoint(self, private_dns: bool = False) -> dict[str, Any]:
        return self.c_ec2.create_vpc_endpoint(
            VpcId=self.c_vpc,
            ServiceName=self.service_name,
            VpcEndpointType="Interface",
            SubnetIds=self.c_subnets,
            SecurityGroupIds=[self.c_group],
            PrivateDnsEnabled=private_dns,
        )["VpcEndpoint"]

    def endpoint(self, endpoint_id: str) -> dict[str, Any]:
        return self.c_ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]

    def accept(self, endpoint_id: str) -> dict[str, Any]:
        self.p_ec2.accept_vpc_endpoint_connections(
            ServiceId=self.service_id, VpcEndpointIds=[endpoint_id]
        )
        wait_for(
            lambda: self.endpoint(endpoint_id)["State"] == "available",
            30,
            "the endpoint to become available",
        )
        return self.endpoint(endpoint_id)

    def eni_ips(self, endpoint: dict[str, Any]) -> list[str]:
        enis = self.c_ec2.describe_network_interfaces(
            NetworkInterfaceIds=endpoint["NetworkInterfaceIds"]
        )["NetworkInterfaces"]
        return [e["PrivateIpAddress"] for e in enis]
