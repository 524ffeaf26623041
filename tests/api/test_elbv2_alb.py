"""ELBv2 application load balancers black-box through boto3 and the AWS CLI: load balancers,
HTTP/HTTPS target groups and health-check settings, HTTP/HTTPS listeners with ACM
certificates, forward / redirect / fixed-response actions, and AWS's errors for each."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_acm import make_pki
from tests.api.test_elbv2 import Net, forward

ALB_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer/app/([\w-]+)/([0-9a-f]{16})$"
)
ALB_LISTENER_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:us-east-1:\d{12}:listener/app/[\w-]+/[0-9a-f]{16}/[0-9a-f]{16}$"
)


def aws_error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def net(ec2) -> Net:
    """A VPC with subnets in us-east-1a and 1b."""
    vpc = ec2.create_vpc(CidrBlock="10.31.0.0/16")["Vpc"]["VpcId"]
    subnets, cidrs = {}, {}
    for index, zone in enumerate(("us-east-1a", "us-east-1b"), start=1):
        cidrs[zone] = f"10.31.{index}.0/24"
        subnets[zone] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidrs[zone], AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
    return Net(vpc, "10.31.0.0/16", subnets, cidrs)


@pytest.fixture
def elb(server, account):
    return server.client("elbv2", account)


@pytest.fixture
def acm(server, account):
    return server.client("acm", account)


@pytest.fixture
def cert(acm) -> str:
    """An imported certificate (the seed's import-certificate flow)."""
    pki = make_pki()
    leaf = pki.leaf("airflow.example.com")
    return acm.import_certificate(
        Certificate=leaf.pem, PrivateKey=leaf.key_pem, CertificateChain=pki.chain
    )["CertificateArn"]


def make_alb(elb, net: Net, name: str = "alb", **kw: Any) -> dict[str, Any]:
    kw.setdefault("Scheme", "internal")
    kw.setdefault("Subnets", [net.subnets["us-east-1a"], net.subnets["us-east-1b"]])
    return elb.create_load_balancer(Name=name, **kw)["LoadBalancers"][0]


def http_tg(elb, net: Net, name: str = "web", protocol: str = "HTTPS", **kw: Any) -> dict:
    kw.setdefault("TargetType", "ip")
    return elb.create_target_group(Name=name, Protocol=protocol, Port=443, VpcId=net.vpc, **kw)[
        "TargetGroups"
    ][0]


def test_application_load_balancer_shape(elb, ec2, net):
    lb = make_alb(elb, net)  # no Type: application is the API's default
    name, lb_id = ALB_ARN.match(lb["LoadBalancerArn"]).groups()  # type: ignore[union-attr]
    assert (name, lb["Type"], lb["Scheme"], lb["State"]) == (
        "alb",
        "application",
        "internal",
        {"Code": "provisioning"},
    )
    assert re.fullmatch(r"internal-alb-\d+\.us-east-1\.elb\.amazonaws\.com", lb["DNSName"])
    assert lb["CanonicalHostedZoneId"] == "Z35SXDOTRQ7X7K"
    default = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [net.vpc]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    assert lb["SecurityGroups"] == [default]  # none given: the VPC's default group
    assert "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic" not in lb
    assert [z["LoadBalancerAddresses"] for z in lb["AvailabilityZones"]] == [[], []]
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [f"ELB app/alb/{lb_id}"]}]
    )["NetworkInterfaces"]
    assert sorted(e["AvailabilityZone"] for e in enis) == ["us-east-1a", "us-east-1b"]
    assert {e["InterfaceType"] for e in enis} == {"interface"}
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])[
            "Attributes"
        ]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http2.enabled"] == "true"
    assert "dns_record.client_routing_policy" not in attributes
    code, _ = aws_error(
        elb.modify_load_balancer_attributes,
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "dns_record.client_routing_policy", "Value": "any_availability_zone"}],
    )
    assert code == "InvalidConfigurationRequest"
    changed = elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}],
    )["Attributes"]
    assert {"Key": "idle_timeout.timeout_seconds", "Value": "120"} in changed


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        (
            {"Subnets": ["one"]},
            "ValidationError",
            "At least two subnets in two different Availability Zones must be specified",
        ),
        ({"Scheme": "internet-facing"}, "InvalidSubnet", None),  # no internet gateway
        ({"Type": "gateway"}, "InvalidConfigurationRequest", None),
        ({"SecurityGroups": ["sg-0123456789abcdef0"]}, "InvalidSecurityGroup", None),
    ],
)
def test_create_application_load_balancer_errors(elb, net, kwargs, code, message):
    if kwargs.get("Subnets") == ["one"]:
        kwargs["Subnets"] = [net.subnets["us-east-1a"]]
    got_code, got_message = aws_error(make_alb, elb=elb, net=net, **kwargs)
    assert got_code == code
    if message:
        assert got_message == message


