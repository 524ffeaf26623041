"""Shared helpers for the PrivateLink API tests (provider and consumer accounts)."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import fresh_account, wait_until

REGION = "us-east-1"
WAIT = 20.0  # seconds: endpoint controller dwell times are about 1 s each


@dataclass
class Net:
    vpc_id: str
    subnets: dict[str, str]  # AZ name -> subnet id
    default_group: str
    route_table: str
    cidr: str


@dataclass
class Party:
    """One account's clients."""

    account: str
    ec2: Any
    elbv2: Any
    sns: Any
    nets: list[Net] = field(default_factory=list)


def party(server: Any) -> Party:
    account = fresh_account()
    return Party(
        account,
        server.client("ec2", account, REGION),
        server.client("elbv2", account, REGION),
        server.client("sns", account, REGION),
    )


def make_net(
    ec2: Any,
    cidr: str = "10.20.0.0/16",
    zones: tuple[str, ...] = ("us-east-1a", "us-east-1b"),
    dns: bool = True,
) -> Net:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if dns:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    base = cidr.split(".")
    subnets = {}
    for index, zone in enumerate(zones):
        subnet_cidr = f"{base[0]}.{base[1]}.{index + 1}.0/24"
        subnets[zone] = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=subnet_cidr, AvailabilityZone=zone
        )["Subnet"]["SubnetId"]
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "RouteTables"
    ]
    return Net(vpc_id, subnets, groups[0]["GroupId"], tables[0]["RouteTableId"], cidr)


def make_nlb(
    provider: Party,
    zones: tuple[str, ...] = ("us-east-1a", "us-east-1b"),
    cidr: str = "10.50.0.0/16",
) -> str:
    """An internal NLB in a fresh provider VPC, enabled in `zones`."""
    net = make_net(provider.ec2, cidr, zones)
    provider.nets.append(net)
    name = "nlb-" + secrets.token_hex(4)
    lb = provider.elbv2.create_load_balancer(
        Name=name, Type="network", Scheme="internal", Subnets=list(net.subnets.values())
    )["LoadBalancers"][0]
    return str(lb["LoadBalancerArn"])


def make_service(provider: Party, acceptance: bool = True, **kwargs: Any) -> dict[str, Any]:
    arn = make_nlb(provider, **kwargs)
    return dict(
        provider.ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[arn], AcceptanceRequired=acceptance
        )["ServiceConfiguration"]
    )


def allow(provider: Party, service_id: str, consumer: Party) -> None:
    provider.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_id, AddAllowedPrincipals=[f"arn:aws:iam::{consumer.account}:root"]
    )


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as info:
        call()
    return str(info.value.response["Error"]["Code"])


def endpoint(ec2: Any, endpoint_id: str) -> dict[str, Any] | None:
    found = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}]
    )["VpcEndpoints"]
    return dict(found[0]) if found else None


def wait_state(ec2: Any, endpoint_id: str, state: str | None, timeout: float = WAIT) -> None:
    """Poll until the endpoint is in `state` (None: gone)."""

    def reached() -> bool:
        found = endpoint(ec2, endpoint_id)
        return (found["State"] if found else None) == state

    wait_until(reached, timeout, 0.2, f"{endpoint_id} to be {state or 'gone'}")


def topic_for_vpce(party: Party, name: str | None = None) -> str:
    """An SNS topic whose policy lets vpce.amazonaws.com publish."""
    arn = str(party.sns.create_topic(Name=name or "vpce-" + secrets.token_hex(4))["TopicArn"])
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpce.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": arn,
            }
        ],
    }
    party.sns.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    return arn


def sns_messages(server: Any, topic_arn: str) -> list[dict[str, Any]]:
    """What SNS delivered to a topic, from privlink's inbox endpoint."""
    query = urllib.parse.urlencode({"topic": topic_arn})
    with urllib.request.urlopen(f"{server.url}/_privlink/sns/messages?{query}", timeout=5) as r:
        body = json.loads(r.read())
    items = body.get("messages", body) if isinstance(body, dict) else body
    return list(items)


def notification_events(server: Any, topic_arn: str) -> list[dict[str, Any]]:
    """The connection-notification bodies delivered to a topic, oldest first."""
    out = []
    for item in sns_messages(server, topic_arn):
        text = item.get("Message") if isinstance(item, dict) else item
        out.append(json.loads(text))
    return out


def wait_events(
    server: Any, topic_arn: str, count: int, timeout: float = WAIT
) -> list[dict[str, Any]]:
    def enough() -> list[dict[str, Any]] | None:
        events = notification_events(server, topic_arn)
        return events if len(events) >= count else None

    return wait_until(enough, timeout, 0.2, f"{count} events on {topic_arn}")
