"""Endpoint service configurations, permissions, notifications and the service catalog."""

from __future__ import annotations

import re

import pytest

from tests.api.privatelink import (
    Party,
    allow,
    error_code,
    make_nlb,
    make_service,
    party,
)

REQUIRED_AWS = [
    "ec2",
    "elasticloadbalancing",
    "sns",
    "sts",
    "logs",
    "monitoring",
    "ssm",
    "secretsmanager",
    "kms",
    "ecr.api",
    "ecr.dkr",
    "execute-api",
    "sqs",
    "lambda",
    "s3",
    "airflow.api",
    "airflow.env",
    "airflow.ops",
]


@pytest.fixture
def provider(server) -> Party:
    return party(server)


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def test_create_service_configuration(provider):
    arn = make_nlb(provider)
    created = provider.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn],
        AcceptanceRequired=True,
        ClientToken="svc-1",
        TagSpecifications=[
            {"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "app", "Value": "api"}]}
        ],
    )
    config = created["ServiceConfiguration"]
    assert created["ClientToken"] == "svc-1"
    service_id = config["ServiceId"]
    assert re.fullmatch(r"vpce-svc-[0-9a-f]{17}", service_id)
    assert config["ServiceName"] == f"com.amazonaws.vpce.us-east-1.{service_id}"
    assert config["ServiceType"] == [{"ServiceType": "Interface"}]
    assert config["ServiceState"] == "Available"
    assert config["AcceptanceRequired"] is True
    assert config["ManagesVpcEndpoints"] is False
    assert config["NetworkLoadBalancerArns"] == [arn]
    assert config["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert config["AvailabilityZoneIds"] == ["use1-az6", "use1-az1"]
    assert config["SupportedIpAddressTypes"] == ["ipv4"]
    assert config["BaseEndpointDnsNames"] == [f"{service_id}.us-east-1.vpce.amazonaws.com"]
    assert config["Tags"] == [{"Key": "app", "Value": "api"}]
    again = provider.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn],
        AcceptanceRequired=True,
        ClientToken="svc-1",
        TagSpecifications=[
            {"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "app", "Value": "api"}]}
        ],
    )
    assert again["ServiceConfiguration"]["ServiceId"] == service_id
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=[arn], ClientToken="svc-1"
            )
        )
        == "IdempotentParameterMismatch"
    )
    # One NLB backs one service.
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=[arn]
            )
        )
        == "InvalidParameter"
    )
    # ... and cannot be deleted while it does.
    assert error_code(lambda: provider.elbv2.delete_load_balancer(LoadBalancerArn=arn)) == (
        "ResourceInUse"
    )


def test_service_configuration_errors(provider, server):
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=["arn:aws:nope"]
            )
        )
        == "InvalidNetworkLoadBalancerArn.Malformed"
    )
    missing = (
        "arn:aws:elasticloadbalancing:us-east-1:"
        f"{provider.account}:loadbalancer/net/gone/0123456789abcdef"
    )
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=[missing]
            )
        )
        == "InvalidNetworkLoadBalancerArn.NotFound"
    )
    other = party(server)
    foreign = make_nlb(other)
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=[foreign]
            )
        )
        == "InvalidNetworkLoadBalancerArn.NotFound"
    )
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_service_configuration(AcceptanceRequired=True)
        )
        == "InvalidParameter"
    )
    assert (
        error_code(
            lambda: provider.ec2.describe_vpc_endpoint_service_configurations(
                ServiceIds=["vpce-svc-0123456789abcdef0"]
            )
        )
        == "InvalidVpcEndpointServiceId.NotFound"
    )
    result = provider.ec2.delete_vpc_endpoint_service_configurations(
        ServiceIds=["vpce-svc-0123456789abcdef0"]
    )
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpointService.NotFound"


