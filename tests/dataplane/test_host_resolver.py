"""The host-side resolver: endpoint-specific (public) names answered on 127.0.0.1:PORT.

Endpoint-specific names are public on AWS, so `dig @127.0.0.1 -p PORT NAME` from the host
answers them: regional -> every ENI address, zonal -> its AZ's address. Anything else is
NXDOMAIN (no upstream); private DNS names stay inside their VPC. It listens on 127.0.0.1
only, follows endpoint changes, and goes away with the server.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from privlink.dataplane.linux import topology
from privlink.dataplane.plan import HOST_RESOLVER, DataplanePlan, DnsRecord
from privlink.dataplane.plan_checks import validate
from tests.dataplane.test_aws_service_endpoints import (
    endpoint_to,
    eni_ips,
    https_group,
    network,
    wait_available,
)
from tests.dataplane.world import wait_for
from tests.harness import VENV_BIN, Server, free_port, wait_until

ACCOUNT = "555555555555"


def dig(port: int, name: str) -> tuple[str, list[str]]:
    """(status, answers) of an A query to the host resolver."""
    result = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", name, "A"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    status = ""
    for line in result.stdout.splitlines():
        if "status:" in line:
            status = line.split("status:", 1)[1].split(",", 1)[0].strip()
    short = subprocess.run(
        ["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", "+short", name, "A"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.split()
    return status, sorted(short)


def udp_listeners(port: int) -> list[str]:
    out = subprocess.run(
        ["ss", "-Hlnu", f"sport = :{port}"], capture_output=True, text=True, timeout=10
    ).stdout
    return [line.split()[3] for line in out.splitlines() if line.strip()]


@pytest.mark.dataplane
def test_host_resolver_answers_endpoint_names(fresh_server: Any) -> None:
    port = free_port()
    server: Server = fresh_server(extra_args=["--dataplane", "linux", "--dns-port", str(port)])
    ec2 = server.client("ec2", ACCOUNT)
    vpc, subnets = network(ec2, "10.30.0.0/16", azs="ab")
    group = https_group(ec2, vpc, "10.30.0.0/16")
    endpoint_id = endpoint_to(ec2, vpc, subnets, group, "ec2")

    # Running from the start, answering nothing yet.
    wait_for(lambda: dig(port, "nothing.example")[0] == "NXDOMAIN", 20, "the host resolver")
    assert udp_listeners(port) == [f"127.0.0.1:{port}"]

    wait_available(ec2, [endpoint_id])
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
    regional, zonal_a, zonal_b = (e["DnsName"] for e in described["DnsEntries"][:3])
    addresses = sorted(eni_ips(ec2, endpoint_id))
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=described["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ]
    by_az = {e["AvailabilityZone"]: e["PrivateIpAddress"] for e in enis}
    assert zonal_a.endswith("-us-east-1a.ec2.us-east-1.vpce.amazonaws.com")

    assert wait_for(
        lambda: dig(port, regional) == ("NOERROR", addresses), 15, "the regional name on the host"
    )
    assert dig(port, zonal_a) == ("NOERROR", [by_az["us-east-1a"]])
    assert dig(port, zonal_b) == ("NOERROR", [by_az["us-east-1b"]])
    # Private DNS names belong to the VPC; unknown names have no upstream to go to.
    assert dig(port, "ec2.us-east-1.amazonaws.com")[0] == "NXDOMAIN"
    assert dig(port, "example.com")[0] == "NXDOMAIN"

    # `privlink status` and `privlink env` point at it.
    status = subprocess.run(
        [str(VENV_BIN / "privlink"), "status", "--url", server.url],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    assert f"dig @127.0.0.1 -p {port} NAME" in status
    env = subprocess.run(
        [str(VENV_BIN / "privlink"), "env", "--dns-port", str(port)],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    assert (
        f"# endpoint names from the host (privlink up --dataplane linux): dig @127.0.0.1 "
        f"-p {port} NAME" in env
    )

    # Records follow the endpoint: deleted, its names go.
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    wait_for(lambda: dig(port, regional)[0] == "NXDOMAIN", 20, "the name to go away")

    # Stopping privlink stops the resolver (the driver's teardown).
    server.stop()
    wait_until(lambda: udp_listeners(port) == [], 10, 0.2, f"nothing to listen on UDP {port}")


def test_host_resolver_spec_listens_on_loopback_only() -> None:
    record = DnsRecord("vpce-1-abc.ec2.us-east-1.vpce.amazonaws.com", ("10.0.1.5", "10.0.2.5"))
    spec = topology.build(DataplanePlan(host_dns_port=4553, host_dns=(record,)))
    dns = spec.dns[HOST_RESOLVER]
    assert (dns.netns, dns.listen, dns.port) == ("", ("127.0.0.1",), 4553)
    assert dns.hosts.splitlines() == [f"10.0.1.5 {record.name}", f"10.0.2.5 {record.name}"]
    assert HOST_RESOLVER not in topology.build(DataplanePlan(host_dns=(record,))).dns
    broken = DataplanePlan(host_dns_port=4553, host_dns=(DnsRecord("x", cname="y"),))
    assert HOST_RESOLVER in validate(broken)
    assert broken.without(validate(broken)).host_dns_port == 0


def test_dnsmasq_conf_for_the_host_binds_127_0_0_1_without_upstream(tmp_path: Any) -> None:
    from privlink.dataplane.linux.dnsmasq import render_conf

    dns = topology.DnsSpec(HOST_RESOLVER, "", ("127.0.0.1",), "", (), 4553)
    conf = render_conf(dns, tmp_path / "hosts", tmp_path / "log", tmp_path / "pid").splitlines()
    for line in (
        "no-resolv",
        "bind-interfaces",
        "listen-address=127.0.0.1",
        "port=4553",
        "local=/#/",
        f"pid-file={tmp_path / 'pid'}",
    ):
        assert line in conf
    assert not [line for line in conf if line.startswith(("server=", "dhcp", "interface="))]
