"""A zonal outage on demand (`privlink az fail ZONE` / `restore`), end to end.

The provider's NLB has a node in each of us-east-1a, b and c; its targets live in a
and c, each answering with its zone's letter. The consumer's endpoint has an
interface in a and b, and the client lives in b. So with cross-zone load balancing
off, the endpoint's b interface reaches the node in b, which has no target of its
own: only a serves. Failing zone a then leaves the regional name with b's address
alone and nothing to serve it; turning cross-zone on lets node b send to c, and a
client that uses the regional name works again, connection after connection, while
a's address times out (no reset) and a's zonal name has no answer. Restoring a
brings its address, its target and its traffic back. With a target in b as well and
cross-zone off, b's node serves b's own target and the regional name never falters.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.dataplane.world import CONSUMER, PROVIDER, connect, dig, open_group, wait_for
from tests.harness import VENV_BIN, Server, free_port

pytestmark = pytest.mark.dataplane

ZONES = ("a", "b", "c")


def answering(zone: str) -> str:
    """UserData: a TCP server on 8080 that answers every connection with its zone."""
    return (
        "#!/bin/bash\nexec python3 -c '\nimport socket\ns = socket.socket()\n"
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        's.bind(("0.0.0.0", 8080))\ns.listen(64)\nwhile True:\n'
        f'    c, _ = s.accept()\n    c.sendall(b"zone-{zone}\\n")\n    c.close()\n\'\n'
    )


def subnets(ec2: Any, zones: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return vpc, {
        z: ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{i + 1}.0/24", AvailabilityZone=f"us-east-1{z}"
        )["Subnet"]["SubnetId"]
        for i, z in enumerate(zones)
    }


def az(server: Server, *args: str) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "privlink"), "az", "--url", server.url, *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def host_dig(port: int, name: str) -> list[str]:
    """What the host-side resolver (privlink up --dns-port) answers for a public name."""
    argv = ["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", "+short", name, "A"]
    return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.split()


class Outage:
    """The provider and consumer above, built through the API."""

    def __init__(self, server: Server, dns_port: int) -> None:
        self.server = server
        self.dns_port = dns_port
        self.p_ec2 = server.client("ec2", PROVIDER)
        self.elb = server.client("elbv2", PROVIDER)
        self.c_ec2 = server.client("ec2", CONSUMER)
        vpc, self.provider_subnets = subnets(self.p_ec2, ZONES)
        self.group = open_group(self.p_ec2, vpc, "web", (8080, 8080), "10.0.0.0/16")
        self.backends = {z: self.launch(z) for z in ("a", "c")}
        self.nlb = self.elb.create_load_balancer(
            Name="zonal",
            Type="network",
            Scheme="internal",
            Subnets=list(self.provider_subnets.values()),
        )["LoadBalancers"][0]["LoadBalancerArn"]
        self.tg = self.elb.create_target_group(
            Name="zonal",
            Protocol="TCP",
            Port=8080,
            VpcId=vpc,
            TargetType="instance",
            HealthCheckIntervalSeconds=5,
            HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        self.elb.register_targets(
            TargetGroupArn=self.tg, Targets=[{"Id": i} for i in self.backends.values()]
        )
        self.elb.create_listener(
            LoadBalancerArn=self.nlb,
            Protocol="TCP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": self.tg}],
        )
        service = self.p_ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[self.nlb], AcceptanceRequired=False
        )["ServiceConfiguration"]
        self.p_ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=service["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER}:root"]
        )
        c_vpc, consumer_subnets = subnets(self.c_ec2, ("a", "b"))
        c_group = open_group(self.c_ec2, c_vpc, "endpoint", (80, 80), "10.0.0.0/16")
        self.client = self.c_ec2.run_instances(
            ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=consumer_subnets["b"]
        )["Instances"][0]["InstanceId"]
        self.endpoint = self.c_ec2.create_vpc_endpoint(
            VpcId=c_vpc,
            ServiceName=service["ServiceName"],
            VpcEndpointType="Interface",
            SubnetIds=list(consumer_subnets.values()),
            SecurityGroupIds=[c_group],
        )["VpcEndpoint"]["VpcEndpointId"]

    def launch(self, zone: str) -> str:
        """A backend in `zone` that answers with the zone's letter."""
        return self.p_ec2.run_instances(  # type: ignore[no-any-return]
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            SubnetId=self.provider_subnets[zone],
            SecurityGroupIds=[self.group],
            UserData=answering(zone),
        )["Instances"][0]["InstanceId"]

    def add_target(self, zone: str) -> None:
        self.backends[zone] = self.launch(zone)
        self.elb.register_targets(TargetGroupArn=self.tg, Targets=[{"Id": self.backends[zone]}])

    def described(self) -> dict[str, Any]:
        found = self.c_ec2.describe_vpc_endpoints(VpcEndpointIds=[self.endpoint])
        return found["VpcEndpoints"][0]  # type: ignore[no-any-return]

    def eni_ips(self) -> dict[str, str]:
        """Zone letter -> the endpoint's address there."""
        enis = self.c_ec2.describe_network_interfaces(
            NetworkInterfaceIds=self.described()["NetworkInterfaceIds"]
        )["NetworkInterfaces"]
        return {e["AvailabilityZone"][-1]: e["PrivateIpAddress"] for e in enis}

    def health(self) -> dict[str, str]:
        """Zone letter -> its target's health."""
        zone_of = {i: z for z, i in self.backends.items()}
        found = self.elb.describe_target_health(TargetGroupArn=self.tg)["TargetHealthDescriptions"]
        return {zone_of[t["Target"]["Id"]]: t["TargetHealth"]["State"] for t in found}

    def backend_ip(self, zone: str) -> str:
        found = self.p_ec2.describe_instances(InstanceIds=[self.backends[zone]])
        return found["Reservations"][0]["Instances"][0]["PrivateIpAddress"]  # type: ignore[no-any-return]

    def neighbour(self) -> subprocess.CompletedProcess[str]:
        """c's backend connecting straight to a's, inside the provider's VPC."""
        return connect(self.backends["c"], self.backend_ip("a"), 8080)

    def cross_zone(self, on: bool) -> None:
        self.elb.modify_load_balancer_attributes(
            LoadBalancerArn=self.nlb,
            Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": str(on).lower()}],
        )

    def replies(self, host: str, count: int) -> list[str]:
        """What `count` connections in a row to host:80 answered (or how they failed)."""
        out = []
        for _ in range(count):
            result = connect(self.client, host, 80)
            out.append(result.stdout.strip() if result.returncode == 0 else "failed")
        return out