def test_modify_and_describe_service_configurations(provider):
    first = make_service(provider, acceptance=True)
    second = make_service(provider, acceptance=False, cidr="10.51.0.0/16")
    service_id = first["ServiceId"]
    provider.ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id, AcceptanceRequired=False, PrivateDnsName="svc.example.org"
    )
    config = provider.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ][0]
    assert config["AcceptanceRequired"] is False
    assert config["PrivateDnsName"] == "svc.example.org"
    assert config["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    provider.ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)
    config = provider.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ][0]
    assert config["PrivateDnsNameConfiguration"]["State"] == "verified"
    provider.ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id, RemovePrivateDnsName=True
    )
    config = provider.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ][0]
    assert "PrivateDnsName" not in config
    assert (
        error_code(
            lambda: provider.ec2.modify_vpc_endpoint_service_configuration(
                ServiceId=service_id, AddSupportedIpAddressTypes=["ipv6"]
            )
        )
        == "InvalidParameter"
    )
    found = provider.ec2.describe_vpc_endpoint_service_configurations(
        Filters=[{"Name": "service-name", "Values": [second["ServiceName"]]}]
    )["ServiceConfigurations"]
    assert [c["ServiceId"] for c in found] == [second["ServiceId"]]
    assert (
        len(provider.ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"])
        == 2
    )
    assert (
        error_code(
            lambda: provider.ec2.modify_vpc_endpoint_service_payer_responsibility(
                ServiceId=service_id, PayerResponsibility="ServiceOwner"
            )
        )
        == "NotImplemented"
    )


def test_permissions(provider, consumer):
    service = make_service(provider)
    service_id = service["ServiceId"]
    added = provider.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_id,
        AddAllowedPrincipals=[f"arn:aws:iam::{consumer.account}:root", "*"],
    )
    assert added["ReturnValue"] is True
    assert [(p["Principal"], p["PrincipalType"]) for p in added["AddedPrincipals"]] == [
        (f"arn:aws:iam::{consumer.account}:root", "Account"),
        ("*", "All"),
    ]
    assert all(
        p["ServicePermissionId"].startswith("vpce-svc-perm-") for p in added["AddedPrincipals"]
    )
    listed = provider.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service_id)
    assert sorted(p["Principal"] for p in listed["AllowedPrincipals"]) == sorted(
        [f"arn:aws:iam::{consumer.account}:root", "*"]
    )
    only_all = provider.ec2.describe_vpc_endpoint_service_permissions(
        ServiceId=service_id, Filters=[{"Name": "principal-type", "Values": ["All"]}]
    )
    assert [p["Principal"] for p in only_all["AllowedPrincipals"]] == ["*"]
    provider.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_id, RemoveAllowedPrincipals=["*"]
    )
    listed = provider.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service_id)
    assert [p["Principal"] for p in listed["AllowedPrincipals"]] == [
        f"arn:aws:iam::{consumer.account}:root"
    ]
    assert (
        error_code(
            lambda: provider.ec2.modify_vpc_endpoint_service_permissions(
                ServiceId=service_id, AddAllowedPrincipals=["bogus"]
            )
        )
        == "InvalidPrincipal"
    )
    assert (
        error_code(
            lambda: consumer.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service_id)
        )
        == "InvalidVpcEndpointServiceId.NotFound"
    )


def test_consumer_sees_services_only_when_allowed(server, provider, consumer):
    service = make_service(provider)
    name = service["ServiceName"]
    assert (
        error_code(lambda: consumer.ec2.describe_vpc_endpoint_services(ServiceNames=[name]))
        == "InvalidServiceName"
    )
    assert name in provider.ec2.describe_vpc_endpoint_services()["ServiceNames"]  # owner
    allow(provider, service["ServiceId"], consumer)
    assert name in consumer.ec2.describe_vpc_endpoint_services()["ServiceNames"]
    others = party(server)
    assert name not in others.ec2.describe_vpc_endpoint_services()["ServiceNames"]
    mine = consumer.ec2.describe_vpc_endpoint_services(
        Filters=[{"Name": "owner", "Values": [provider.account]}]
    )
    assert mine["ServiceNames"] == [name]
    detail = mine["ServiceDetails"][0]
    assert detail["ServiceType"] == [{"ServiceType": "Interface"}]
    assert detail["VpcEndpointPolicySupported"] is False
    assert detail["ManagesVpcEndpoints"] is False


def test_aws_service_catalog(consumer):
    result = consumer.ec2.describe_vpc_endpoint_services()
    names = result["ServiceNames"]
    for code in REQUIRED_AWS:
        assert f"com.amazonaws.us-east-1.{code}" in names
    details = {
        (d["ServiceName"], d["ServiceType"][0]["ServiceType"]): d for d in result["ServiceDetails"]
    }
    elb = details[("com.amazonaws.us-east-1.elasticloadbalancing", "Interface")]
    assert elb["PrivateDnsName"] == "elasticloadbalancing.us-east-1.amazonaws.com"
    assert elb["Owner"] == "amazon"
    assert elb["AcceptanceRequired"] is False
    assert elb["ManagesVpcEndpoints"] is False
    assert elb["BaseEndpointDnsNames"] == ["elasticloadbalancing.us-east-1.vpce.amazonaws.com"]
    assert elb["AvailabilityZones"] == [f"us-east-1{z}" for z in "abcdef"]
    assert elb["PrivateDnsNameVerificationState"] == "verified"
    assert re.fullmatch(r"vpce-svc-[0-9a-f]{17}", elb["ServiceId"])
    assert "ipv4" in elb["SupportedIpAddressTypes"]
    assert "VpcEndpointPolicySupported" in elb
    assert ("com.amazonaws.us-east-1.s3", "Gateway") in details
    assert ("com.amazonaws.us-east-1.s3", "Interface") in details
    assert ("com.amazonaws.us-east-1.dynamodb", "Gateway") in details
    dkr = details[("com.amazonaws.us-east-1.ecr.dkr", "Interface")]
    assert dkr["PrivateDnsName"] == "*.dkr.ecr.us-east-1.amazonaws.com"
    api = details[("com.amazonaws.us-east-1.airflow.api", "Interface")]
    assert api["PrivateDnsName"] == "api.airflow.us-east-1.amazonaws.com"
    assert (
        details[("com.amazonaws.us-east-1.airflow.env", "Interface")]["PrivateDnsName"]
        == "env.airflow.us-east-1.amazonaws.com"
    )
    assert (
        details[("com.amazonaws.us-east-1.airflow.ops", "Interface")]["PrivateDnsName"]
        == "ops.airflow.us-east-1.amazonaws.com"
    )
    gateways = consumer.ec2.describe_vpc_endpoint_services(
        Filters=[{"Name": "service-type", "Values": ["Gateway"]}]
    )["ServiceNames"]
    assert gateways == ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    one = consumer.ec2.describe_vpc_endpoint_services(ServiceNames=["com.amazonaws.us-east-1.sts"])
    assert one["ServiceNames"] == ["com.amazonaws.us-east-1.sts"]
    assert (
        error_code(
            lambda: consumer.ec2.describe_vpc_endpoint_services(
                ServiceNames=["com.amazonaws.us-east-1.nothing"]
            )
        )
        == "InvalidServiceName"
    )
    paged = consumer.ec2.describe_vpc_endpoint_services(MaxResults=5)
    assert len(paged["ServiceDetails"]) == 5 and paged["NextToken"]
    rest = consumer.ec2.describe_vpc_endpoint_services(NextToken=paged["NextToken"])
    assert len(paged["ServiceDetails"]) + len(rest["ServiceDetails"]) == len(
        result["ServiceDetails"]
    )


