"""ELBv2 ModifyListener for network load balancers: port, protocol, TLS settings, target group."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error
from tests.api.test_acm import make_pki


def imported_certificate(server, account):
    """TLS listeners serve an ACM certificate of the caller's: import one."""
    leaf = make_pki().leaf("tls.example.com")
    return server.client("acm", account).import_certificate(
        Certificate=leaf.pem, PrivateKey=leaf.key_pem
    )["CertificateArn"]


def forward(tg):
    return [{"Type": "forward", "TargetGroupArn": tg}]


def setup(server, account):
    ec2, elb = server.client("ec2", account), server.client("elbv2", account)
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
    lb = elb.create_load_balancer(Name="mod", Type="network", Scheme="internal", Subnets=[subnet])[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]

    def group(name, protocol="TCP"):
        return elb.create_target_group(
            Name=name, Protocol=protocol, Port=80, VpcId=vpc, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]

    return elb, lb, group


def test_port_protocol_and_target_group(server, account):
    elb, lb, group = setup(server, account)
    tcp, other, udp = group("tcp"), group("other"), group("udp", "UDP")
    listener = elb.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tcp)
    )["Listeners"][0]["ListenerArn"]
    second = elb.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=81, DefaultActions=forward(other)
    )["Listeners"][0]["ListenerArn"]

    moved = elb.modify_listener(ListenerArn=listener, Port=8080)["Listeners"][0]
    assert (moved["Port"], moved["Protocol"]) == (8080, "TCP")
    assert moved["DefaultActions"][0]["TargetGroupArn"] == tcp
    # The old port is free again; the new one is taken.
    elb.create_listener(LoadBalancerArn=lb, Protocol="TCP", Port=80, DefaultActions=forward(tcp))
    with aws_error("DuplicateListener"):
        elb.modify_listener(ListenerArn=second, Port=8080)

    switched = elb.modify_listener(ListenerArn=second, DefaultActions=forward(tcp))
    assert switched["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"] == tcp
    with aws_error("IncompatibleProtocols"):
        elb.modify_listener(ListenerArn=second, Protocol="UDP")
    udp_listener = elb.modify_listener(
        ListenerArn=second, Protocol="UDP", DefaultActions=forward(udp)
    )
    assert udp_listener["Listeners"][0]["Protocol"] == "UDP"
    (found,) = elb.describe_listeners(ListenerArns=[second])["Listeners"]
    assert (found["Port"], found["Protocol"]) == (81, "UDP")
    assert found["DefaultActions"][0]["TargetGroupArn"] == udp

    with aws_error("ValidationError"):
        elb.modify_listener(ListenerArn=second, Port=70000)
    with aws_error("ValidationError"):
        elb.modify_listener(ListenerArn=second, Protocol="HTTP")
    with aws_error("ListenerNotFound"):
        elb.modify_listener(ListenerArn=second[:-4] + "0000", Port=82)


def test_tls_settings(server, account):
    elb, lb, group = setup(server, account)
    cert = imported_certificate(server, account)
    tcp = group("tcp")
    listener = elb.create_listener(
        LoadBalancerArn=lb, Protocol="TCP", Port=443, DefaultActions=forward(tcp)
    )["Listeners"][0]["ListenerArn"]
    with aws_error("ValidationError"):
        elb.modify_listener(ListenerArn=listener, Protocol="TLS")
    with aws_error("InvalidConfigurationRequest"):
        elb.modify_listener(ListenerArn=listener, SslPolicy="ELBSecurityPolicy-2016-08")
    tls = elb.modify_listener(
        ListenerArn=listener, Protocol="TLS", Certificates=[{"CertificateArn": cert}]
    )["Listeners"][0]
    assert tls["Certificates"] == [{"CertificateArn": cert}]
    assert tls["SslPolicy"] == "ELBSecurityPolicy-2016-08"
    kept = elb.modify_listener(ListenerArn=listener, Port=8443)["Listeners"][0]
    assert (kept["Protocol"], kept["Certificates"]) == ("TLS", [{"CertificateArn": cert}])
    plain = elb.modify_listener(ListenerArn=listener, Protocol="TCP")["Listeners"][0]
    assert plain["Protocol"] == "TCP"
    assert "Certificates" not in plain and "SslPolicy" not in plain
