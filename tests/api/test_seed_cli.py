"""Every AWS CLI command of seed 002 (VPC user guide, "Interface VPC Endpoints"), run
through the real `aws` CLI against privlink, with the seed's ids replaced by live ones."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.privatelink import allow, make_service, party, wait_state

ELB = "com.amazonaws.us-east-1.elasticloadbalancing"


@pytest.fixture
def seed(server):
    """The seed's world: a consumer's default VPC, subnet and group; a provider service."""
    consumer, provider = party(server), party(server)
    vpc = consumer.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    subnet = consumer.ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "availability-zone", "Values": ["us-east-1a"]},
        ]
    )["Subnets"][0]["SubnetId"]
    group = consumer.ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    service = make_service(provider, acceptance=False)
    allow(provider, service["ServiceId"], consumer)
    return {
        "consumer": consumer,
        "provider": provider,
        "vpc": vpc,
        "subnet": subnet,
        "group": group,
        "service": service,
    }


def run(server, seed, *args: str) -> dict:
    result = server.aws(*args, account=seed["consumer"].account)
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_seed_commands(server, seed):
    consumer = seed["consumer"]
    # 1. aws ec2 describe-vpc-endpoint-services
    services = run(server, seed, "ec2", "describe-vpc-endpoint-services")
    elb = next(d for d in services["ServiceDetails"] if d["ServiceName"] == ELB)
    assert elb["ServiceType"] == [{"ServiceType": "Interface"}]
    assert elb["PrivateDnsName"] == "elasticloadbalancing.us-east-1.amazonaws.com"
    assert elb["Owner"] == "amazon"
    assert elb["AvailabilityZones"] == [f"us-east-1{z}" for z in "abcdef"]
    assert elb["AcceptanceRequired"] is False
    assert isinstance(elb["VpcEndpointPolicySupported"], bool)
    assert elb["BaseEndpointDnsNames"] == ["elasticloadbalancing.us-east-1.vpce.amazonaws.com"]
    assert seed["service"]["ServiceName"] in services["ServiceNames"]

    # 2. aws ec2 create-vpc-endpoint ... --service-name com.amazonaws.us-east-1.elasticloadbalancing
    made = run(
        server,
        seed,
        "ec2",
        "create-vpc-endpoint",
        "--vpc-id",
        seed["vpc"],
        "--vpc-endpoint-type",
        "Interface",
        "--service-name",
        ELB,
        "--subnet-id",
        seed["subnet"],
        "--security-group-id",
        seed["group"],
    )["VpcEndpoint"]
    eid = made["VpcEndpointId"]
    assert made["VpcId"] == seed["vpc"]
    assert made["SubnetIds"] == [seed["subnet"]]
    assert len(made["NetworkInterfaceIds"]) == 1
    assert made["PrivateDnsEnabled"] is True
    assert made["State"] == "pending"
    assert made["ServiceName"] == ELB
    assert made["RouteTableIds"] == []
    assert made["Groups"] == [{"GroupId": seed["group"], "GroupName": "default"}]
    assert made["VpcEndpointType"] == "Interface"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", made["CreationTimestamp"])
    assert json.loads(made["PolicyDocument"])["Statement"][0]["Action"] == "*"
    dns = made["DnsEntries"]
    assert re.fullmatch(
        re.escape(eid) + r"-[a-z0-9]{8}\.elasticloadbalancing\.us-east-1\." r"vpce\.amazonaws\.com",
        dns[0]["DnsName"],
    )
    assert dns[0]["HostedZoneId"] == "Z7HUB22UULQXV"
    assert dns[1]["DnsName"].endswith(
        "-us-east-1a.elasticloadbalancing.us-east-1.vpce.amazonaws.com"
    )
    assert dns[2]["DnsName"] == "elasticloadbalancing.us-east-1.amazonaws.com"

    # 2b. the same against an endpoint service of another account
    other = run(
        server,
        seed,
        "ec2",
        "create-vpc-endpoint",
        "--vpc-id",
        seed["vpc"],
        "--vpc-endpoint-type",
        "Interface",
        "--service-name",
        seed["service"]["ServiceName"],
        "--subnet-id",
        seed["subnet"],
        "--security-group-id",
        seed["group"],
    )["VpcEndpoint"]
    assert other["ServiceName"] == seed["service"]["ServiceName"]
    assert other["DnsEntries"][0]["DnsName"].endswith(
        f".{seed['service']['ServiceId']}.us-east-1.vpce.amazonaws.com"
    )

    # 3. aws ec2 describe-vpc-endpoints --vpc-endpoint-ids vpce-...
    described = run(server, seed, "ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", eid)[
        "VpcEndpoints"
    ]
    assert [e["VpcEndpointId"] for e in described] == [eid]
    assert described[0]["DnsEntries"] == dns
    everything = run(server, seed, "ec2", "describe-vpc-endpoints")["VpcEndpoints"]
    assert {e["VpcEndpointId"] for e in everything} == {eid, other["VpcEndpointId"]}

    # 4. aws ec2 create-vpc-endpoint-connection-notification ... --vpc-endpoint-id vpce-...
    topic = f"arn:aws:sns:us-east-1:{consumer.account}:EndpointNotification"
    note = run(
        server,
        seed,
        "ec2",
        "create-vpc-endpoint-connection-notification",
        "--connection-notification-arn",
        topic,
        "--connection-events",
        "Accept",
        "Reject",
        "--vpc-endpoint-id",
        eid,
    )["ConnectionNotification"]
    nid = note["ConnectionNotificationId"]
    assert re.fullmatch(r"vpce-nfn-[0-9a-f]{17}", nid)
    assert note["VpcEndpointId"] == eid
    assert note["ConnectionNotificationArn"] == topic
    assert note["ConnectionEvents"] == ["Accept", "Reject"]
    assert note["ConnectionNotificationType"] == "Topic"
    assert note["ConnectionNotificationState"] == "Enabled"

    # 5. aws ec2 describe-vpc-endpoint-connection-notifications
    listed = run(server, seed, "ec2", "describe-vpc-endpoint-connection-notifications")
    assert [n["ConnectionNotificationId"] for n in listed["ConnectionNotificationSet"]] == [nid]

    # 6. aws ec2 modify-vpc-endpoint-connection-notification --connection-notification-id ...
    new_topic = f"arn:aws:sns:us-east-1:{consumer.account}:mytopic"
    changed = run(
        server,
        seed,
        "ec2",
        "modify-vpc-endpoint-connection-notification",
        "--connection-notification-id",
        nid,
        "--connection-events",
        "Accept",
        "--connection-notification-arn",
        new_topic,
    )
    assert changed["ReturnValue"] is True
    listed = run(server, seed, "ec2", "describe-vpc-endpoint-connection-notifications")
    assert listed["ConnectionNotificationSet"][0]["ConnectionEvents"] == ["Accept"]
    assert listed["ConnectionNotificationSet"][0]["ConnectionNotificationArn"] == new_topic

    # 7. aws ec2 delete-vpc-endpoint-connection-notifications --connection-notification-ids ...
    deleted = run(
        server,
        seed,
        "ec2",
        "delete-vpc-endpoint-connection-notifications",
        "--connection-notification-ids",
        nid,
    )
    assert deleted["Unsuccessful"] == []
    assert (
        run(server, seed, "ec2", "describe-vpc-endpoint-connection-notifications")[
            "ConnectionNotificationSet"
        ]
        == []
    )

    # 8. aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-... --add-subnet-id subnet-...
    wait_state(consumer.ec2, eid, "available")
    second = consumer.ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [seed["vpc"]]},
            {"Name": "availability-zone", "Values": ["us-east-1b"]},
        ]
    )["Subnets"][0]["SubnetId"]
    modified = run(
        server,
        seed,
        "ec2",
        "modify-vpc-endpoint",
        "--vpc-endpoint-id",
        eid,
        "--add-subnet-id",
        second,
    )
    assert modified["Return"] is True
    after = run(server, seed, "ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", eid)[
        "VpcEndpoints"
    ][0]
    assert after["SubnetIds"] == [seed["subnet"], second]
    assert len(after["NetworkInterfaceIds"]) == 2
    assert any(
        d["DnsName"].startswith(f"{eid}-") and "-us-east-1b." in d["DnsName"]
        for d in after["DnsEntries"]
    )

    # 9. aws elbv2 describe-load-balancers --endpoint-url https://vpce-...  (here: privlink)
    result = server.aws(
        "elbv2",
        "describe-load-balancers",
        "--endpoint-url",
        server.url,
        account=seed["provider"].account,
    )
    arns = [lb["LoadBalancerArn"] for lb in json.loads(result.stdout)["LoadBalancers"]]
    assert arns == seed["service"]["NetworkLoadBalancerArns"]
