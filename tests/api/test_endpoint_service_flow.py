"""The provider/consumer flow end to end: NLB -> service -> permission -> endpoint ->
accept/reject -> modify -> delete, with connection notifications over SNS."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.privatelink import (
    Party,
    allow,
    endpoint,
    error_code,
    make_net,
    make_service,
    party,
    sns_messages,
    topic_for_vpce,
    wait_events,
    wait_state,
)


@pytest.fixture
def provider(server) -> Party:
    return party(server)


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def test_full_flow_with_notifications(server, provider, consumer):
    service = make_service(provider, acceptance=True)
    service_id, name = service["ServiceId"], service["ServiceName"]
    provider_topic = topic_for_vpce(provider)
    provider.ec2.create_vpc_endpoint_connection_notification(
        ServiceId=service_id,
        ConnectionNotificationArn=provider_topic,
        ConnectionEvents=["Connect", "Accept", "Reject", "Delete"],
    )

    # Not allowed yet: the service does not exist for the consumer.
    visible = consumer.ec2.describe_vpc_endpoint_services()["ServiceNames"]
    assert name not in visible
    net = make_net(consumer.ec2)
    a, b = net.subnets["us-east-1a"], net.subnets["us-east-1b"]
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=name, SubnetIds=[a]
            )
        )
        == "InvalidServiceName"
    )

    allow(provider, service_id, consumer)
    detail = consumer.ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"][0]
    assert detail["Owner"] == provider.account
    assert detail["AcceptanceRequired"] is True
    assert detail["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert detail["BaseEndpointDnsNames"] == [f"{service_id}.us-east-1.vpce.amazonaws.com"]

    created = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=name, SubnetIds=[a, b]
    )["VpcEndpoint"]
    eid = created["VpcEndpointId"]
    assert created["State"] == "pendingAcceptance"
    assert created["PrivateDnsEnabled"] is False  # the service has no private DNS name
    assert len(created["NetworkInterfaceIds"]) == 2
    assert re.fullmatch(
        re.escape(eid) + r"-[a-z0-9]{8}\." + re.escape(service_id) + r"\.us-east-1\.vpce\."
        r"amazonaws\.com",
        created["DnsEntries"][0]["DnsName"],
    )
    consumer_topic = topic_for_vpce(consumer)
    consumer.ec2.create_vpc_endpoint_connection_notification(
        VpcEndpointId=eid,
        ConnectionNotificationArn=consumer_topic,
        ConnectionEvents=["Accept", "Reject", "Delete"],
    )

    connections = provider.ec2.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [service_id]}]
    )["VpcEndpointConnections"]
    assert [
        (c["VpcEndpointId"], c["VpcEndpointState"], c["VpcEndpointOwner"]) for c in connections
    ] == [(eid, "pendingAcceptance", consumer.account)]
    assert connections[0]["NetworkLoadBalancerArns"] == service["NetworkLoadBalancerArns"]
    assert connections[0]["VpcEndpointConnectionId"].startswith("vpce-con-")

    assert (
        provider.ec2.accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])[
            "Unsuccessful"
        ]
        == []
    )
    assert endpoint(consumer.ec2, eid)["State"] in ("pending", "available")
    wait_state(consumer.ec2, eid, "available")

    provider.ec2.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    assert endpoint(consumer.ec2, eid)["State"] == "rejected"
    provider.ec2.accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    wait_state(consumer.ec2, eid, "available")

    # The consumer modifies its endpoint; the provider cannot.
    group = consumer.ec2.create_security_group(GroupName="ep", Description="x", VpcId=net.vpc_id)[
        "GroupId"
    ]
    consumer.ec2.modify_vpc_endpoint(
        VpcEndpointId=eid,
        RemoveSubnetIds=[b],
        AddSecurityGroupIds=[group],
        PolicyDocument='{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*",'
        '"Resource":"*"}]}',
    )
    modified = endpoint(consumer.ec2, eid)
    assert modified["SubnetIds"] == [a]
    assert sorted(g["GroupId"] for g in modified["Groups"]) == sorted([net.default_group, group])
    wait_state(consumer.ec2, eid, "available")
    assert (
        error_code(lambda: provider.ec2.modify_vpc_endpoint(VpcEndpointId=eid, ResetPolicy=True))
        == "InvalidVpcEndpointId.NotFound"
    )
    assert (
        provider.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])["Unsuccessful"][0]["Error"]["Code"]
        == "InvalidVpcEndpoint.NotFound"
    )

    consumer.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])
    wait_state(consumer.ec2, eid, "deleted")
    wait_state(consumer.ec2, eid, None)

    provider_events = wait_events(server, provider_topic, 5)
    assert [e["eventType"] for e in provider_events] == [
        "Connect",
        "Accept",
        "Reject",
        "Accept",
        "Delete",
    ]
    first = provider_events[0]
    assert first["serviceId"] == service_id
    assert first["vpcEndpointId"] == eid
    assert first["vpcEndpointOwner"] == consumer.account
    assert first["vpcEndpointState"] == "pendingAcceptance"
    consumer_events = wait_events(server, consumer_topic, 4)
    assert [e["eventType"] for e in consumer_events] == ["Accept", "Reject", "Accept", "Delete"]
    assert consumer_events[-1]["vpcEndpointState"] == "deleting"


def test_auto_accept_service(provider, consumer):
    service = make_service(provider, acceptance=False)
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2)
    created = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets["us-east-1a"]],
    )["VpcEndpoint"]
    assert created["State"] == "pending"
    wait_state(consumer.ec2, created["VpcEndpointId"], "available")


def test_subnet_zone_must_be_offered_by_the_service(provider, consumer):
    service = make_service(provider, zones=("us-east-1a",))
    allow(provider, service["ServiceId"], consumer)
    net = make_net(consumer.ec2)
    with pytest.raises(Exception) as info:
        consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id,
            VpcEndpointType="Interface",
            ServiceName=service["ServiceName"],
            SubnetIds=[net.subnets["us-east-1a"], net.subnets["us-east-1b"]],
        )
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
    assert "does not support the availability zone" in info.value.response["Error"]["Message"]


def test_accept_and_reject_report_unsuccessful_items(provider, consumer):
    service = make_service(provider)
    service_id = service["ServiceId"]
    allow(provider, service_id, consumer)
    net = make_net(consumer.ec2)
    eid = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=service["ServiceName"],
        SubnetIds=[net.subnets["us-east-1a"]],
    )["VpcEndpoint"]["VpcEndpointId"]
    result = provider.ec2.accept_vpc_endpoint_connections(
        ServiceId=service_id, VpcEndpointIds=[eid, "vpce-0123456789abcdef0"]
    )
    assert [(u["ResourceId"], u["Error"]["Code"]) for u in result["Unsuccessful"]] == [
        ("vpce-0123456789abcdef0", "InvalidVpcEndpoint.NotFound")
    ]
    again = provider.ec2.accept_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    assert again["Unsuccessful"][0]["Error"]["Code"] == "InvalidState"
    assert error_code(
        lambda: provider.ec2.accept_vpc_endpoint_connections(
            ServiceId="vpce-svc-0123456789abcdef0", VpcEndpointIds=[eid]
        )
    ) == ("InvalidVpcEndpointServiceId.NotFound")
    assert (
        error_code(
            lambda: consumer.ec2.reject_vpc_endpoint_connections(
                ServiceId=service_id, VpcEndpointIds=[eid]
            )
        )
        == "InvalidVpcEndpointServiceId.NotFound"
    )
    provider.ec2.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    twice = provider.ec2.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    assert twice["Unsuccessful"][0]["Error"]["Code"] == "InvalidState"


def test_service_deletion_waits_for_connections(provider, consumer):
    service = make_service(provider)
    service_id = service["ServiceId"]
    allow(provider, service_id, consumer)
    net = make_net(consumer.ec2)
    eid = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=service["ServiceName"],
    )["VpcEndpoint"]["VpcEndpointId"]
    refused = provider.ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    assert refused["Unsuccessful"][0]["Error"]["Code"] == "ExistingVpcEndpointConnections"
    assert (
        error_code(
            lambda: provider.ec2.modify_vpc_endpoint_service_configuration(
                ServiceId=service_id,
                RemoveNetworkLoadBalancerArns=service["NetworkLoadBalancerArns"],
            )
        )
        == "ExistingVpcEndpointConnections"
    )
    provider.ec2.reject_vpc_endpoint_connections(ServiceId=service_id, VpcEndpointIds=[eid])
    done = provider.ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    assert done["Unsuccessful"] == []
    assert (
        provider.ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []
    )
    # The consumer's rejected endpoint stays until the consumer deletes it.
    assert endpoint(consumer.ec2, eid)["State"] == "rejected"
    consumer.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])
    wait_state(consumer.ec2, eid, "deleted")


def test_private_dns_of_a_provider_service(provider, consumer):
    arn_service = make_service(provider, acceptance=False)
    service_id = arn_service["ServiceId"]
    provider.ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id, PrivateDnsName="api.example.com"
    )
    config = provider.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ][0]
    assert config["PrivateDnsName"] == "api.example.com"
    assert config["PrivateDnsNameConfiguration"]["State"] == "pendingVerification"
    assert config["PrivateDnsNameConfiguration"]["Type"] == "TXT"
    assert re.fullmatch(r"_[a-z0-9]{20}", config["PrivateDnsNameConfiguration"]["Name"])
    assert re.fullmatch(r"vpce:[A-Za-z0-9]{20}", config["PrivateDnsNameConfiguration"]["Value"])
    allow(provider, service_id, consumer)
    net = make_net(consumer.ec2)
    name = arn_service["ServiceName"]
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=name,
                PrivateDnsEnabled=True,
            )
        )
        == "InvalidParameter"
    )
    provider.ec2.start_vpc_endpoint_service_private_dns_verification(ServiceId=service_id)
    detail = consumer.ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"][0]
    assert detail["PrivateDnsName"] == "api.example.com"
    assert detail["PrivateDnsNameVerificationState"] == "verified"
    made = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=name,
        SubnetIds=[net.subnets["us-east-1a"]],
    )["VpcEndpoint"]
    assert made["PrivateDnsEnabled"] is True  # default once the name is verified
    assert made["DnsEntries"][-1]["DnsName"] == "api.example.com"


def test_notifications_follow_the_topic_policy(server, provider, consumer):
    service = make_service(provider, acceptance=True)
    service_id = service["ServiceId"]
    allow(provider, service_id, consumer)
    # AWS's documented policy form, with SourceArn/SourceAccount conditions.
    conditioned = str(provider.sns.create_topic(Name="conditioned")["TopicArn"])
    provider.sns.set_topic_attributes(
        TopicArn=conditioned,
        AttributeName="Policy",
        AttributeValue=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpce.amazonaws.com"},
                        "Action": "SNS:Publish",
                        "Resource": conditioned,
                        "Condition": {
                            "ArnLike": {
                                "aws:SourceArn": f"arn:aws:ec2:us-east-1:{provider.account}:"
                                f"vpc-endpoint-service/{service_id}"
                            },
                            "StringEquals": {"aws:SourceAccount": provider.account},
                        },
                    }
                ],
            }
        ),
    )
    closed = str(provider.sns.create_topic(Name="closed")["TopicArn"])  # default policy
    for topic in (conditioned, closed):
        provider.ec2.create_vpc_endpoint_connection_notification(
            ServiceId=service_id, ConnectionNotificationArn=topic, ConnectionEvents=["Connect"]
        )
    net = make_net(consumer.ec2)
    eid = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=service["ServiceName"],
    )["VpcEndpoint"]["VpcEndpointId"]
    delivered = sns_messages(server, conditioned)
    assert len(delivered) == 1
    assert delivered[0]["Subject"] == "VPC Endpoint Connection Notification: Connect"
    assert delivered[0]["Publisher"] == "vpce.amazonaws.com"
    body = json.loads(delivered[0]["Message"])
    assert body == {
        "eventType": "Connect",
        "serviceId": service_id,
        "serviceName": service["ServiceName"],
        "vpcEndpointId": eid,
        "vpcEndpointOwner": consumer.account,
        "vpcEndpointState": "pendingAcceptance",
        "connectionNotificationId": body["connectionNotificationId"],
        "connectionNotificationArn": conditioned,
        "timestamp": body["timestamp"],
        "region": "us-east-1",
    }
    assert sns_messages(server, closed) == []
