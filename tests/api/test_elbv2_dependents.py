"""What other resources hold a network load balancer, seen through the API.

An endpoint service keeps its NLB from being deleted (ResourceInUse), an NLB
keeps its VPC from being deleted (DependencyViolation), and an instance target
whose instance is gone is reported `unused` with Target.InvalidState. Node
placement and listeners are in test_elbv2.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.privatelink import Party, error_code, make_nlb, make_service, party
from tests.harness import wait_until


@pytest.fixture
def provider(server) -> Party:
    return party(server)


def refused(call: Callable[[], Any], code: str) -> str:
    """The error message of a call that must fail with `code`."""
    with pytest.raises(ClientError) as info:
        call()
    assert info.value.response["Error"]["Code"] == code, info.value.response["Error"]
    return str(info.value.response["Error"]["Message"])


def test_an_endpoint_service_keeps_its_load_balancer(provider):
    service = make_service(provider)
    [arn] = service["NetworkLoadBalancerArns"]
    net = provider.nets[-1]
    message = refused(
        lambda: provider.elbv2.delete_load_balancer(LoadBalancerArn=arn), "ResourceInUse"
    )
    assert arn in message
    assert provider.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]

    provider.ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[service["ServiceId"]])
    provider.elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert error_code(lambda: provider.elbv2.describe_listeners(LoadBalancerArn=arn)) == (
        "LoadBalancerNotFound"
    )
    for subnet in net.subnets.values():  # the nodes' addresses went with it
        provider.ec2.delete_subnet(SubnetId=subnet)


def test_a_load_balancer_keeps_its_vpc(provider):
    arn = make_nlb(provider)
    net = provider.nets[-1]
    for subnet in net.subnets.values():
        refused(partial(provider.ec2.delete_subnet, SubnetId=subnet), "DependencyViolation")
    message = refused(lambda: provider.ec2.delete_vpc(VpcId=net.vpc_id), "DependencyViolation")
    assert net.vpc_id in message

    provider.elbv2.delete_load_balancer(LoadBalancerArn=arn)
    for subnet in net.subnets.values():
        provider.ec2.delete_subnet(SubnetId=subnet)
    provider.ec2.delete_vpc(VpcId=net.vpc_id)
    assert error_code(lambda: provider.ec2.describe_vpcs(VpcIds=[net.vpc_id])) == (
        "InvalidVpcID.NotFound"
    )


def test_an_instance_target_that_is_gone_is_unused(provider):
    lb = make_nlb(provider)
    net = provider.nets[-1]
    elb, ec2 = provider.elbv2, provider.ec2
    tg = elb.create_target_group(
        Name="instances", Protocol="TCP", Port=80, VpcId=net.vpc_id, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net.subnets["us-east-1a"]
    )["Instances"][0]["InstanceId"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": instance}])

    def health() -> dict[str, str]:
        [described] = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return dict(described["TargetHealth"])

    assert health() == {"State": "healthy"}
    ec2.terminate_instances(InstanceIds=[instance])

    def left_healthy() -> dict[str, str] | None:
        now = health()
        return now if now["State"] != "healthy" else None

    reported = wait_until(left_healthy, 20, 0.2, "the target to leave 'healthy'")
    assert (reported["State"], reported["Reason"]) == ("unused", "Target.InvalidState")
    wait_until(
        lambda: ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0][
            "State"
        ]["Name"]
        == "terminated",
        20,
        0.2,
        "the instance to terminate",
    )
    refused(
        lambda: elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": instance}]),
        "InvalidTarget",
    )
