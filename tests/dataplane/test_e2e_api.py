"""End to end through the real API with `privlink up --dataplane linux`.

A provider account runs a TCP server on an instance (started by its
UserData) behind a Network Load Balancer and publishes it as an endpoint
service; a consumer account with an overlapping CIDR creates an interface
endpoint. From inside the consumer's instance (`privlink exec`), the
endpoint's DNS names resolve through the VPC resolver and TCP reaches the
provider, which sees the NLB's address. Rejecting the connection cuts it.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from tests.conftest import VENV_BIN, Server

pytestmark = pytest.mark.dataplane

PROVIDER = "111111111111"
CONSUMER = "222222222222"
SERVER_SCRIPT = """#!/bin/bash
exec python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080))
s.listen(16)
while True:
    c, peer = s.accept()
    c.sendall(("hello " + peer[0] + "\\n").encode())
    c.close()
'
"""
CLIENT = (
    "import socket,sys\n"
    "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\n"
    "print(s.recv(200).decode().strip())\n"
)


def wait_for(fn: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def privlink_exec(server: Server, instance: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "privlink"), "exec", instance, "--", *argv],
        capture_output=True, text=True, timeout=20,
    )


def network(ec2: Any, cidr: str) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    base = cidr.split(".")[:2]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{base[0]}.{base[1]}.{i}.0/24",
                          AvailabilityZone=f"us-east-1{az}")["Subnet"]["SubnetId"]
        for i, az in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def open_group(ec2: Any, vpc: str, name: str, port: int, cidr: str) -> str:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "IpRanges": [{"CidrIp": cidr}]}],
    )
    return group


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux"])


def test_consumer_reaches_provider_through_endpoint(linux_server: Server) -> None:
    server = linux_server
    p_ec2 = server.client("ec2", PROVIDER)
    p_elb = server.client("elbv2", PROVIDER)
    c_ec2 = server.client("ec2", CONSUMER)

    # Provider: a server instance behind an NLB in two AZs.
    p_vpc, p_subnets = network(p_ec2, "10.0.0.0/16")
    p_group = open_group(p_ec2, p_vpc, "web", 8080, "10.0.0.0/16")
    backend = p_ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=p_subnets[0],
        SecurityGroupIds=[p_group], UserData=SERVER_SCRIPT,
    )["Instances"][0]["InstanceId"]
    nlb = p_elb.create_load_balancer(Name="svc", Type="network", Scheme="internal",
                                     Subnets=p_subnets)["LoadBalancers"][0]
    tg = p_elb.create_target_group(
        Name="svc", Protocol="TCP", Port=8080, VpcId=p_vpc, TargetType="instance",
        HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2, HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    p_elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": backend}])
    p_elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=80,
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    service = p_ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb["LoadBalancerArn"]], AcceptanceRequired=True,
    )["ServiceConfiguration"]
    p_ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"])
    wait_for(lambda: p_elb.describe_target_health(TargetGroupArn=tg)[
        "TargetHealthDescriptions"][0]["TargetHealth"]["State"] == "healthy", 40,
        "the target to pass real health checks")

    # Consumer: same CIDR as the provider, an instance and an endpoint.
    c_vpc, c_subnets = network(c_ec2, "10.0.0.0/16")
    c_group = open_group(c_ec2, c_vpc, "endpoint", 80, "10.0.0.0/16")
    client = c_ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                 SubnetId=c_subnets[0])["Instances"][0]["InstanceId"]
    endpoint = c_ec2.create_vpc_endpoint(
        VpcId=c_vpc, ServiceName=service["ServiceName"], VpcEndpointType="Interface",
        SubnetIds=c_subnets, SecurityGroupIds=[c_group],
    )["VpcEndpoint"]
    endpoint_id = endpoint["VpcEndpointId"]
    assert endpoint["State"] == "pendingAcceptance"

    # Before acceptance nothing answers at the endpoint's addresses.
    enis = c_ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])
    eni_ips = [e["PrivateIpAddress"] for e in enis["NetworkInterfaces"]]
    assert privlink_exec(server, client, "python3", "-c", CLIENT, eni_ips[0], "80").returncode != 0

    p_ec2.accept_vpc_endpoint_connections(ServiceId=service["ServiceId"],
                                          VpcEndpointIds=[endpoint_id])

    def state() -> str:
        return c_ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0][
            "State"]

    wait_for(lambda: state() == "available", 30, "the endpoint to become available")
    described = c_ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    regional = described["DnsEntries"][0]["DnsName"]
    zonal = described["DnsEntries"][1]["DnsName"]
    nlb_ips = {a["LoadBalancerAddresses"][0]["PrivateIPv4Address"]
               for a in nlb["AvailabilityZones"] if a.get("LoadBalancerAddresses")}

    # DNS inside the consumer VPC: regional -> all ENI addresses, zonal -> its AZ's.
    dig = wait_for(lambda: privlink_exec(server, client, "dig", "+short", regional).stdout.split(),
                   15, "the regional name to resolve")
    assert sorted(dig) == sorted(eni_ips)
    zonal_answer = privlink_exec(server, client, "dig", "+short", zonal).stdout.split()
    assert len(zonal_answer) == 1 and zonal_answer[0] in eni_ips

    # TCP through the endpoint by name; the provider sees an NLB address as the source.
    reply = wait_for(lambda: privlink_exec(server, client, "python3", "-c", CLIENT, regional,
                                           "80").stdout.strip(), 20, "a reply through the endpoint")
    assert reply.startswith("hello ")
    if nlb_ips:
        assert reply.split()[1] in nlb_ips

    # Reject: traffic stops.
    p_ec2.reject_vpc_endpoint_connections(ServiceId=service["ServiceId"],
                                          VpcEndpointIds=[endpoint_id])
    wait_for(lambda: state() == "rejected", 15, "the endpoint to be rejected")
    wait_for(lambda: privlink_exec(server, client, "python3", "-c", CLIENT, eni_ips[0],
                                   "80").returncode != 0, 15, "traffic to stop after reject")
