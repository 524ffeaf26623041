"""Call sequences of the AWS provider's ELBv2 resources (aws_lb, aws_lb_target_group,
aws_lb_listener), as facts read from hashicorp/terraform-provider-aws (files and commits in
each `source`); no provider code is copied.
"""

from __future__ import annotations

from tests.conformance.terraform.steps import ACCEPTS, GONE, WAIT, Resource, Step

PROVIDER = "hashicorp/terraform-provider-aws"
ELBV2 = f"{PROVIDER} internal/service/elbv2"
LB_NOT_FOUND = ("LoadBalancerNotFound",)

_LB_READ = (
    Step(
        "DescribeLoadBalancers",
        {"LoadBalancerArns": ["${lb_arn}"]},
        service="elbv2",
        not_found=LB_NOT_FOUND,
        expect={
            "LoadBalancers[0].Type": "network",
            "LoadBalancers[0].Scheme": "internal",
            "LoadBalancers[0].VpcId": "${vpc_id}",
            "length(LoadBalancers[0].AvailabilityZones)": 2,
        },
        why="resourceLoadBalancerRead: findLoadBalancerByARN",
    ),
    Step(
        "DescribeLoadBalancerAttributes",
        {"LoadBalancerArn": "${lb_arn}"},
        service="elbv2",
        why="findLoadBalancerAttributesByARN",
    ),
    Step(
        "DescribeTags",
        {"ResourceArns": ["${lb_arn}"]},
        service="elbv2",
        expect={"TagDescriptions[0].Tags[0].Key": "Name"},
        why="listTags (transparent tagging)",
    ),
)


def _lb_active(why: str) -> Step:
    return Step(
        "DescribeLoadBalancers",
        {"LoadBalancerArns": ["${lb_arn}"]},
        kind=WAIT,
        service="elbv2",
        state="LoadBalancers[0].State.Code",
        pending=("provisioning", "failed"),
        target=("active",),
        not_found=LB_NOT_FOUND,
        why=why,
    )


def _lb_attributes(cross_zone: str) -> Step:
    return Step(
        "ModifyLoadBalancerAttributes",
        {
            "LoadBalancerArn": "${lb_arn}",
            "Attributes": [
                {"Key": "access_logs.s3.enabled", "Value": "false"},
                {"Key": "dns_record.client_routing_policy", "Value": "any_availability_zone"},
                {"Key": "load_balancing.cross_zone.enabled", "Value": cross_zone},
                {"Key": "deletion_protection.enabled", "Value": "false"},
            ],
        },
        service="elbv2",
        why="modifyLoadBalancerAttributes: every network-LB attribute of the schema with its "
        "default (the provider drops a key an error calls 'not recognized/supported')",
    )


def _lb_enis(owner: str, why: str) -> Step:
    return Step(
        "DescribeNetworkInterfaces",
        {
            "Filters": [
                {"Name": "attachment.instance-owner-id", "Values": [owner]},
                {"Name": "description", "Values": ["ELB ${lb_suffix}"]},
            ]
        },
        expect={"length(NetworkInterfaces)": 0},
        why=why,
    )


LOAD_BALANCER = Resource(
    name="aws_lb",
    source=f"{ELBV2}/load_balancer.go (indexed copy listed at "
    "af55dfb90500e80afb9d9ba64a76024e500c948a)",
    needs=("aws_vpc", "aws_subnet", "aws_subnet_b"),
    create=(
        Step(
            "DescribeLoadBalancers",
            {"Names": ["tf-${unique}"]},
            kind=ACCEPTS,
            service="elbv2",
            not_found=LB_NOT_FOUND,
            empty="LoadBalancers",
            why="resourceLoadBalancerCreate: refuses a name that already exists",
        ),
        Step(
            "CreateLoadBalancer",
            {
                "Name": "tf-${unique}",
                "Type": "network",
                "Scheme": "internal",
                "Subnets": ["${subnet_a}", "${subnet_b}"],
                "Tags": [{"Key": "Name", "Value": "tf-${unique}"}],
            },
            service="elbv2",
            save={
                "lb_arn": "LoadBalancers[0].LoadBalancerArn",
                "lb_suffix": "LoadBalancers[0].LoadBalancerArn|lb_suffix",
            },
            why="resourceLoadBalancerCreate",
        ),
        _lb_active("waitLoadBalancerActive (after create)"),
        _lb_attributes("false"),
        _lb_active("waitLoadBalancerActive (after the attributes)"),
        *_LB_READ,
    ),
    read=_LB_READ,
    update=(
        Step(
            "ModifyLoadBalancerAttributes",
            {
                "LoadBalancerArn": "${lb_arn}",
                "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}],
            },
            service="elbv2",
            why="resourceLoadBalancerUpdate: only the changed attribute",
        ),
        _lb_active("waitLoadBalancerActive (update)"),
        *_LB_READ,
    ),
    delete=(
        Step(
            "DeleteLoadBalancer",
            {"LoadBalancerArn": "${lb_arn}"},
            service="elbv2",
            why="resourceLoadBalancerDelete",
        ),
        _lb_enis(
            "amazon-elb", "cleanupALBNetworkInterfaces (run for every type; errors only logged)"
        ),
        _lb_enis(
            "amazon-aws",
            "waitForNLBNetworkInterfacesToDetach: polls until no interface of "
            "the NLB is left (AWS: owner amazon-aws, description 'ELB net/...')",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeLoadBalancers",
            {"LoadBalancerArns": ["${lb_arn}"]},
            kind=GONE,
            service="elbv2",
            not_found=LB_NOT_FOUND,
            empty="LoadBalancers",
        ),
    ),
)