@pytest.fixture
def outage(fresh_server: Any) -> Outage:
    port = free_port()
    built = Outage(fresh_server(extra_args=["--dataplane", "linux", "--dns-port", str(port)]), port)
    wait_for(lambda: set(built.health().values()) == {"healthy"}, 60, "both targets healthy")
    wait_for(lambda: built.described()["State"] == "available", 30, "the endpoint available")
    return built


def test_a_zonal_outage_as_aws_has_one(outage: Outage) -> None:
    entries = [e["DnsName"] for e in outage.described()["DnsEntries"]]
    regional = entries[0]
    zonal = {name.split(".")[0][-1]: name for name in entries[1:]}  # ...-us-east-1a.vpce...
    ips = outage.eni_ips()
    client = outage.client
    wait_for(lambda: sorted(dig(client, regional)) == sorted(ips.values()), 30, "both zones")
    # Cross-zone off: each zone's node serves its own zone's targets (b has none).
    wait_for(lambda: outage.replies(zonal["a"], 1) == ["zone-a"], 30, "zone a through a")
    assert outage.replies(zonal["a"], 3) == ["zone-a"] * 3
    assert outage.replies(zonal["b"], 2) == ["failed"] * 2
    assert outage.neighbour().stdout.strip() == "zone-a"

    az(outage.server, "fail", "us-east-1a")
    described = outage.c_ec2.describe_availability_zones()["AvailabilityZones"]
    zones = {z["ZoneName"]: z["State"] for z in described}
    assert zones["us-east-1a"] == "impaired" and zones["us-east-1b"] == "available"
    # The regional name drops a's address; a's zonal name has no answer at all.
    wait_for(lambda: dig(client, regional) == [ips["b"]], 30, "the regional name without a")
    assert dig(client, zonal["a"]) == []
    assert dig(client, zonal["b"]) == [ips["b"]]
    assert host_dig(outage.dns_port, regional) == [ips["b"]]  # the host's resolver too
    assert host_dig(outage.dns_port, zonal["a"]) == []
    # a's address does not answer: the connection times out (no reset, no ICMP).
    # (DNS and the kernel's rules change in one apply; wait for both, not for either.)
    wait_for(lambda: "timed out" in connect(client, ips["a"], 80).stderr, 20, "a to time out")
    # So does every instance in the zone, even to its own VPC's other zones.
    wait_for(lambda: "timed out" in outage.neighbour().stderr, 20, "a's instance to time out")
    # Its target stops answering health checks too.
    wait_for(lambda: outage.health()["a"] == "unhealthy", 40, "a's target unhealthy")
    # Cross-zone off: zone b's node has no target of its own left to send to.
    assert outage.replies(regional, 2) == ["failed"] * 2

    outage.cross_zone(True)  # node b now sends to the healthy targets of every zone: c
    wait_for(lambda: outage.replies(regional, 1) == ["zone-c"], 30, "the regional name via c")
    assert outage.replies(regional, 6) == ["zone-c"] * 6

    az(outage.server, "restore", "us-east-1a")
    wait_for(lambda: sorted(dig(client, regional)) == sorted(ips.values()), 30, "a's address back")
    assert dig(client, zonal["a"]) == [ips["a"]]
    assert sorted(host_dig(outage.dns_port, regional)) == sorted(ips.values())
    wait_for(lambda: outage.health()["a"] == "healthy", 40, "a's target healthy again")
    wait_for(lambda: outage.neighbour().stdout.strip() == "zone-a", 20, "a's instance back")
    wait_for(lambda: "zone-a" in outage.replies(zonal["a"], 4), 30, "traffic through a again")
    assert set(outage.replies(regional, 8)) <= {"zone-a", "zone-c"}  # no "failed"


def test_targets_in_both_zones_ride_out_an_outage_without_cross_zone(outage: Outage) -> None:
    """Targets in both of the endpoint's zones, cross-zone off: b's node serves b's own
    target, so a client of the regional name never notices a's outage."""
    outage.add_target("b")
    wait_for(lambda: outage.health().get("b") == "healthy", 60, "b's target healthy")
    regional, zonal_a, zonal_b = (e["DnsName"] for e in outage.described()["DnsEntries"])
    assert "-us-east-1b." in zonal_b
    ips = outage.eni_ips()
    wait_for(lambda: outage.replies(zonal_b, 1) == ["zone-b"], 30, "b's target serving b")

    az(outage.server, "fail", "us-east-1a")
    wait_for(lambda: dig(outage.client, regional) == [ips["b"]], 30, "the regional name without a")
    assert outage.replies(regional, 8) == ["zone-b"] * 8
    az(outage.server, "restore", "us-east-1a")
    wait_for(lambda: len(dig(outage.client, regional)) == 2, 30, "a's address back")
    wait_for(lambda: outage.replies(zonal_a, 1) == ["zone-a"], 30, "a serving again")
    assert set(outage.replies(regional, 6)) <= {"zone-a", "zone-b"}
