"""An internet-facing load balancer's nodes get public addresses, as on AWS: each node's
requester-managed interface shows one in its Association (from the Elastic IP pool),
DescribeLoadBalancers does not (AWS names an NLB node's address there only for an Elastic
IP or a chosen private address; an ALB's never), internal nodes get none, and deleting the
load balancer gives the addresses back."""

from __future__ import annotations

import ipaddress

from tests.api.ec2_helpers import make_subnet, make_vpc

POOL = ipaddress.IPv4Network("198.19.0.0/16")


def public_vpc(ec2):
    vpc = make_vpc(ec2, "10.70.0.0/16")
    subnets = [
        make_subnet(ec2, vpc, f"10.70.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")
        for i, zone in enumerate("ab", start=1)
    ]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    return vpc, subnets


def node_interfaces(ec2, lb):
    kind = "app" if lb["Type"] == "application" else "net"
    lb_id = lb["LoadBalancerArn"].rsplit("/", 1)[1]
    described = f"ELB {kind}/{lb['LoadBalancerName']}/{lb_id}"
    return ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [described]}]
    )["NetworkInterfaces"]


def test_internet_facing_nodes_have_public_addresses_given_back_on_delete(server, ec2, account):
    elb = server.client("elbv2", account)
    _, subnets = public_vpc(ec2)
    made = {
        kind: elb.create_load_balancer(
            Name=f"front-{kind}", Type=kind, Scheme=scheme, Subnets=subnets
        )["LoadBalancers"][0]
        for kind, scheme in (("application", "internet-facing"), ("network", "internet-facing"))
    }
    internal = elb.create_load_balancer(
        Name="inside", Type="network", Scheme="internal", Subnets=subnets
    )["LoadBalancers"][0]
    public: list[str] = []
    for lb in made.values():
        assert [z["LoadBalancerAddresses"] for z in lb["AvailabilityZones"]] == [[], []]
        enis = node_interfaces(ec2, lb)
        assert len(enis) == 2
        for eni in enis:
            address = eni["Association"]["PublicIp"]
            assert ipaddress.IPv4Address(address) in POOL
            public.append(address)
    assert len(set(public)) == 4
    assert all("Association" not in eni for eni in node_interfaces(ec2, internal))

    for lb in made.values():
        elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    eip = ec2.allocate_address(Domain="vpc")  # the pool hands out the lowest free address
    assert ipaddress.IPv4Address(eip["PublicIp"]) <= min(map(ipaddress.IPv4Address, public))
