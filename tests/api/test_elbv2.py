"""ELBv2 (network load balancers) black-box through boto3: shapes and AWS error codes."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_elbv2_modify_listener import imported_certificate

LB_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:us-east-1:(\d{12}):loadbalancer/net/([\w-]+)/([0-9a-f]{16})$"
)
TG_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup/[\w-]+/[0-9a-f]{16}$"
)
LISTENER_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:us-east-1:\d{12}:listener/net/[\w-]+/[0-9a-f]{16}/[0-9a-f]{16}$"
)


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as info:
        call()
    return str(info.value.response["Error"]["Code"])


@dataclass
class Net:
    vpc: str
    cidr: str
    subnets: dict[str, str]  # AZ -> subnet id
    cidrs: dict[str, str]  # AZ -> subnet CIDR


@pytest.fixture
def elb(server, account):
    return server.client("elbv2", account)


@pytest.fixture
def net(ec2) -> Net:
    """A VPC with subnets in us-east-1a, 1b and 1c."""
    cidr = "10.30.0.0/16"
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnets, cidrs = {}, {}
    for index, zone in enumerate(("us-east-1a", "us-east-1b", "us-east-1c"), start=1):
        block = f"10.30.{index}.0/24"
        subnets[zone] = ec2.create_subnet(VpcId=vpc, CidrBlock=block, AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        cidrs[zone] = block
    return Net(vpc, cidr, subnets, cidrs)


def make_lb(elb, net: Net, name: str = "nlb", zones=("us-east-1a", "us-east-1b"), **kw) -> dict:
    return elb.create_load_balancer(
        Name=name,
        Type="network",
        Scheme="internal",
        Subnets=[net.subnets[z] for z in zones],
        **kw,
    )["LoadBalancers"][0]


def make_tg(elb, net: Net, name: str = "tg", protocol: str = "TCP", **kw) -> dict:
    kw.setdefault("TargetType", "ip")
    return elb.create_target_group(Name=name, Protocol=protocol, Port=8080, VpcId=net.vpc, **kw)[
        "TargetGroups"
    ][0]


def forward(tg_arn: str) -> list[dict[str, str]]:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


def health(elb, tg_arn: str, **kw) -> list[dict]:
    return elb.describe_target_health(TargetGroupArn=tg_arn, **kw)["TargetHealthDescriptions"]


# --- load balancers -------------------------------------------------------------------
def test_create_load_balancer_shape(elb, ec2, net, account):
    lb = make_lb(elb, net, name="web-nlb")
    arn = lb["LoadBalancerArn"]
    match = LB_ARN.match(arn)
    assert match and match.group(1) == account and match.group(2) == "web-nlb"
    assert lb["DNSName"] == f"web-nlb-{match.group(3)}.elb.us-east-1.amazonaws.com"
    assert lb["CanonicalHostedZoneId"] == "Z26RNL4JYFTOTI"
    assert lb["State"] == {"Code": "provisioning"}
    assert (lb["Type"], lb["Scheme"], lb["VpcId"], lb["IpAddressType"]) == (
        "network",
        "internal",
        net.vpc,
        "ipv4",
    )
    zones = {z["ZoneName"]: z for z in lb["AvailabilityZones"]}
    assert set(zones) == {"us-east-1a", "us-east-1b"}
    for zone, item in zones.items():
        assert item["SubnetId"] == net.subnets[zone]
        [address] = item["LoadBalancerAddresses"]
        ip = ipaddress.IPv4Address(address["PrivateIPv4Address"])
        subnet = ipaddress.IPv4Network(net.cidrs[zone])
        assert ip in subnet and ip >= subnet.network_address + 4  # past AWS's reserved ones
    described = elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert described["State"] == {"Code": "active"}
    assert described["AvailabilityZones"] == lb["AvailabilityZones"]
    # each node holds an address in its subnet
    counts = {
        s["SubnetId"]: s["AvailableIpAddressCount"]
        for s in ec2.describe_subnets(SubnetIds=list(net.subnets.values()))["Subnets"]
    }
    assert counts[net.subnets["us-east-1a"]] == 250 and counts[net.subnets["us-east-1c"]] == 251


def test_subnet_mappings_choose_the_node_address(elb, net):
    lb = elb.create_load_balancer(
        Name="mapped",
        Type="network",
        Scheme="internal",
        SubnetMappings=[
            {"SubnetId": net.subnets["us-east-1b"], "PrivateIPv4Address": "10.30.2.77"}
        ],
    )["LoadBalancers"][0]
    [zone] = lb["AvailabilityZones"]
    assert zone["LoadBalancerAddresses"] == [{"PrivateIPv4Address": "10.30.2.77"}]
    code = error_code(
        lambda: elb.create_load_balancer(
            Name="outside",
            Type="network",
            Scheme="internal",
            SubnetMappings=[
                {"SubnetId": net.subnets["us-east-1a"], "PrivateIPv4Address": "10.30.9.9"}
            ],
        )
    )
    assert code == "InvalidConfigurationRequest"


def test_create_is_idempotent_but_names_are_unique(elb, net):
    first = make_lb(elb, net, name="same")
    again = make_lb(elb, net, name="same")
    assert again["LoadBalancerArn"] == first["LoadBalancerArn"]
    code = error_code(lambda: make_lb(elb, net, name="same", zones=("us-east-1c",)))
    assert code == "DuplicateLoadBalancerName"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"Subnets": ["subnet-0123456789abcdef0"]}, "SubnetNotFound"),
        ({"Subnets": []}, "ValidationError"),
        ({"Name": "-bad-"}, "ValidationError"),
        ({"Name": "x" * 33}, "ValidationError"),
        ({"Name": "internal-foo"}, "ValidationError"),
        ({"Type": "gateway"}, "InvalidConfigurationRequest"),
        ({"Scheme": "internet-facing"}, "InvalidSubnet"),  # the VPC has no internet gateway
        ({"IpAddressType": "dualstack"}, "InvalidConfigurationRequest"),
        ({"SecurityGroups": ["sg-0123456789abcdef0"]}, "InvalidSecurityGroup"),
    ],
)
def test_create_load_balancer_errors(elb, net, kwargs, code):
    params = {
        "Name": "bad",
        "Type": "network",
        "Scheme": "internal",
        "Subnets": [net.subnets["us-east-1a"]],
        **kwargs,
    }
    assert error_code(lambda: elb.create_load_balancer(**params)) == code


def test_subnets_must_be_one_per_zone_in_one_vpc(elb, ec2, net):
    second = ec2.create_subnet(
        VpcId=net.vpc, CidrBlock="10.30.4.0/24", AvailabilityZone="us-east-1a"
    )
    same_zone = [net.subnets["us-east-1a"], second["Subnet"]["SubnetId"]]
    assert (
        error_code(
            lambda: elb.create_load_balancer(
                Name="x", Type="network", Scheme="internal", Subnets=same_zone
            )
        )
        == "InvalidConfigurationRequest"
    )
    other = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_subnet(
        VpcId=other, CidrBlock="10.31.1.0/24", AvailabilityZone="us-east-1b"
    )
    two_vpcs = [net.subnets["us-east-1a"], foreign["Subnet"]["SubnetId"]]
    assert (
        error_code(
            lambda: elb.create_load_balancer(
                Name="x", Type="network", Scheme="internal", Subnets=two_vpcs
            )
        )
        == "InvalidConfigurationRequest"
    )
    both = {
        "Subnets": [net.subnets["us-east-1a"]],
        "SubnetMappings": [{"SubnetId": net.subnets["us-east-1b"]}],
    }
    assert (
        error_code(
            lambda: elb.create_load_balancer(Name="x", Type="network", Scheme="internal", **both)
        )
        == "ValidationError"
    )


def test_internet_facing_in_the_default_vpc(elb, ec2):
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ]
    lb = elb.create_load_balancer(
        Name="public", Type="network", Subnets=[s["SubnetId"] for s in subnets[:2]]
    )["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    assert all(z["LoadBalancerAddresses"] == [] for z in lb["AvailabilityZones"])


def test_describe_load_balancers_filters_and_pages(elb, net):
    arns = [make_lb(elb, net, name=f"lb-{i}")["LoadBalancerArn"] for i in range(3)]
    assert [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]] == arns
    by_name = elb.describe_load_balancers(Names=["lb-2", "lb-0"])["LoadBalancers"]
    assert [lb["LoadBalancerName"] for lb in by_name] == ["lb-2", "lb-0"]
    by_arn = elb.describe_load_balancers(LoadBalancerArns=[arns[1]])["LoadBalancers"]
    assert [lb["LoadBalancerArn"] for lb in by_arn] == [arns[1]]
    page = elb.describe_load_balancers(PageSize=2)
    assert [lb["LoadBalancerArn"] for lb in page["LoadBalancers"]] == arns[:2]
    rest = elb.describe_load_balancers(PageSize=2, Marker=page["NextMarker"])
    assert [lb["LoadBalancerArn"] for lb in rest["LoadBalancers"]] == arns[2:]
    assert "NextMarker" not in rest
    assert error_code(lambda: elb.describe_load_balancers(Names=["nope"])) == "LoadBalancerNotFound"
    assert error_code(lambda: elb.describe_load_balancers(PageSize=401)) == "ValidationError"
    assert error_code(lambda: elb.describe_load_balancers(Marker="bogus")) == "ValidationError"
    assert (
        error_code(lambda: elb.describe_load_balancers(Names=["lb-0"], LoadBalancerArns=[arns[0]]))
        == "ValidationError"
    )


def test_load_balancers_are_private_to_their_account(server, elb, net):
    arn = make_lb(elb, net)["LoadBalancerArn"]
    stranger = server.client("elbv2", "999999999999")
    assert (
        error_code(lambda: stranger.describe_load_balancers(LoadBalancerArns=[arn]))
        == "LoadBalancerNotFound"
    )


def test_delete_load_balancer_frees_addresses_and_listeners(elb, ec2, net):
    lb = make_lb(elb, net)
    tg = make_tg(elb, net)
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="TCP",
        Port=80,
        DefaultActions=forward(tg["TargetGroupArn"]),
    )
    subnet = net.subnets["us-east-1a"]
    assert error_code(lambda: ec2.delete_subnet(SubnetId=subnet)) == "DependencyViolation"
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])  # gone already: succeeds
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    # the listener went with it, so the target group is free again
    assert elb.describe_target_groups()["TargetGroups"][0]["LoadBalancerArns"] == []
    elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
    ec2.delete_subnet(SubnetId=subnet)
    assert (
        error_code(lambda: elb.delete_load_balancer(LoadBalancerArn="not-an-arn"))
        == "ValidationError"
    )


def test_load_balancer_attributes(elb, net):
    arn = make_lb(elb, net)["LoadBalancerArn"]
    attrs = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    }
    assert attrs["load_balancing.cross_zone.enabled"] == "false"
    assert attrs["deletion_protection.enabled"] == "false"
    assert attrs["access_logs.s3.enabled"] == "false"
    changed = elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn,
        Attributes=[
            {"Key": "load_balancing.cross_zone.enabled", "Value": "true"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
        ],
    )["Attributes"]
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "true"} in changed
    assert (
        error_code(lambda: elb.delete_load_balancer(LoadBalancerArn=arn)) == "OperationNotPermitted"
    )

    def modify(key: str, value: str) -> str:
        return error_code(
            lambda: elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn, Attributes=[{"Key": key, "Value": value}]
            )
        )

    assert modify("no.such.key", "1") == "ValidationError"
    assert modify("deletion_protection.enabled", "maybe") == "ValidationError"
    assert modify("idle_timeout.timeout_seconds", "60") == "InvalidConfigurationRequest"
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    elb.delete_load_balancer(LoadBalancerArn=arn)
    assert (
        error_code(lambda: elb.describe_load_balancer_attributes(LoadBalancerArn=arn))
        == "LoadBalancerNotFound"
    )


# --- target groups ---------------------------------------------------------------------
def test_target_group_defaults(elb, net):
    tg = make_tg(elb, net, name="tcp", TargetType="instance")
    assert TG_ARN.match(tg["TargetGroupArn"])
    assert {
        k: tg[k]
        for k in (
            "TargetGroupName",
            "Protocol",
            "Port",
            "VpcId",
            "TargetType",
            "HealthCheckProtocol",
            "HealthCheckPort",
            "HealthCheckEnabled",
            "HealthCheckIntervalSeconds",
            "HealthCheckTimeoutSeconds",
            "HealthyThresholdCount",
            "UnhealthyThresholdCount",
            "LoadBalancerArns",
            "IpAddressType",
        )
    } == {
        "TargetGroupName": "tcp",
        "Protocol": "TCP",
        "Port": 8080,
        "VpcId": net.vpc,
        "TargetType": "instance",
        "HealthCheckProtocol": "TCP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 10,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "LoadBalancerArns": [],
        "IpAddressType": "ipv4",
    }
    assert "HealthCheckPath" not in tg and "Matcher" not in tg
    http = make_tg(elb, net, name="http-check", HealthCheckProtocol="HTTP")
    assert (http["HealthCheckPath"], http["Matcher"], http["HealthCheckTimeoutSeconds"]) == (
        "/",
        {"HttpCode": "200-399"},
        6,
    )
    again = make_tg(elb, net, name="tcp", TargetType="instance")
    assert again["TargetGroupArn"] == tg["TargetGroupArn"]  # same settings: idempotent
    modified = elb.modify_target_group(
        TargetGroupArn=http["TargetGroupArn"], HealthCheckPath="/ready", HealthyThresholdCount=3
    )["TargetGroups"][0]
    assert (modified["HealthCheckPath"], modified["HealthyThresholdCount"]) == ("/ready", 3)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"Name": "dup", "Port": 9999}, "DuplicateTargetGroupName"),
        ({"Name": "bad_name"}, "ValidationError"),
        ({"Protocol": "GENEVE"}, "InvalidConfigurationRequest"),
        ({"TargetType": "lambda"}, "InvalidConfigurationRequest"),
        ({"VpcId": "vpc-0123456789abcdef0"}, "ValidationError"),
        ({"Port": None}, "ValidationError"),
        ({"HealthCheckEnabled": False}, "InvalidConfigurationRequest"),
        ({"HealthCheckPath": "/x"}, "InvalidConfigurationRequest"),  # TCP health check
        ({"HealthCheckTimeoutSeconds": 30}, "InvalidConfigurationRequest"),  # not < interval
        ({"HealthCheckProtocol": "UDP"}, "InvalidConfigurationRequest"),
        ({"HealthCheckPort": "70000"}, "ValidationError"),
    ],
)
def test_create_target_group_errors(elb, net, kwargs, code):
    make_tg(elb, net, name="dup")
    params = {"Name": "other", "Protocol": "TCP", "Port": 8080, "VpcId": net.vpc, **kwargs}
    params = {k: v for k, v in params.items() if v is not None}
    assert error_code(lambda: elb.create_target_group(**params)) == code


def test_describe_target_groups(elb, net):
    a = make_tg(elb, net, name="a")["TargetGroupArn"]
    b = make_tg(elb, net, name="b")["TargetGroupArn"]
    lb = make_lb(elb, net)["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(b))
    found = elb.describe_target_groups(LoadBalancerArn=lb)["TargetGroups"]
    assert [(t["TargetGroupArn"], t["LoadBalancerArns"]) for t in found] == [(b, [lb])]
    assert [
        t["TargetGroupName"] for t in elb.describe_target_groups(Names=["b", "a"])["TargetGroups"]
    ] == ["b", "a"]
    assert [
        t["TargetGroupArn"] for t in elb.describe_target_groups(TargetGroupArns=[a])["TargetGroups"]
    ] == [a]
    page = elb.describe_target_groups(PageSize=1)
    assert len(page["TargetGroups"]) == 1 and page["NextMarker"]
    assert error_code(lambda: elb.describe_target_groups(Names=["zzz"])) == "TargetGroupNotFound"
    assert (
        error_code(
            lambda: elb.describe_target_groups(LoadBalancerArn=lb.replace(lb[-16:], "0" * 16))
        )
        == "LoadBalancerNotFound"
    )
    assert error_code(lambda: elb.delete_target_group(TargetGroupArn=b)) == "ResourceInUse"
    elb.delete_target_group(TargetGroupArn=a)
    elb.delete_target_group(TargetGroupArn=a)  # already gone: succeeds
    assert [t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]] == [b]


def test_target_group_attributes(elb, net):
    ip_tg = make_tg(elb, net, name="ip")["TargetGroupArn"]
    instance_tg = make_tg(elb, net, name="inst", TargetType="instance")["TargetGroupArn"]

    def attrs(arn: str) -> dict[str, str]:
        found = elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        return {a["Key"]: a["Value"] for a in found}

    defaults = attrs(ip_tg)
    assert defaults["proxy_protocol_v2.enabled"] == "false"
    assert defaults["deregistration_delay.timeout_seconds"] == "300"
    assert defaults["preserve_client_ip.enabled"] == "false"  # ip targets over TCP
    assert defaults["stickiness.enabled"] == "false"
    assert defaults["stickiness.type"] == "source_ip"
    assert defaults["load_balancing.cross_zone.enabled"] == "use_load_balancer_configuration"
    assert attrs(instance_tg)["preserve_client_ip.enabled"] == "true"
    changed = elb.modify_target_group_attributes(
        TargetGroupArn=ip_tg,
        Attributes=[
            {"Key": "proxy_protocol_v2.enabled", "Value": "true"},
            {"Key": "deregistration_delay.timeout_seconds", "Value": "0"},
        ],
    )["Attributes"]
    assert {"Key": "proxy_protocol_v2.enabled", "Value": "true"} in changed
    assert attrs(ip_tg)["deregistration_delay.timeout_seconds"] == "0"

    def modify(arn: str, key: str, value: str) -> str:
        return error_code(
            lambda: elb.modify_target_group_attributes(
                TargetGroupArn=arn, Attributes=[{"Key": key, "Value": value}]
            )
        )

    assert modify(ip_tg, "nope", "1") == "ValidationError"
    assert modify(ip_tg, "deregistration_delay.timeout_seconds", "4000") == "ValidationError"
    assert modify(ip_tg, "stickiness.type", "lb_cookie") == "InvalidConfigurationRequest"
    assert modify(ip_tg, "slow_start.duration_seconds", "30") == "InvalidConfigurationRequest"
    udp = make_tg(elb, net, name="udp", protocol="UDP")["TargetGroupArn"]
    assert modify(udp, "proxy_protocol_v2.enabled", "true") == "InvalidConfigurationRequest"
    missing = ip_tg.replace(ip_tg[-16:], "0" * 16)
    assert (
        error_code(lambda: elb.describe_target_group_attributes(TargetGroupArn=missing))
        == "TargetGroupNotFound"
    )


# --- targets and health ----------------------------------------------------------------
def test_ip_targets_and_their_health(elb, net):
    tg = make_tg(elb, net)["TargetGroupArn"]
    elb.register_targets(
        TargetGroupArn=tg,
        Targets=[{"Id": "10.30.1.10"}, {"Id": "10.30.2.10", "Port": 9090}, {"Id": "10.30.3.10"}],
    )
    [first, *_] = health(elb, tg)
    assert first["Target"] == {"Id": "10.30.1.10", "Port": 8080, "AvailabilityZone": "us-east-1a"}
    assert first["HealthCheckPort"] == "8080"
    assert first["TargetHealth"] == {
        "State": "unused",
        "Reason": "Target.NotInUse",
        "Description": "Target group is not configured to receive traffic from the load balancer",
    }
    lb = make_lb(elb, net)["LoadBalancerArn"]  # in us-east-1a and 1b only
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg))
    states = {(h["Target"]["Id"], h["Target"]["Port"]): h["TargetHealth"] for h in health(elb, tg)}
    assert states[("10.30.1.10", 8080)] == {"State": "healthy"}
    assert states[("10.30.2.10", 9090)] == {"State": "healthy"}
    assert states[("10.30.3.10", 8080)]["State"] == "unused"  # us-east-1c is not enabled
    assert "Availability Zone" in states[("10.30.3.10", 8080)]["Description"]
    [unregistered] = health(elb, tg, Targets=[{"Id": "10.30.1.99"}])
    assert unregistered["TargetHealth"]["Reason"] == "Target.NotRegistered"
    [one] = health(elb, tg, Targets=[{"Id": "10.30.2.10", "Port": 9090}])
    assert one["TargetHealth"] == {"State": "healthy"}
    for bad in ("192.168.1.1", "not-an-ip"):
        assert (
            error_code(
                lambda bad=bad: elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": bad}])
            )
            == "InvalidTarget"
        )
    assert (
        error_code(
            lambda: elb.register_targets(
                TargetGroupArn=tg, Targets=[{"Id": "10.30.1.11", "AvailabilityZone": "us-east-1b"}]
            )
        )
        == "InvalidTarget"
    )
    missing = tg.replace(tg[-16:], "0" * 16)
    assert (
        error_code(
            lambda: elb.register_targets(TargetGroupArn=missing, Targets=[{"Id": "10.30.1.10"}])
        )
        == "TargetGroupNotFound"
    )


def test_deregistration_drains_while_in_use(elb, net):
    tg = make_tg(elb, net)["TargetGroupArn"]
    lb = make_lb(elb, net)["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg))
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.30.1.10"}, {"Id": "10.30.1.20"}])
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": "10.30.1.10"}])
    states = {h["Target"]["Id"]: h["TargetHealth"] for h in health(elb, tg)}
    assert states["10.30.1.10"] == {
        "State": "draining",
        "Reason": "Target.DeregistrationInProgress",
        "Description": "Target deregistration is in progress",
    }
    assert states["10.30.1.20"] == {"State": "healthy"}
    elb.modify_target_group_attributes(
        TargetGroupArn=tg,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
    )
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": "10.30.1.20"}])
    elb.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": "10.30.1.30"}])  # not registered
    assert [h["Target"]["Id"] for h in health(elb, tg)] == ["10.30.1.10"]
    # registering a draining target again makes it a fresh registration
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "10.30.1.10"}])
    assert [h["TargetHealth"]["State"] for h in health(elb, tg)] == ["healthy"]


def test_instance_targets(elb, ec2, net):
    tg = make_tg(elb, net, TargetType="instance")["TargetGroupArn"]
    assert (
        error_code(
            lambda: elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "i-0123456789abcdef0"}])
        )
        == "InvalidTarget"
    )
    assert (
        error_code(lambda: health(elb, tg, Targets=[{"Id": "i-0123456789abcdef0"}]))
        == "InvalidTarget"
    )
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net.subnets["us-east-1a"]
    )["Instances"][0]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": instance["InstanceId"]}])
    lb = make_lb(elb, net)["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg))
    [described] = health(elb, tg)
    assert described["Target"] == {"Id": instance["InstanceId"], "Port": 8080}
    assert described["TargetHealth"] == {"State": "healthy"}


# --- listeners ---------------------------------------------------------------------------
def test_listener_lifecycle(elb, net):
    lb = make_lb(elb, net)["LoadBalancerArn"]
    tg = make_tg(elb, net)["TargetGroupArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="TCP",
        Port=443,
        DefaultActions=forward(tg),
        Tags=[{"Key": "team", "Value": "net"}],
    )["Listeners"][0]
    assert LISTENER_ARN.match(listener["ListenerArn"])
    assert lb.split("/", 1)[1].replace("loadbalancer/", "") in listener["ListenerArn"]
    assert (listener["LoadBalancerArn"], listener["Port"], listener["Protocol"]) == (lb, 443, "TCP")
    assert listener["DefaultActions"] == [
        {
            "Type": "forward",
            "TargetGroupArn": tg,
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}],
                "TargetGroupStickinessConfig": {"Enabled": False},
            },
        }
    ]
    again = elb.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=443, DefaultActions=forward(tg)
    )["Listeners"][0]
    assert again["ListenerArn"] == listener["ListenerArn"]
    other = make_tg(elb, net, name="other")["TargetGroupArn"]
    assert (
        error_code(
            lambda: elb.create_listener(
                LoadBalancerArn=lb, Protocol="TCP", Port=443, DefaultActions=forward(other)
            )
        )
        == "DuplicateListener"
    )
    by_lb = elb.describe_listeners(LoadBalancerArn=lb)["Listeners"]
    by_arn = elb.describe_listeners(ListenerArns=[listener["ListenerArn"]])["Listeners"]
    assert by_lb == by_arn == [listener]
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"] == []
    assert (
        error_code(lambda: elb.delete_listener(ListenerArn=listener["ListenerArn"]))
        == "ListenerNotFound"
    )
    assert (
        error_code(lambda: elb.describe_listeners(ListenerArns=[listener["ListenerArn"]]))
        == "ListenerNotFound"
    )
    assert error_code(lambda: elb.describe_listeners()) == "ValidationError"


def test_tls_listener(elb, net, server, account):
    lb = make_lb(elb, net)["LoadBalancerArn"]
    tg = make_tg(elb, net, protocol="TLS")["TargetGroupArn"]
    assert (
        error_code(
            lambda: elb.create_listener(
                LoadBalancerArn=lb, Protocol="TLS", Port=443, DefaultActions=forward(tg)
            )
        )
        == "ValidationError"
    )
    cert = imported_certificate(server, account)
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="TLS",
        Port=443,
        DefaultActions=forward(tg),
        Certificates=[{"CertificateArn": cert}],
    )["Listeners"][0]
    assert listener["Certificates"] == [{"CertificateArn": cert}]
    assert listener["SslPolicy"] == "ELBSecurityPolicy-2016-08"


@pytest.mark.parametrize(
    ("protocol", "tg_protocol", "actions", "code"),
    [
        ("UDP", "TCP", None, "IncompatibleProtocols"),
        ("TCP", "UDP", None, "IncompatibleProtocols"),
        ("HTTP", "TCP", None, "ValidationError"),
        (
            "TCP",
            "TCP",
            [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
            "InvalidLoadBalancerAction",
        ),
        ("TCP", "TCP", [], "ValidationError"),
        ("TCP", "TCP", "two", "TooManyActions"),
        ("TCP", "TCP", "missing", "TargetGroupNotFound"),
    ],
)
def test_create_listener_errors(elb, net, protocol, tg_protocol, actions, code):
    lb = make_lb(elb, net)["LoadBalancerArn"]
    tg = make_tg(elb, net, protocol=tg_protocol)["TargetGroupArn"]
    if actions is None:
        actions = forward(tg)
    elif actions == "two":
        actions = forward(tg) * 2
    elif actions == "missing":
        actions = forward(tg.replace(tg[-16:], "0" * 16))
    assert (
        error_code(
            lambda: elb.create_listener(
                LoadBalancerArn=lb, Protocol=protocol, Port=80, DefaultActions=actions
            )
        )
        == code
    )


def test_a_target_group_serves_one_load_balancer(elb, net):
    tg = make_tg(elb, net)["TargetGroupArn"]
    first = make_lb(elb, net, name="first")["LoadBalancerArn"]
    second = make_lb(elb, net, name="second")["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=first, Protocol="TCP", Port=80, DefaultActions=forward(tg))
    elb.create_listener(LoadBalancerArn=first, Protocol="TCP", Port=81, DefaultActions=forward(tg))
    assert (
        error_code(
            lambda: elb.create_listener(
                LoadBalancerArn=second, Protocol="TCP", Port=80, DefaultActions=forward(tg)
            )
        )
        == "TargetGroupAssociationLimit"
    )
    missing = first.replace(first[-16:], "0" * 16)
    assert (
        error_code(
            lambda: elb.create_listener(
                LoadBalancerArn=missing, Protocol="TCP", Port=80, DefaultActions=forward(tg)
            )
        )
        == "LoadBalancerNotFound"
    )


# --- tags ---------------------------------------------------------------------------------
def test_tags_on_all_resource_kinds(elb, net):
    lb = make_lb(elb, net, Tags=[{"Key": "env", "Value": "dev"}])["LoadBalancerArn"]
    tg = make_tg(elb, net)["TargetGroupArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tg)
    )["Listeners"][0]["ListenerArn"]
    elb.add_tags(ResourceArns=[lb, tg, listener], Tags=[{"Key": "team", "Value": "net"}])
    described = {
        d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]}
        for d in elb.describe_tags(ResourceArns=[lb, tg, listener])["TagDescriptions"]
    }
    assert described == {
        lb: {"env": "dev", "team": "net"},
        tg: {"team": "net"},
        listener: {"team": "net"},
    }
    elb.remove_tags(ResourceArns=[lb], TagKeys=["env"])
    [only] = elb.describe_tags(ResourceArns=[lb])["TagDescriptions"]
    assert only["Tags"] == [{"Key": "team", "Value": "net"}]
    duplicate = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    assert error_code(lambda: elb.add_tags(ResourceArns=[lb], Tags=duplicate)) == "DuplicateTagKeys"
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error_code(lambda: elb.add_tags(ResourceArns=[tg], Tags=many)) == "TooManyTags"
    assert (
        error_code(lambda: elb.add_tags(ResourceArns=[lb], Tags=[{"Key": "aws:x", "Value": "1"}]))
        == "ValidationError"
    )
    assert (
        error_code(lambda: elb.describe_tags(ResourceArns=[lb.replace(lb[-16:], "0" * 16)]))
        == "LoadBalancerNotFound"
    )
    assert (
        error_code(lambda: elb.describe_tags(ResourceArns=[tg.replace(tg[-16:], "0" * 16)]))
        == "TargetGroupNotFound"
    )
    assert (
        error_code(lambda: elb.describe_tags(ResourceArns=["arn:aws:s3:::b"])) == "ValidationError"
    )
