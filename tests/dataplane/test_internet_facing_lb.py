"""Internet-facing load balancers on privlink's internet, end to end (boto3 + traffic).

A VPC with an internet gateway and two public subnets; a web instance (no public address)
behind an internet-facing ALB (HTTP 80 -> 8080) and an internet-facing NLB (TCP 81 ->
8080). Each node's interface holds a public address; the load balancers' DNS names answer
those on privlink's internet and inside the VPC (AWS: an internet-facing name resolves to
public addresses everywhere), and the internet computer (`privlink exec --internet`)
reaches the web server through either load balancer, by name and through every node.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dataplane.test_vpc_paths_api import WEB, linux_server, main_table
from tests.dataplane.world import dig, network, on_internet, open_group, wait_for

__all__ = ["linux_server"]  # the fixture, imported for this module's tests

ACCOUNT = "636363636363"


def public_addresses(ec2: Any, lb: dict[str, Any]) -> list[str]:
    kind = "app" if lb["Type"] == "application" else "net"
    lb_id = lb["LoadBalancerArn"].rsplit("/", 1)[1]
    enis = ec2.describe_network_interfaces(Filters=[
        {"Name": "description", "Values": [f"ELB {kind}/{lb['LoadBalancerName']}/{lb_id}"]}
    ])["NetworkInterfaces"]  # fmt: skip
    return sorted(e["Association"]["PublicIp"] for e in enis)


def fetched(url: str, *extra: str) -> bool:
    return on_internet("curl", "-sf", "-o", "/dev/null", "-m", "3", *extra, url).returncode == 0


def forward_to(elb: Any, lb: dict[str, Any], vpc: str, web: str, protocol: str, port: int) -> None:
    tg = elb.create_target_group(
        Name=f"web-{protocol.lower()}", Protocol=protocol, Port=8080, VpcId=vpc,
        TargetType="instance", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": web}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol=protocol, Port=port,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])  # fmt: skip


def reached_from_internet(ec2: Any, web: str, lb: dict[str, Any], port: int) -> None:
    """The name answers the nodes' public addresses on the internet and in the VPC, and
    the internet computer gets the web server's page through the name and every node."""
    name, public = lb["DNSName"], public_addresses(ec2, lb)
    assert len(public) == 2 and all(a.startswith("198.19.") for a in public)
    wait_for(lambda: sorted(on_internet("dig", "+short", name).stdout.split()) == public, 20,
             f"{name} on the internet's resolver")  # fmt: skip
    assert sorted(dig(web, name)) == public  # inside the VPC too
    wait_for(lambda: fetched(f"http://{name}:{port}/"), 40, f"{name} from the internet")
    for address in public:  # every node answers on its public address
        assert fetched(f"http://{name}:{port}/", "--resolve", f"{name}:{port}:{address}")


@pytest.mark.dataplane
def test_internet_facing_alb_and_nlb_reached_from_privlinks_internet(linux_server: Any) -> None:
    ec2, elb = linux_server.client("ec2", ACCOUNT), linux_server.client("elbv2", ACCOUNT)
    vpc, subnets = network(ec2, "10.80.0.0/16")
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=main_table(ec2, vpc), DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=igw)  # fmt: skip
    web = ec2.run_instances(
        ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=subnets[0], UserData=WEB,
        SecurityGroupIds=[open_group(ec2, vpc, "web", (8080, 8080), "10.80.0.0/16")],
    )["Instances"][0]["InstanceId"]  # fmt: skip
    alb = elb.create_load_balancer(
        Name="front", Type="application", Scheme="internet-facing", Subnets=subnets,
        SecurityGroups=[open_group(ec2, vpc, "alb", (80, 80), "0.0.0.0/0")],
    )["LoadBalancers"][0]  # fmt: skip
    nlb = elb.create_load_balancer(
        Name="front-net", Type="network", Scheme="internet-facing", Subnets=subnets
    )["LoadBalancers"][0]
    elb.modify_load_balancer_attributes(  # the web server is in zone a only
        LoadBalancerArn=nlb["LoadBalancerArn"],
        Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
    )
    forward_to(elb, alb, vpc, web, "HTTP", 80)
    forward_to(elb, nlb, vpc, web, "TCP", 81)

    reached_from_internet(ec2, web, alb, 80)
    reached_from_internet(ec2, web, nlb, 81)

    elb.delete_load_balancer(LoadBalancerArn=alb["LoadBalancerArn"])
    wait_for(lambda: not on_internet("dig", "+short", alb["DNSName"]).stdout.split(), 20,
             "the deleted ALB's name gone")  # fmt: skip