def test_http_target_group_health_check(elb, net):
    tg = http_tg(elb, net)
    assert (
        tg["Protocol"],
        tg["HealthCheckProtocol"],
        tg["HealthCheckPath"],
        tg["Matcher"],
        tg["HealthCheckIntervalSeconds"],
        tg["HealthCheckTimeoutSeconds"],
        tg["HealthyThresholdCount"],
        tg["UnhealthyThresholdCount"],
    ) == ("HTTPS", "HTTP", "/", {"HttpCode": "200"}, 30, 5, 5, 2)
    seed = elb.modify_target_group(
        TargetGroupArn=tg["TargetGroupArn"],
        HealthCheckProtocol="HTTPS",
        Matcher={"HttpCode": "200,302"},
        HealthCheckPath="/health",
    )["TargetGroups"][0]
    assert (seed["HealthCheckProtocol"], seed["Matcher"], seed["HealthCheckPath"]) == (
        "HTTPS",
        {"HttpCode": "200,302"},
        "/health",
    )
    ranged = http_tg(elb, net, name="ranged", Matcher={"HttpCode": "200-299,401"})
    assert ranged["Matcher"] == {"HttpCode": "200-299,401"}
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])[
            "Attributes"
        ]
    }
    assert attributes["stickiness.type"] == "lb_cookie"
    assert attributes["load_balancing.algorithm.type"] == "round_robin"
    assert "proxy_protocol_v2.enabled" not in attributes


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        (
            {"Matcher": {"HttpCode": "200,502"}},
            "ValidationError",
            "Health check matcher HTTP code '502' must be within '200-499' inclusive",
        ),
        ({"Matcher": {"HttpCode": "2xx"}}, "ValidationError", None),
        ({"HealthCheckProtocol": "TCP"}, "InvalidConfigurationRequest", None),
        ({"HealthCheckPath": "health"}, "ValidationError", None),
        ({"HealthCheckEnabled": False}, "InvalidConfigurationRequest", None),
        ({"HealthCheckIntervalSeconds": 5}, "InvalidConfigurationRequest", None),  # timeout 5
    ],
)
def test_http_target_group_errors(elb, net, kwargs, code, message):
    got_code, got_message = aws_error(http_tg, elb=elb, net=net, **kwargs)
    assert got_code == code
    if message:
        assert got_message == message


def test_https_listener_uses_an_acm_certificate(elb, acm, net, cert):
    lb = make_alb(elb, net)["LoadBalancerArn"]
    tg = http_tg(elb, net)["TargetGroupArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward(tg),
    )["Listeners"][0]
    assert ALB_LISTENER_ARN.match(listener["ListenerArn"])
    assert (listener["SslPolicy"], listener["Certificates"]) == (
        "ELBSecurityPolicy-2016-08",
        [{"CertificateArn": cert}],
    )
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == [lb]
    code, message = aws_error(acm.delete_certificate, CertificateArn=cert)
    assert code == "ResourceInUseException" and lb in message
    assert elb.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"][0][
        "LoadBalancerArns"
    ] == [lb]
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == []
    acm.delete_certificate(CertificateArn=cert)


