"""Interface endpoints to AWS services that privlink implements, end to end.

Inside a VPC with an interface endpoint to com.amazonaws.us-east-1.ec2 (private DNS on),
the unmodified AWS CLI reaches privlink's own API over HTTPS with no --endpoint-url, as on
AWS: ec2.us-east-1.amazonaws.com resolves (VPC resolver) to the endpoint's ENI, the
endpoint relays TCP 443 to privlink's HTTPS listener on 127.0.0.1, and the certificate comes
from privlink's local CA. A VPC without the endpoint cannot resolve the name at all.
The endpoint's security group applies; a deleted endpoint carries nothing.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from privlink.dataplane.linux import topology
from privlink.dataplane.plan import (
    DataplanePlan,
    EndpointNet,
    EniNet,
    SgRule,
    SubnetNet,
    VpcNet,
)
from privlink.dataplane.plan_checks import validate
from tests.dataplane.world import run_in, wait_for
from tests.harness import VENV_BIN, Server

ACCOUNT = "333333333333"
OTHER = "444444444444"
CLIENT = (
    "import socket,sys\n"
    "socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()\n"
)
# (endpoint service code, CLI command, a string its JSON output must contain)
SERVICES = {
    "ec2": (["ec2", "describe-vpcs"], "Vpcs"),
    "sts": (["sts", "get-caller-identity"], ACCOUNT),
    "elasticloadbalancing": (["elbv2", "describe-load-balancers"], "LoadBalancers"),
    "sns": (["sns", "list-topics"], "Topics"),
}


def aws_run_in(
    server: Server, instance: str, account: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """The AWS CLI as a program on the instance would run it: a clean environment (no
    AWS_ENDPOINT_URL, no config files), its own credentials, privlink's CA bundle."""
    env = [
        "env",
        "-i",
        "PATH=/usr/bin:/bin",
        "HOME=/nonexistent",
        f"AWS_ACCESS_KEY_ID={account}",
        "AWS_SECRET_ACCESS_KEY=x",
        "AWS_DEFAULT_REGION=us-east-1",
        f"AWS_CA_BUNDLE={server.state_dir / 'tls' / 'ca.pem'}",
        "AWS_CONFIG_FILE=/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
        "AWS_MAX_ATTEMPTS=1",
        "AWS_EC2_METADATA_DISABLED=true",
    ]
    return run_in(
        instance,
        *env,
        str(VENV_BIN / "aws"),
        "--output",
        "json",
        "--cli-connect-timeout",
        "5",
        "--cli-read-timeout",
        "20",
        *args,
    )


def network(ec2: Any, cidr: str, azs: str = "a") -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    base = cidr.split(".")[:2]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.{i}.0/24", AvailabilityZone=f"us-east-1{az}"
        )["Subnet"]["SubnetId"]
        for i, az in enumerate(azs, start=1)
    ]
    return vpc, subnets


def https_group(ec2: Any, vpc: str, cidr: str) -> str:
    group = ec2.create_security_group(GroupName="https", Description="https", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[https_from(cidr)])
    return group


def https_from(cidr: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}


def endpoint_to(ec2: Any, vpc: str, subnets: list[str], group: str, code: str) -> str:
    return ec2.create_vpc_endpoint(  # type: ignore[no-any-return]
        VpcId=vpc,
        ServiceName=f"com.amazonaws.us-east-1.{code}",
        VpcEndpointType="Interface",
        SubnetIds=subnets,
        SecurityGroupIds=[group],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]


def wait_available(ec2: Any, endpoint_ids: list[str], timeout: float = 40) -> None:
    def states() -> bool:
        found = ec2.describe_vpc_endpoints(VpcEndpointIds=endpoint_ids)["VpcEndpoints"]
        return all(e["State"] == "available" for e in found)

    wait_for(states, timeout, f"{endpoint_ids} to become available")


def eni_ips(ec2: Any, endpoint_id: str) -> list[str]:
    endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])
    return [e["PrivateIpAddress"] for e in enis["NetworkInterfaces"]]


def instance_in(ec2: Any, subnet: str) -> str:
    return ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,  # type: ignore
        SubnetId=subnet,
    )["Instances"][0]["InstanceId"]


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])


