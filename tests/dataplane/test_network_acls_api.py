"""Network ACLs made through the API cut endpoint traffic in either direction.

ACLs are stateless and evaluated in rule-number order per subnet, inbound and
outbound, at the subnet boundary (traffic inside one subnet is not filtered).
The client sits in the consumer's first subnet and talks to the endpoint's
interface in the second, so every packet crosses the second subnet's ACL.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dataplane.world import World, connect, wait_for

pytestmark = pytest.mark.dataplane

VPC_CIDR = "10.0.0.0/16"


@pytest.fixture
def world(fresh_server: Any) -> World:
    built = World(fresh_server(extra_args=["--dataplane", "linux"])).build()
    wait_for(built.targets_healthy, 40, "the targets to pass real health checks")
    return built


def entry(
    ec2: Any, acl: str, number: int, egress: bool, action: str, ports: tuple[int, int] | None
) -> None:
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=number,
        Egress=egress,
        RuleAction=action,
        Protocol="6" if ports else "-1",
        CidrBlock=VPC_CIDR,
        **({"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {}),
    )


def associate(ec2: Any, subnet: str, acl: str) -> None:
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]
    association = next(a for a in current["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl
    )


def test_acl_denies_cut_endpoint_traffic_both_ways(world: World) -> None:
    ec2 = world.c_ec2
    endpoint = world.create_endpoint()
    world.accept(endpoint["VpcEndpointId"])
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=endpoint["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ]
    far = next(e for e in enis if e["SubnetId"] == world.c_subnets[1])
    target, subnet = far["PrivateIpAddress"], far["SubnetId"]

    def answers() -> bool:
        return connect(world.client, target, 80).stdout.startswith("hello")

    assert wait_for(answers, 20, "a reply under the default ACL")
    default = ec2.describe_network_acls(
        Filters=[
            {"Name": "vpc-id", "Values": [world.c_vpc]},
            {"Name": "default", "Values": ["true"]},
        ]
    )["NetworkAcls"][0]["NetworkAclId"]

    inbound = ec2.create_network_acl(VpcId=world.c_vpc)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, inbound, 50, False, "deny", (80, 80))  # the request, into the ENI's subnet
    entry(ec2, inbound, 100, False, "allow", None)
    entry(ec2, inbound, 100, True, "allow", None)
    associate(ec2, subnet, inbound)
    wait_for(lambda: not answers(), 20, "an inbound deny to cut the endpoint")

    outbound = ec2.create_network_acl(VpcId=world.c_vpc)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, outbound, 100, False, "allow", None)
    entry(ec2, outbound, 50, True, "deny", (1024, 65535))  # the replies: stateless
    entry(ec2, outbound, 100, True, "allow", None)
    associate(ec2, subnet, outbound)
    wait_for(lambda: not answers(), 20, "an outbound deny of the replies to cut it")

    ec2.delete_network_acl_entry(NetworkAclId=outbound, RuleNumber=50, Egress=True)
    assert wait_for(answers, 20, "the endpoint back once the deny is gone")

    associate(ec2, subnet, default)
    assert wait_for(answers, 20, "the default ACL to allow the endpoint")