def test_catalog_follows_the_region(server):
    ec2 = server.client("ec2", party(server).account, "eu-west-1")
    details = ec2.describe_vpc_endpoint_services(
        ServiceNames=["com.amazonaws.eu-west-1.monitoring"]
    )["ServiceDetails"]
    assert details[0]["BaseEndpointDnsNames"] == ["monitoring.eu-west-1.vpce.amazonaws.com"]
    assert details[0]["AvailabilityZones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_connection_notification_crud(provider, consumer):
    service = make_service(provider)
    service_id = service["ServiceId"]
    topic = f"arn:aws:sns:us-east-1:{provider.account}:endpoint-events"
    made = provider.ec2.create_vpc_endpoint_connection_notification(
        ServiceId=service_id,
        ConnectionNotificationArn=topic,
        ConnectionEvents=["Connect", "Accept"],
        ClientToken="n-1",
    )
    note = made["ConnectionNotification"]
    nid = note["ConnectionNotificationId"]
    assert re.fullmatch(r"vpce-nfn-[0-9a-f]{17}", nid)
    assert note["ServiceId"] == service_id
    assert note["ConnectionNotificationType"] == "Topic"
    assert note["ConnectionNotificationState"] == "Enabled"
    assert note["ConnectionEvents"] == ["Connect", "Accept"]
    assert made["ClientToken"] == "n-1"
    listed = provider.ec2.describe_vpc_endpoint_connection_notifications()[
        "ConnectionNotificationSet"
    ]
    assert [n["ConnectionNotificationId"] for n in listed] == [nid]
    provider.ec2.modify_vpc_endpoint_connection_notification(
        ConnectionNotificationId=nid,
        ConnectionEvents=["Reject"],
        ConnectionNotificationArn=topic + "-2",
    )
    one = provider.ec2.describe_vpc_endpoint_connection_notifications(ConnectionNotificationId=nid)[
        "ConnectionNotificationSet"
    ][0]
    assert one["ConnectionEvents"] == ["Reject"]
    assert one["ConnectionNotificationArn"] == topic + "-2"
    assert (
        consumer.ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]
        == []
    )
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_connection_notification(
                ServiceId=service_id, ConnectionNotificationArn=topic, ConnectionEvents=["Explode"]
            )
        )
        == "InvalidParameter"
    )
    assert (
        error_code(
            lambda: provider.ec2.create_vpc_endpoint_connection_notification(
                ConnectionNotificationArn=topic, ConnectionEvents=["Accept"]
            )
        )
        == "InvalidParameter"
    )
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint_connection_notification(
                ServiceId=service_id, ConnectionNotificationArn=topic, ConnectionEvents=["Accept"]
            )
        )
        == "InvalidVpcEndpointServiceId.NotFound"
    )
    assert (
        error_code(
            lambda: provider.ec2.modify_vpc_endpoint_connection_notification(
                ConnectionNotificationId="vpce-nfn-0123456789abcdef0", ConnectionEvents=["Accept"]
            )
        )
        == "InvalidConnectionNotification"
    )
    deleted = provider.ec2.delete_vpc_endpoint_connection_notifications(
        ConnectionNotificationIds=[nid, "vpce-nfn-0123456789abcdef0"]
    )
    assert [u["ResourceId"] for u in deleted["Unsuccessful"]] == ["vpce-nfn-0123456789abcdef0"]
    assert (
        provider.ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]
        == []
    )