TG_NOT_FOUND = ("TargetGroupNotFound",)
_TG_READ = (
    Step(
        "DescribeTargetGroups",
        {"TargetGroupArns": ["${tg_arn}"]},
        service="elbv2",
        not_found=TG_NOT_FOUND,
        expect={"TargetGroups[0].Protocol": "TCP", "TargetGroups[0].Port": 80},
        why="resourceTargetGroupRead: findTargetGroupByARN",
    ),
    Step(
        "DescribeTargetGroupAttributes",
        {"TargetGroupArn": "${tg_arn}"},
        service="elbv2",
        why="findTargetGroupAttributesByARN",
    ),
    Step("DescribeTags", {"ResourceArns": ["${tg_arn}"]}, service="elbv2", why="listTags"),
)

TARGET_GROUP = Resource(
    name="aws_lb_target_group",
    source=f"{ELBV2}/target_group.go (not read in full: sequence from its create/read/delete "
    "functions as recalled; verify against the source before relying on the attribute list)",
    needs=("aws_vpc",),
    create=(
        Step(
            "DescribeTargetGroups",
            {"Names": ["tf-${unique}"]},
            kind=ACCEPTS,
            service="elbv2",
            not_found=TG_NOT_FOUND,
            empty="TargetGroups",
            why="resourceTargetGroupCreate: refuses a name that already exists",
        ),
        Step(
            "CreateTargetGroup",
            {
                "Name": "tf-${unique}",
                "Port": 80,
                "Protocol": "TCP",
                "VpcId": "${vpc_id}",
                "TargetType": "instance",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 30,
                "HealthCheckPort": "traffic-port",
                "HealthCheckProtocol": "TCP",
                "HealthyThresholdCount": 3,
                "UnhealthyThresholdCount": 3,
                "Tags": [{"Key": "Name", "Value": "tf-${unique}"}],
            },
            service="elbv2",
            save={"tg_arn": "TargetGroups[0].TargetGroupArn"},
            why="resourceTargetGroupCreate (health check block with the schema's defaults)",
        ),
        Step(
            "ModifyTargetGroupAttributes",
            {
                "TargetGroupArn": "${tg_arn}",
                "Attributes": [
                    {"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
                    {"Key": "proxy_protocol_v2.enabled", "Value": "false"},
                    {"Key": "stickiness.enabled", "Value": "false"},
                    {"Key": "stickiness.type", "Value": "source_ip"},
                ],
            },
            service="elbv2",
            why="targetGroupAttributes.expand for a TCP target group",
        ),
        *_TG_READ,
    ),
    read=_TG_READ,
    update=(
        Step(
            "ModifyTargetGroupAttributes",
            {
                "TargetGroupArn": "${tg_arn}",
                "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "60"}],
            },
            service="elbv2",
            why="resourceTargetGroupUpdate: changed attributes only",
        ),
        *_TG_READ,
    ),
    delete=(
        Step(
            "DeleteTargetGroup",
            {"TargetGroupArn": "${tg_arn}"},
            service="elbv2",
            why="resourceTargetGroupDelete (retried on ResourceInUse)",
        ),
        Step(
            "DescribeTargetGroups",
            {"TargetGroupArns": ["${tg_arn}"]},
            kind=GONE,
            service="elbv2",
            not_found=TG_NOT_FOUND,
            empty="TargetGroups",
            why="waits until not found",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeTargetGroups",
            {"TargetGroupArns": ["${tg_arn}"]},
            kind=GONE,
            service="elbv2",
            not_found=TG_NOT_FOUND,
            empty="TargetGroups",
        ),
    ),
)

_FORWARD = [{"Type": "forward", "TargetGroupArn": "${tg_arn}"}]
_LISTENER_READ = (
    Step(
        "DescribeListeners",
        {"ListenerArns": ["${listener_arn}"]},
        service="elbv2",
        not_found=("ListenerNotFound",),
        expect={"Listeners[0].Protocol": "TCP", "Listeners[0].DefaultActions[0].Type": "forward"},
        why="resourceListenerRead: findListenerByARN (RetryWhenNewResourceNotFound)",
    ),
    Step("DescribeTags", {"ResourceArns": ["${listener_arn}"]}, service="elbv2", why="listTags"),
)

LISTENER = Resource(
    name="aws_lb_listener",
    source=f"{ELBV2}/listener.go (not read in full: sequence as recalled, see target_group)",
    needs=("aws_vpc", "aws_subnet", "aws_subnet_b", "aws_lb", "aws_lb_target_group"),
    create=(
        Step(
            "CreateListener",
            {
                "LoadBalancerArn": "${lb_arn}",
                "Port": 80,
                "Protocol": "TCP",
                "DefaultActions": _FORWARD,
                "Tags": [{"Key": "Name", "Value": "tf-${unique}"}],
            },
            service="elbv2",
            save={"listener_arn": "Listeners[0].ListenerArn"},
            why="resourceListenerCreate",
        ),
        *_LISTENER_READ,
    ),
    read=_LISTENER_READ,
    update=(
        Step(
            "ModifyListener",
            {
                "ListenerArn": "${listener_arn}",
                "Port": 81,
                "Protocol": "TCP",
                "DefaultActions": _FORWARD,
            },
            service="elbv2",
            why="resourceListenerUpdate",
        ),
        *_LISTENER_READ,
    ),
    delete=(
        Step(
            "DeleteListener",
            {"ListenerArn": "${listener_arn}"},
            kind=ACCEPTS,
            service="elbv2",
            not_found=("ListenerNotFound",),
            why="resourceListenerDelete",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeListeners",
            {"ListenerArns": ["${listener_arn}"]},
            kind=GONE,
            service="elbv2",
            not_found=("ListenerNotFound",),
            empty="Listeners",
        ),
    ),
)
