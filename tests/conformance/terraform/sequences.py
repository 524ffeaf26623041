"""Every replayed resource, by the key other resources name in `needs`.

The call sequences were read from the public source of hashicorp/terraform-provider-aws
(the provider cannot be downloaded on these machines); each Resource's `source` names the
file and the commit read. See the sequences_*.py modules.
"""

from __future__ import annotations

from tests.conformance.terraform.sequences_elbv2 import LISTENER, LOAD_BALANCER, TARGET_GROUP
from tests.conformance.terraform.sequences_privatelink import (
    ACCEPTER,
    ALLOWED_PRINCIPAL,
    ENDPOINT_SERVICE,
    NOTIFICATION,
    SNS_TOPIC,
    VPC_ENDPOINT,
)
from tests.conformance.terraform.sequences_unimplemented import EIP, NAT_GATEWAY, NETWORK_ACL
from tests.conformance.terraform.sequences_vpc import SECURITY_GROUP, subnet, vpc
from tests.conformance.terraform.steps import Resource

RESOURCES: dict[str, Resource] = {
    "aws_vpc": vpc("vpc_id", "10.0.0.0/16"),
    "aws_subnet": subnet("subnet_a", "vpc_id", "10.0.1.0/24", "us-east-1a"),
    "aws_subnet_b": subnet("subnet_b", "vpc_id", "10.0.2.0/24", "us-east-1b"),
    "aws_security_group": SECURITY_GROUP,
    "aws_network_acl": NETWORK_ACL,
    "aws_eip": EIP,
    "aws_nat_gateway": NAT_GATEWAY,
    "aws_lb": LOAD_BALANCER,
    "aws_lb_target_group": TARGET_GROUP,
    "aws_lb_listener": LISTENER,
    "aws_vpc_endpoint_service": ENDPOINT_SERVICE,
    "aws_vpc_endpoint_service_allowed_principal": ALLOWED_PRINCIPAL,
    "aws_vpc_endpoint": VPC_ENDPOINT,
    "aws_vpc_endpoint_connection_accepter": ACCEPTER,
    "aws_vpc_endpoint_connection_notification": NOTIFICATION,
    "aws_sns_topic": SNS_TOPIC,
    "consumer_vpc": vpc("consumer_vpc", "10.1.0.0/16", account="consumer"),
    "consumer_subnet_a": subnet(
        "consumer_subnet_a", "consumer_vpc", "10.1.1.0/24", "us-east-1a", account="consumer"
    ),
    "consumer_subnet_b": subnet(
        "consumer_subnet_b", "consumer_vpc", "10.1.2.0/24", "us-east-1b", account="consumer"
    ),
}

# The resources the replay tests run (the others above are only prerequisites).
REPLAYED = (
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_lb",
    "aws_lb_target_group",
    "aws_lb_listener",
    "aws_vpc_endpoint_service",
    "aws_vpc_endpoint_service_allowed_principal",
    "aws_vpc_endpoint",
    "aws_vpc_endpoint_connection_accepter",
    "aws_vpc_endpoint_connection_notification",
    "aws_network_acl",
    "aws_eip",
    "aws_nat_gateway",
)
