"""S3 from a private subnet, through a gateway endpoint and through an interface endpoint.

An instance with no route out runs the unmodified AWS CLI (no endpoint URL: botocore's own
S3 names, privlink's CA as AWS_CA_BUNDLE). Every VPC resolves S3's public names to S3's
front addresses (inside the region's prefix list, see privlink/reconcile/s3_paths.py), but
nothing carries traffic there until a gateway endpoint routes the subnet's table to it;
subnets whose table it does not route still cannot connect. An interface endpoint works
from any subnet: with its endpoint-specific name as endpoint URL (bucket.vpce-..., as AWS
documents), and with private DNS once PrivateDnsOnlyForInboundResolverEndpoint is off (on,
in-VPC queries keep the public answer and traffic keeps to the gateway, as on AWS).
"""

from __future__ import annotations

import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from privlink.dataplane.linux import dnsmasq, rulesets, topology
from privlink.dataplane.plan import (
    HOST_RESOLVER,
    DataplanePlan,
    DnsRecord,
    GatewayNet,
    SubnetNet,
    VpcNet,
)
from privlink.dataplane.plan_checks import validate
from privlink.reconcile import s3_paths
from tests.dataplane.test_aws_service_endpoints import (
    aws_run_in,
    eni_ips,
    https_group,
    instance_in,
    network,
    wait_available,
)
from tests.dataplane.world import run_in, wait_for
from tests.harness import Server

ACCOUNT = "555555555555"
FRONTS = ["3.5.0.10", "3.5.0.11"]  # us-east-1: the first S3 prefix-list CIDR, .10 and .11


@pytest.fixture
def linux_server(fresh_server: Any) -> Server:
    return fresh_server(extra_args=["--dataplane", "linux", "--dns-port", "0"])


def s3_cli(server: Server, instance: str, *args: str) -> subprocess.CompletedProcess[str]:
    return aws_run_in(server, instance, ACCOUNT, "s3", *args)


def resolves(instance: str, name: str) -> list[str]:
    return sorted(run_in(instance, "dig", "+short", name).stdout.split())


