"""Call sequences of the AWS provider's aws_network_acl, aws_eip and aws_nat_gateway, which
privlink does not implement yet (issue 13), recorded so their replay turns green when they
land. Facts from hashicorp/terraform-provider-aws (files in each `source`); no code copied.
"""

from __future__ import annotations

from tests.conformance.terraform.steps import ACCEPTS, GONE, WAIT, Resource, Step, tags

PROVIDER = "hashicorp/terraform-provider-aws"

NETWORK_ACL = Resource(
    name="aws_network_acl",
    source=f"{PROVIDER} internal/service/ec2/vpc_network_acl.go (issue 13: not implemented)",
    needs=("aws_vpc",),
    create=(
        Step(
            "CreateNetworkAcl",
            {"VpcId": "${vpc_id}", "TagSpecifications": tags("network-acl")},
            save={"acl_id": "NetworkAcl.NetworkAclId"},
            why="resourceNetworkACLCreate",
        ),
        Step(
            "DescribeNetworkAcls",
            {"NetworkAclIds": ["${acl_id}"]},
            not_found=("InvalidNetworkAclID.NotFound",),
            why="RetryWhenNewResourceNotFound(findNetworkACLByID)",
        ),
        Step(
            "CreateNetworkAclEntry",
            {
                "NetworkAclId": "${acl_id}",
                "RuleNumber": 100,
                "Protocol": "6",
                "RuleAction": "allow",
                "Egress": False,
                "CidrBlock": "10.0.0.0/16",
                "PortRange": {"From": 443, "To": 443},
            },
            why="createNetworkACLEntries (ingress block)",
        ),
    ),
    read=(
        Step(
            "DescribeNetworkAcls",
            {"NetworkAclIds": ["${acl_id}"]},
            not_found=("InvalidNetworkAclID.NotFound",),
            expect={"NetworkAcls[0].IsDefault": False},
            why="resourceNetworkACLRead",
        ),
    ),
    update=(
        Step(
            "DeleteNetworkAclEntry",
            {"NetworkAclId": "${acl_id}", "RuleNumber": 100, "Egress": False},
            why="updateNetworkACLEntries: removed entries",
        ),
        Step(
            "CreateNetworkAclEntry",
            {
                "NetworkAclId": "${acl_id}",
                "RuleNumber": 110,
                "Protocol": "6",
                "RuleAction": "deny",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 22, "To": 22},
            },
            why="updateNetworkACLEntries: added entries",
        ),
    ),
    delete=(
        Step(
            "DeleteNetworkAcl",
            {"NetworkAclId": "${acl_id}"},
            kind=ACCEPTS,
            not_found=("InvalidNetworkAclID.NotFound",),
            why="resourceNetworkACLDelete (after moving subnets to the default ACL)",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeNetworkAcls",
            {"NetworkAclIds": ["${acl_id}"]},
            kind=GONE,
            not_found=("InvalidNetworkAclID.NotFound",),
            empty="NetworkAcls",
        ),
    ),
)

EIP = Resource(
    name="aws_eip",
    source=f"{PROVIDER} internal/service/ec2/ec2_eip.go (issue 13: not implemented)",
    create=(
        Step(
            "AllocateAddress",
            {"Domain": "vpc", "TagSpecifications": tags("elastic-ip")},
            save={"eip_id": "AllocationId"},
            why="resourceEIPCreate",
        ),
        Step(
            "DescribeAddresses",
            {"AllocationIds": ["${eip_id}"]},
            not_found=("InvalidAllocationID.NotFound",),
            why="RetryWhenNotFound(findEIPByAllocationID)",
        ),
    ),
    read=(
        Step(
            "DescribeAddresses",
            {"AllocationIds": ["${eip_id}"]},
            not_found=("InvalidAllocationID.NotFound",),
            expect={"Addresses[0].Domain": "vpc"},
            why="resourceEIPRead",
        ),
    ),
    update=(
        Step(
            "CreateTags",
            {"Resources": ["${eip_id}"], "Tags": [{"Key": "Env", "Value": "test"}]},
            why="updateTags",
        ),
    ),
    delete=(
        Step(
            "ReleaseAddress",
            {"AllocationId": "${eip_id}"},
            kind=ACCEPTS,
            not_found=("InvalidAllocationID.NotFound",),
            why="resourceEIPDelete",
        ),
        Step(
            "DescribeAddresses",
            {"AllocationIds": ["${eip_id}"]},
            kind=GONE,
            not_found=("InvalidAllocationID.NotFound",),
            empty="Addresses",
            why="RetryUntilNotFound(findEIPByAllocationID)",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeAddresses",
            {"AllocationIds": ["${eip_id}"]},
            kind=GONE,
            not_found=("InvalidAllocationID.NotFound",),
            empty="Addresses",
        ),
    ),
)

_NAT_BY_ID = {"NatGatewayIds": ["${nat_id}"]}
NAT_GATEWAY = Resource(
    name="aws_nat_gateway",
    source=f"{PROVIDER} internal/service/ec2/vpc_nat_gateway.go (issue 13: not implemented)",
    needs=("aws_vpc", "aws_subnet", "aws_eip"),
    create=(
        Step(
            "CreateNatGateway",
            {
                "AllocationId": "${eip_id}",
                "SubnetId": "${subnet_a}",
                "ConnectivityType": "public",
                "ClientToken": "tf-${unique}",
                "TagSpecifications": tags("natgateway"),
            },
            save={"nat_id": "NatGateway.NatGatewayId"},
            why="resourceNATGatewayCreate",
        ),
        Step(
            "DescribeNatGateways",
            _NAT_BY_ID,
            kind=WAIT,
            state="NatGateways[0].State",
            pending=("pending",),
            target=("available",),
            not_found=("NatGatewayNotFound",),
            empty="NatGateways",
            why="waitNATGatewayCreated",
        ),
    ),
    read=(
        Step(
            "DescribeNatGateways",
            _NAT_BY_ID,
            not_found=("NatGatewayNotFound",),
            expect={"NatGateways[0].NatGatewayAddresses[0].AllocationId": "${eip_id}"},
            why="resourceNATGatewayRead (state deleted counts as not found)",
        ),
    ),
    update=(
        Step(
            "CreateTags",
            {"Resources": ["${nat_id}"], "Tags": [{"Key": "Env", "Value": "test"}]},
            why="updateTags",
        ),
    ),
    delete=(
        Step(
            "DeleteNatGateway",
            {"NatGatewayId": "${nat_id}"},
            kind=ACCEPTS,
            not_found=("NatGatewayNotFound",),
            why="resourceNATGatewayDelete",
        ),
        Step(
            "DescribeNatGateways",
            _NAT_BY_ID,
            kind=GONE,
            state="NatGateways[0].State",
            pending=("deleting",),
            gone_states=("deleted",),
            not_found=("NatGatewayNotFound",),
            empty="NatGateways",
            why="waitNATGatewayDeleted: pending [deleting], target []",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeNatGateways",
            _NAT_BY_ID,
            kind=GONE,
            state="NatGateways[0].State",
            gone_states=("deleted",),
            not_found=("NatGatewayNotFound",),
            empty="NatGateways",
        ),
    ),
)