def test_certificate_released_with_the_load_balancer(elb, acm, net, cert):
    lb = make_alb(elb, net)["LoadBalancerArn"]
    for port in (443, 8443):  # two listeners, one certificate: in use until both are gone
        elb.create_listener(
            LoadBalancerArn=lb,
            Protocol="HTTPS",
            Port=port,
            Certificates=[{"CertificateArn": cert}],
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "204"}}
            ],
        )
    first = elb.describe_listeners(LoadBalancerArn=lb)["Listeners"][0]["ListenerArn"]
    elb.delete_listener(ListenerArn=first)
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == [lb]
    elb.delete_load_balancer(LoadBalancerArn=lb)
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == []


def test_listener_modify_moves_the_certificate(elb, acm, net, cert):
    lb = make_alb(elb, net)["LoadBalancerArn"]
    pki = make_pki()
    leaf = pki.leaf("other.example.com")
    other = acm.import_certificate(Certificate=leaf.pem, PrivateKey=leaf.key_pem)["CertificateArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    )["Listeners"][0]["ListenerArn"]
    modified = elb.modify_listener(
        ListenerArn=listener,
        Certificates=[{"CertificateArn": other}],
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    )["Listeners"][0]
    assert modified["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert modified["DefaultActions"][0]["Type"] == "fixed-response"  # kept
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == []
    assert acm.describe_certificate(CertificateArn=other)["Certificate"]["InUseBy"] == [lb]
    plain = elb.modify_listener(ListenerArn=listener, Protocol="HTTP", Port=80)["Listeners"][0]
    assert "Certificates" not in plain and "SslPolicy" not in plain
    assert acm.describe_certificate(CertificateArn=other)["Certificate"]["InUseBy"] == []


def test_redirect_and_fixed_response_actions(elb, net):
    lb = make_alb(elb, net)["LoadBalancerArn"]
    redirect = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )["Listeners"][0]
    assert redirect["DefaultActions"] == [
        {
            "Type": "redirect",
            "Order": 1,
            "RedirectConfig": {
                "Protocol": "HTTPS",
                "Port": "443",
                "Host": "#{host}",
                "Path": "/#{path}",
                "Query": "#{query}",
                "StatusCode": "HTTP_301",
            },
        }
    ]
    fixed = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "503",
                    "ContentType": "application/json",
                    "MessageBody": '{"down": true}',
                },
            }
        ],
    )["Listeners"][0]
    assert fixed["DefaultActions"][0]["FixedResponseConfig"] == {
        "StatusCode": "503",
        "ContentType": "application/json",
        "MessageBody": '{"down": true}',
    }
    assert (
        elb.describe_listeners(LoadBalancerArn=lb)["Listeners"][1]["DefaultActions"]
        == fixed["DefaultActions"]
    )