@pytest.mark.dataplane
def test_s3_from_a_private_subnet_through_gateway_and_interface_endpoints(
    linux_server: Server,
) -> None:
    server = linux_server
    ec2 = server.client("ec2", ACCOUNT)
    vpc, (routed_subnet, other_subnet) = network(ec2, "10.30.0.0/16", "ab")
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=routed_subnet)
    routed, other = instance_in(ec2, routed_subnet), instance_in(ec2, other_subnet)
    bucket = f"plk-dags-{secrets.token_hex(4)}"
    s3 = server.client("s3", ACCOUNT)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dags/hello.py", Body=b"print('hello')\n")
    wait_for(lambda: run_in(other, "true").returncode == 0, 20, "the instances")

    # No endpoint: S3's names resolve (public DNS), but there is no route to them.
    assert wait_for(lambda: resolves(routed, "s3.amazonaws.com") or None, 15, "S3's name") == (
        FRONTS
    )
    assert resolves(routed, f"{bucket}.s3.us-east-1.amazonaws.com") == FRONTS
    failed = s3_cli(server, routed, "ls", f"s3://{bucket}/")
    assert failed.returncode != 0
    assert "Could not connect to the endpoint URL" in failed.stderr, failed.stderr

    # A gateway endpoint on the routed subnet's table: that subnet reaches S3, no other.
    gateway = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
        RouteTableIds=[table],
    )["VpcEndpoint"]["VpcEndpointId"]  # fmt: skip
    listing = wait_for(
        lambda: (r := s3_cli(server, routed, "ls", f"s3://{bucket}/dags/")).returncode == 0
        and r.stdout,
        20,
        "S3 through the gateway endpoint",
    )
    assert "hello.py" in listing
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as upload:
        Path(upload.name).write_text("from the VPC\n")
        copied = s3_cli(server, routed, "cp", upload.name, f"s3://{bucket}/up.txt")
        assert copied.returncode == 0, copied.stderr
    assert s3.get_object(Bucket=bucket, Key="up.txt")["Body"].read() == b"from the VPC\n"
    unrouted = s3_cli(server, other, "ls", f"s3://{bucket}/")
    assert "Could not connect to the endpoint URL" in unrouted.stderr, unrouted.stderr

    # An interface endpoint: its own names from any subnet; private DNS stays off for
    # in-VPC queries while the gateway is there (AWS's default).
    group = https_group(ec2, vpc, "10.30.0.0/16")
    interface = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Interface",
        SubnetIds=[routed_subnet, other_subnet], SecurityGroupIds=[group],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]  # fmt: skip
    assert interface["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True
    wait_available(ec2, [interface["VpcEndpointId"]])
    regional = interface["DnsEntries"][0]["DnsName"]
    assert regional.startswith("*.vpce-")
    enis = sorted(eni_ips(ec2, interface["VpcEndpointId"]))
    named = f"{bucket}.bucket.{regional[2:]}"
    assert wait_for(lambda: resolves(other, named) or None, 15, "the endpoint's name") == enis
    assert resolves(other, "s3.us-east-1.amazonaws.com") == FRONTS
    via_name = s3_cli(
        server, other, "cp", f"s3://{bucket}/dags/hello.py", "-",
        "--endpoint-url", f"https://bucket.{regional[2:]}",
    )  # fmt: skip
    assert via_name.returncode == 0, via_name.stderr
    assert via_name.stdout == "print('hello')\n"

    # Private DNS for in-VPC queries too: S3's own names now lead to the interface endpoint,
    # from the subnet the gateway never served as well.
    ec2.modify_vpc_endpoint(
        VpcEndpointId=interface["VpcEndpointId"],
        DnsOptions={"PrivateDnsOnlyForInboundResolverEndpoint": False},
    )
    wait_for(lambda: resolves(other, "s3.us-east-1.amazonaws.com") == enis, 15, "private DNS")
    assert resolves(other, f"{bucket}.s3.us-east-1.amazonaws.com") == enis
    private = aws_run_in(
        server, other, ACCOUNT, "--region", "us-east-1", "s3api", "list-objects-v2",
        "--bucket", bucket, "--endpoint-url", "https://s3.us-east-1.amazonaws.com",
    )  # fmt: skip
    assert private.returncode == 0, private.stderr
    assert "up.txt" in private.stdout
    ec2.delete_vpc_endpoints(VpcEndpointIds=[gateway])


# -- the plan and its rendering (pure, no root; nft -c needs the tool) ------------------------

VPC = VpcNet(
    "vpc-s3",
    "10.30.0.0/16",
    (SubnetNet("subnet-r", "10.30.1.0/24", "us-east-1a"),),
    dns_records=(
        DnsRecord("s3.us-east-1.amazonaws.com", tuple(FRONTS), wildcard=True),
        DnsRecord("ip-10-30-1-10.ec2.internal", ("10.30.1.10",)),
    ),
)
GATEWAY = GatewayNet("vpce-g1", "vpc-s3", tuple(FRONTS), ("10.30.1.0/24",), 4443)


def test_front_addresses_lie_in_the_regions_s3_prefix_list() -> None:
    assert list(s3_paths.front_addresses("us-east-1")) == FRONTS
    records = {r.name: r for r in s3_paths.public_records("us-west-2")}
    assert records["s3.amazonaws.com"].addresses == tuple(FRONTS)  # the global endpoint
    west = records["s3.us-west-2.amazonaws.com"]
    assert west.wildcard and west.addresses == ("52.92.32.10", "52.92.32.11")


def test_gateway_plan_renders_fronts_relay_and_filter_on_the_router() -> None:
    plan = DataplanePlan((VPC,), gateways=(GATEWAY,))
    assert validate(plan) == {}
    spec = topology.build(plan)
    router = spec.namespaces["plk-vpc-s3"]
    assert {"3.5.0.10/32", "3.5.0.11/32"} <= set(router.loopback)
    assert router.ruleset is not None and "ip saddr 10.30.1.0/24 tcp dport 443 accept" in (
        router.ruleset
    )
    relay = spec.proxies["vpce-g1"]
    assert relay.listen_netns == "plk-vpc-s3" and relay.connect_netns == ""
    assert {(li.ip, li.port, li.targets) for li in relay.listeners} == {
        (ip, 443, (("127.0.0.1", 4443),)) for ip in FRONTS
    }
    dns = spec.dns["vpc-s3"]
    assert dns.wildcards == (("s3.us-east-1.amazonaws.com", tuple(FRONTS)),)
    assert "s3.us-east-1" not in dns.hosts and "ip-10-30-1-10.ec2.internal" in dns.hosts
    conf = dnsmasq.render_records(dns, Path("/h"), Path("/l"), 5301)
    assert "address=/s3.us-east-1.amazonaws.com/3.5.0.10\n" in conf
    endpoint_name = DnsRecord("vpce-1-abcdefgh.s3.us-east-1.vpce.amazonaws.com", ("10.30.1.5",),
                              wildcard=True)  # fmt: skip
    host = topology.build(DataplanePlan(host_dns_port=4553, host_dns=(endpoint_name,)))
    assert host.dns[HOST_RESOLVER].wildcards == ((endpoint_name.name, ("10.30.1.5",)),)
    assert host.dns[HOST_RESOLVER].hosts == ""


def test_a_gateway_no_table_routes_leaves_the_router_alone() -> None:
    plan = DataplanePlan((VPC,), gateways=(GatewayNet("vpce-g1", "vpc-s3", tuple(FRONTS), (), 1),))
    spec = topology.build(plan)
    assert spec.namespaces["plk-vpc-s3"].ruleset is None and not spec.proxies
    assert not any(a.startswith("3.5.") for a in spec.namespaces["plk-vpc-s3"].loopback)


def test_gateway_validation() -> None:
    inside = GatewayNet("vpce-g2", "vpc-s3", ("10.30.9.9",), ("10.30.1.0/24",), 4443)
    unknown = GatewayNet("vpce-g3", "vpc-nope", tuple(FRONTS), (), 4443)
    plan = DataplanePlan((VPC,), gateways=(GATEWAY, inside, unknown))
    assert set(validate(plan)) == {"vpce-g2", "vpce-g3"}
    assert plan.without(validate(plan)).gateways == (GATEWAY,)
    cname = DnsRecord("x.example", cname="y.example", wildcard=True)
    bad_vpc = VpcNet("vpc-w", "10.1.0.0/16", dns_records=(cname,))
    assert "vpc-w" in validate(DataplanePlan((bad_vpc,)))


@pytest.mark.dataplane
def test_gateway_ruleset_is_valid_nftables() -> None:
    body = rulesets.gateway(FRONTS, ["10.30.1.0/24", "10.30.3.0/24"], 443)
    script = f"table inet plk {{\n{body}\n}}\n"
    checked = subprocess.run(["nft", "-c", "-f", "-"], input=script, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
