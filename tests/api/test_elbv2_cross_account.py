"""ELBv2 calls that change a resource refuse another account's ARN as AWS does (AccessDenied)."""

from __future__ import annotations

import pytest

from tests.api.ec2_helpers import aws_error
from tests.harness import fresh_account


@pytest.fixture
def theirs(server):
    """Another account's load balancer, target group and listener."""
    owner = fresh_account()
    ec2, elb = server.client("ec2", owner), server.client("elbv2", owner)
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.1.0/24", AvailabilityZone="us-east-1a")
    lb = elb.create_load_balancer(
        Name="theirs", Type="network", Scheme="internal", Subnets=[subnet["Subnet"]["SubnetId"]]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elb.create_target_group(
        Name="theirs", Protocol="TCP", Port=80, VpcId=vpc, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    listener = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Listeners"][0]["ListenerArn"]
    return elb, lb, tg, listener


def denied(action, arn, caller, call):
    with aws_error("AccessDenied", 403) as info:
        call()
    assert info.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{caller}:root is not authorized to perform: "
        f"elasticloadbalancing:{action} on resource: {arn} because no resource-based policy "
        f"allows the elasticloadbalancing:{action} action"
    )


def test_changes_to_another_accounts_resources_are_denied(server, account, theirs):
    owner_elb, lb, tg, listener = theirs
    elb = server.client("elbv2", account)
    target = [{"Id": "10.60.1.9", "Port": 80}]
    calls = {
        "DeleteLoadBalancer": (lb, lambda: elb.delete_load_balancer(LoadBalancerArn=lb)),
        "DeleteTargetGroup": (tg, lambda: elb.delete_target_group(TargetGroupArn=tg)),
        "DeleteListener": (listener, lambda: elb.delete_listener(ListenerArn=listener)),
        "ModifyLoadBalancerAttributes": (
            lb,
            lambda: elb.modify_load_balancer_attributes(
                LoadBalancerArn=lb,
                Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}],
            ),
        ),
        "ModifyTargetGroup": (
            tg,
            lambda: elb.modify_target_group(TargetGroupArn=tg, HealthCheckIntervalSeconds=10),
        ),
        "ModifyTargetGroupAttributes": (
            tg,
            lambda: elb.modify_target_group_attributes(
                TargetGroupArn=tg,
                Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
            ),
        ),
        "RegisterTargets": (tg, lambda: elb.register_targets(TargetGroupArn=tg, Targets=target)),
        "DeregisterTargets": (
            tg,
            lambda: elb.deregister_targets(TargetGroupArn=tg, Targets=target),
        ),
        "CreateListener": (
            lb,
            lambda: elb.create_listener(
                LoadBalancerArn=lb,
                Protocol="TCP",
                Port=81,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
            ),
        ),
        "AddTags": (lb, lambda: elb.add_tags(ResourceArns=[lb], Tags=[{"Key": "k", "Value": "v"}])),
        "RemoveTags": (tg, lambda: elb.remove_tags(ResourceArns=[tg], TagKeys=["k"])),
    }
    for action, (arn, call) in calls.items():
        denied(action, arn, account, call)

    # Nothing changed on the owner's side; reads of another account's ARN find nothing.
    assert owner_elb.describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"]
    assert owner_elb.describe_target_groups(TargetGroupArns=[tg])["TargetGroups"]
    assert owner_elb.describe_listeners(ListenerArns=[listener])["Listeners"]
    assert owner_elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"] == []
    assert owner_elb.describe_tags(ResourceArns=[lb])["TagDescriptions"][0]["Tags"] == []
    with aws_error("LoadBalancerNotFound"):
        elb.describe_load_balancers(LoadBalancerArns=[lb])
    with aws_error("TargetGroupNotFound"):
        elb.describe_target_groups(TargetGroupArns=[tg])