@pytest.mark.dataplane
def test_aws_cli_inside_vpc_reaches_privlink_through_endpoints(linux_server: Server) -> None:
    server = linux_server
    ec2 = server.client("ec2", ACCOUNT)
    vpc, subnets = network(ec2, "10.20.0.0/16")
    group = https_group(ec2, vpc, "10.20.0.0/16")
    client = instance_in(ec2, subnets[0])
    endpoints = {code: endpoint_to(ec2, vpc, subnets, group, code) for code in SERVICES}
    wait_available(ec2, list(endpoints.values()))

    # The service's own name resolves, inside the VPC, to the endpoint's ENI.
    ec2_eni = eni_ips(ec2, endpoints["ec2"])
    dig = wait_for(
        lambda: run_in(client, "dig", "+short", "ec2.us-east-1.amazonaws.com").stdout.split(),
        15,
        "ec2.us-east-1.amazonaws.com to resolve",
    )
    assert dig == ec2_eni

    # The unmodified CLI, no --endpoint-url: the same API, this account's VPC.
    result = aws_run_in(server, client, ACCOUNT, "ec2", "describe-vpcs")
    assert result.returncode == 0, result.stderr
    assert vpc in result.stdout
    for code, (command, expected) in SERVICES.items():
        result = aws_run_in(server, client, ACCOUNT, *command)
        assert result.returncode == 0, f"{code}: {result.stderr}"
        assert expected in result.stdout, f"{code}: {result.stdout}"

    # The endpoint's security group applies: without the 443 rule nothing connects.
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[https_from("10.20.0.0/16")])
    wait_for(
        lambda: run_in(client, "python3", "-c", CLIENT, ec2_eni[0], "443", timeout=20).returncode
        != 0,
        15,
        "the SG to block 443",
    )
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[https_from("10.20.0.0/16")])
    wait_for(
        lambda: run_in(client, "python3", "-c", CLIENT, ec2_eni[0], "443", timeout=20).returncode
        == 0,
        15,
        "the SG to allow 443 again",
    )

    # A VPC without the endpoint: no such name (there is no internet), no connection.
    other_ec2 = server.client("ec2", OTHER)
    _, other_subnets = network(other_ec2, "10.20.0.0/16")
    lonely = instance_in(other_ec2, other_subnets[0])
    wait_for(lambda: run_in(lonely, "true").returncode == 0, 15, "the second instance")
    status = run_in(lonely, "dig", "ec2.us-east-1.amazonaws.com").stdout
    assert "status: NXDOMAIN" in status
    failed = aws_run_in(server, lonely, OTHER, "ec2", "describe-vpcs")
    assert failed.returncode != 0
    assert "Could not connect to the endpoint URL" in failed.stderr, failed.stderr

    # Deleting the endpoint takes the path away (its name with it).
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoints["ec2"]])
    wait_for(
        lambda: run_in(client, "python3", "-c", CLIENT, ec2_eni[0], "443", timeout=20).returncode
        != 0,
        20,
        "the path to go away",
    )
    gone = aws_run_in(server, client, ACCOUNT, "ec2", "describe-vpcs")
    assert gone.returncode != 0


# -- the plan and its rendering (pure, no root) --------------------------------------------


def _local_plan(active: bool = True) -> DataplanePlan:
    vpc = VpcNet(
        "vpc-a1",
        "10.1.0.0/16",
        (
            SubnetNet("subnet-a1", "10.1.1.0/24", "us-east-1a"),
            SubnetNet("subnet-a2", "10.1.2.0/24", "us-east-1b"),
        ),
    )
    enis = (
        EniNet("eni-a1", "subnet-a1", "us-east-1a", "10.1.1.10"),
        EniNet("eni-a2", "subnet-a2", "us-east-1b", "10.1.2.10"),
    )
    endpoint = EndpointNet(
        "vpce-a1",
        "vpc-a1",
        None,
        enis,
        ingress=(SgRule("tcp", 443, 443, ("10.1.0.0/16",)),),
        active=active,
        local_port=4567,
    )
    return DataplanePlan((vpc,), (), (), (endpoint,))


def test_local_endpoint_plan_is_valid_and_needs_exactly_one_destination() -> None:
    from dataclasses import replace

    plan = _local_plan()
    assert validate(plan) == {}
    both = replace(plan.endpoints[0], nlb_id="nlb-x")
    neither = replace(plan.endpoints[0], local_port=None)
    bad_port = replace(plan.endpoints[0], local_port=70000)
    for endpoint in (both, neither, bad_port):
        broken = replace(plan, endpoints=(endpoint,))
        assert "vpce-a1" in validate(broken)
        assert broken.without(validate(broken)).endpoints == ()
    assert plan.without(validate(plan)) == plan


def test_local_endpoint_renders_a_proxy_to_loopback_and_no_nat() -> None:
    spec = topology.build(_local_plan())
    proxy = spec.proxies["vpce-a1"]
    assert proxy.connect_netns == ""  # the driver's (host) namespace
    assert {(li.ip, li.port) for li in proxy.listeners} == {("10.1.1.10", 443), ("10.1.2.10", 443)}
    assert all(li.targets == (("127.0.0.1", 4567),) for li in proxy.listeners)
    ns = spec.namespaces["plk-vpce-a1"]
    assert ns.ruleset is not None
    assert "dnat" not in ns.ruleset.replace("ct status dnat", "")
    assert "snat" not in ns.ruleset
    assert "tcp dport 443 accept" in ns.ruleset
    assert "ip saddr 10.1.0.0/16 tcp dport 443 accept" in ns.ruleset  # the SG
    assert all(link.peer is None or link.peer.netns != "" for link in ns.links)
    assert not any(n.startswith("plk-nlb-") for n in spec.namespaces)
    assert dict(ns.sysctls).get("net.ipv4.ip_forward") != "1"  # nothing is forwarded
    inactive = topology.build(_local_plan(active=False))
    assert "vpce-a1" not in inactive.proxies
    cut = inactive.endpoints["vpce-a1"]  # its whole namespace's flows, no NLB's
    assert (cut.netns, cut.zones) == ("plk-vpce-a1", ())