FIXED_200 = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}]


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"Protocol": "HTTPS", "DefaultActions": FIXED_200},
            "ValidationError",
            "A certificate must be specified for HTTPS listeners",
        ),
        (
            {"Protocol": "HTTP", "Certificates": "cert", "DefaultActions": FIXED_200},
            "ValidationError",
            "A certificate cannot be specified for HTTP listeners",
        ),
        (
            {"Protocol": "HTTPS", "Certificates": "missing", "DefaultActions": FIXED_200},
            "CertificateNotFound",
            None,
        ),
        (
            {
                "Protocol": "HTTPS",
                "Certificates": "cert",
                "SslPolicy": "ELBSecurityPolicy-Nope",
                "DefaultActions": FIXED_200,
            },
            "SSLPolicyNotFound",
            "SSL policy 'ELBSecurityPolicy-Nope' not found",
        ),
        ({"Protocol": "TCP", "DefaultActions": FIXED_200}, "ValidationError", None),
        ({"Protocol": "HTTP", "DefaultActions": "tcp-group"}, "IncompatibleProtocols", None),
        (
            {
                "Protocol": "HTTP",
                "DefaultActions": [
                    {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "302"}}
                ],
            },
            "ValidationError",
            None,
        ),
        (
            {"Protocol": "HTTP", "DefaultActions": [{"Type": "redirect"}]},
            "ValidationError",
            "A redirect configuration must be specified for redirect actions",
        ),
        (
            {
                "Protocol": "HTTP",
                "DefaultActions": [
                    {"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_302"}}
                ],
            },
            "InvalidLoadBalancerAction",
            None,
        ),
        (
            {"Protocol": "HTTP", "DefaultActions": [FIXED_200[0], FIXED_200[0]]},
            "TooManyActions",
            None,
        ),
        (
            {
                "Protocol": "HTTP",
                "DefaultActions": [
                    {
                        "Type": "authenticate-oidc",
                        "AuthenticateOidcConfig": {
                            "Issuer": "i",
                            "AuthorizationEndpoint": "a",
                            "TokenEndpoint": "t",
                            "UserInfoEndpoint": "u",
                            "ClientId": "c",
                        },
                    }
                ],
            },
            "InvalidLoadBalancerAction",
            None,
        ),
    ],
)
def test_create_alb_listener_errors(elb, net, cert, params, code, message):
    lb = make_alb(elb, net)["LoadBalancerArn"]
    if params.get("Certificates") == "cert":
        params["Certificates"] = [{"CertificateArn": cert}]
    elif params.get("Certificates") == "missing":
        params["Certificates"] = [{"CertificateArn": cert[:-12] + "000000000000"}]
    if params.get("DefaultActions") == "tcp-group":
        tcp = elb.create_target_group(
            Name="tcp", Protocol="TCP", Port=80, VpcId=net.vpc, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        params["DefaultActions"] = forward(tcp)
    got_code, got_message = aws_error(elb.create_listener, LoadBalancerArn=lb, Port=443, **params)
    assert got_code == code
    if message:
        assert got_message == message
    assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"] == []


def test_nlb_tls_listener_needs_an_acm_certificate(elb, acm, net, cert):
    lb = elb.create_load_balancer(
        Name="nlb",
        Type="network",
        Scheme="internal",
        Subnets=[net.subnets["us-east-1a"]],
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="tls", Protocol="TCP", Port=443, VpcId=net.vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    code, message = aws_error(
        elb.create_listener,
        LoadBalancerArn=lb,
        Protocol="TLS",
        Port=443,
        Certificates=[{"CertificateArn": cert[:-12] + "000000000000"}],
        DefaultActions=forward(tg),
    )
    assert code == "CertificateNotFound" and message.startswith("Certificate 'arn:aws:acm:")
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="TLS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward(tg),
    )
    assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == [lb]
    assert aws_error(acm.delete_certificate, CertificateArn=cert)[0] == "ResourceInUseException"


def test_alb_through_the_cli(server, account, net, cert):
    """The seed's load-balancer path with the CLI, as a user would type it."""

    def aws(*args: str) -> Any:
        done = server.aws(*args, account=account)
        return json.loads(done.stdout) if done.stdout.strip() else None

    lb = aws(
        "elbv2", "create-load-balancer", "--name", "seed-alb", "--scheme", "internal",
        "--subnets", net.subnets["us-east-1a"], net.subnets["us-east-1b"],
    )["LoadBalancers"][0]  # fmt: skip
    tg = aws(
        "elbv2", "create-target-group", "--name", "seed-tg", "--protocol", "HTTPS",
        "--port", "443", "--vpc-id", net.vpc, "--target-type", "ip",
        "--health-check-protocol", "HTTPS", "--matcher", 'HttpCode="200,302"',
    )["TargetGroups"][0]  # fmt: skip
    assert tg["Matcher"] == {"HttpCode": "200,302"}
    listener = aws(
        "elbv2", "create-listener", "--load-balancer-arn", lb["LoadBalancerArn"],
        "--protocol", "HTTPS", "--port", "443", "--certificates", f"CertificateArn={cert}",
        "--default-actions", f"Type=forward,TargetGroupArn={tg['TargetGroupArn']}",
    )["Listeners"][0]  # fmt: skip
    assert listener["Protocol"] == "HTTPS"
    health = aws(
        "elbv2", "describe-target-health", "--target-group-arn", tg["TargetGroupArn"]
    )  # fmt: skip
    assert health["TargetHealthDescriptions"] == []
    done = server.aws(
        "acm", "delete-certificate", "--certificate-arn", cert, account=account, check=False
    )
    assert done.returncode != 0 and "ResourceInUseException" in done.stderr
