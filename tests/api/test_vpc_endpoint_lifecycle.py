"""Describe, modify and delete VPC endpoints (AWS services, one consumer account)."""

from __future__ import annotations

import json

import pytest

from tests.api.privatelink import Party, endpoint, error_code, make_net, party, wait_state
from tests.harness import wait_until

EC2 = "com.amazonaws.us-east-1.ec2"
STS = "com.amazonaws.us-east-1.sts"


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def _create(c: Party, vpc_id: str, service: str = EC2, **kwargs) -> dict:
    return dict(
        c.ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            VpcEndpointType="Interface",
            ServiceName=service,
            PrivateDnsEnabled=kwargs.pop("PrivateDnsEnabled", False),
            **kwargs,
        )["VpcEndpoint"]
    )


def test_describe_filters(consumer):
    net = make_net(consumer.ec2)
    one = _create(
        consumer,
        net.vpc_id,
        TagSpecifications=[
            {"ResourceType": "vpc-endpoint", "Tags": [{"Key": "env", "Value": "prod"}]}
        ],
    )
    two = _create(consumer, net.vpc_id, STS)
    gateway = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, ServiceName="com.amazonaws.us-east-1.s3"
    )["VpcEndpoint"]

    def ids(*filters):
        found = consumer.ec2.describe_vpc_endpoints(
            Filters=[{"Name": n, "Values": v} for n, v in filters]
        )["VpcEndpoints"]
        return sorted(e["VpcEndpointId"] for e in found)

    all_ids = sorted([one["VpcEndpointId"], two["VpcEndpointId"], gateway["VpcEndpointId"]])
    assert ids(("vpc-id", [net.vpc_id])) == all_ids
    assert ids(("service-name", [STS])) == [two["VpcEndpointId"]]
    assert ids(("vpc-endpoint-id", [one["VpcEndpointId"]])) == [one["VpcEndpointId"]]
    assert ids(("vpc-endpoint-type", ["Gateway"])) == [gateway["VpcEndpointId"]]
    assert ids(("vpc-endpoint-state", ["pending", "available"])) == all_ids
    assert ids(("vpc-endpoint-state", ["rejected"])) == []
    assert ids(("tag:env", ["prod"])) == [one["VpcEndpointId"]]
    assert ids(("tag-key", ["env"])) == [one["VpcEndpointId"]]
    assert ids(("tag:env", ["dev"])) == []
    consumer.ec2.create_tags(
        Resources=[two["VpcEndpointId"]], Tags=[{"Key": "env", "Value": "dev"}]
    )
    assert ids(("tag:env", ["dev"])) == [two["VpcEndpointId"]]
    assert (
        error_code(
            lambda: consumer.ec2.describe_vpc_endpoints(
                Filters=[{"Name": "no-such-filter", "Values": ["x"]}]
            )
        )
        == "InvalidParameterValue"
    )


def test_describe_by_id_and_paging(consumer):
    net = make_net(consumer.ec2)
    made = [_create(consumer, net.vpc_id)["VpcEndpointId"] for _ in range(5)]
    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 2, **({"NextToken": token} if token else {})}
        page = consumer.ec2.describe_vpc_endpoints(**kwargs)
        assert len(page["VpcEndpoints"]) <= 2
        seen += [e["VpcEndpointId"] for e in page["VpcEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == made
    paged = consumer.ec2.get_paginator("describe_vpc_endpoints").paginate(
        PaginationConfig={"PageSize": 3}
    )
    assert [e["VpcEndpointId"] for p in paged for e in p["VpcEndpoints"]] == made
    found = consumer.ec2.describe_vpc_endpoints(VpcEndpointIds=[made[3]])["VpcEndpoints"]
    assert [e["VpcEndpointId"] for e in found] == [made[3]]
    with pytest.raises(Exception) as info:
        consumer.ec2.describe_vpc_endpoints(VpcEndpointIds=[made[0], "vpce-0123456789abcdef0"])
    assert info.value.response["Error"]["Code"] == "InvalidVpcEndpointId.NotFound"
    assert "vpce-0123456789abcdef0" in info.value.response["Error"]["Message"]
    assert (
        error_code(lambda: consumer.ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-zz"]))
        == "InvalidVpcEndpointId.Malformed"
    )


def test_other_accounts_cannot_see_modify_or_delete(server, consumer):
    net = make_net(consumer.ec2)
    eid = _create(consumer, net.vpc_id)["VpcEndpointId"]
    stranger = party(server)
    assert stranger.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
    assert (
        error_code(lambda: stranger.ec2.describe_vpc_endpoints(VpcEndpointIds=[eid]))
        == "InvalidVpcEndpointId.NotFound"
    )
    assert (
        error_code(lambda: stranger.ec2.modify_vpc_endpoint(VpcEndpointId=eid, ResetPolicy=True))
        == "InvalidVpcEndpointId.NotFound"
    )
    result = stranger.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])
    assert result["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpoint.NotFound"
    assert endpoint(consumer.ec2, eid) is not None


def test_modify_subnets_replaces_interfaces_and_frees_addresses(consumer):
    net = make_net(consumer.ec2, zones=("us-east-1a", "us-east-1b", "us-east-1c"))
    a, b, c = (net.subnets[z] for z in ("us-east-1a", "us-east-1b", "us-east-1c"))
    made = _create(consumer, net.vpc_id, SubnetIds=[a, b])
    eid = made["VpcEndpointId"]
    wait_state(consumer.ec2, eid, "available")
    free_b = consumer.ec2.describe_subnets(SubnetIds=[b])["Subnets"][0]["AvailableIpAddressCount"]
    assert (
        consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, AddSubnetIds=[c], RemoveSubnetIds=[b])[
            "Return"
        ]
        is True
    )
    after = endpoint(consumer.ec2, eid)
    assert after["State"] == "pending"  # a modification re-provisions
    assert after["SubnetIds"] == [a, c]
    assert len(after["NetworkInterfaceIds"]) == 2
    removed_eni = made["NetworkInterfaceIds"][1]
    assert removed_eni not in after["NetworkInterfaceIds"]
    assert (
        error_code(
            lambda: consumer.ec2.describe_network_interfaces(NetworkInterfaceIds=[removed_eni])
        )
        == "InvalidNetworkInterfaceID.NotFound"
    )
    assert (
        consumer.ec2.describe_subnets(SubnetIds=[b])["Subnets"][0]["AvailableIpAddressCount"]
        == free_b + 1
    )
    zonal = [e["DnsName"] for e in after["DnsEntries"]]
    assert any("-us-east-1c." in n for n in zonal) and not any("-us-east-1b." in n for n in zonal)
    wait_state(consumer.ec2, eid, "available")
    extra = consumer.ec2.create_subnet(
        VpcId=net.vpc_id, CidrBlock="10.20.9.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    assert (
        error_code(
            lambda: consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, AddSubnetIds=[extra])
        )
        == "DuplicateSubnetsInSameZone"
    )


def test_modify_security_groups_policy_and_private_dns(consumer):
    net = make_net(consumer.ec2)
    a = net.subnets["us-east-1a"]
    made = _create(consumer, net.vpc_id, SubnetIds=[a])
    eid = made["VpcEndpointId"]
    group = consumer.ec2.create_security_group(
        GroupName="endpoint", Description="x", VpcId=net.vpc_id
    )["GroupId"]
    consumer.ec2.modify_vpc_endpoint(
        VpcEndpointId=eid, AddSecurityGroupIds=[group], RemoveSecurityGroupIds=[net.default_group]
    )
    after = endpoint(consumer.ec2, eid)
    assert [g["GroupId"] for g in after["Groups"]] == [group]
    eni = consumer.ec2.describe_network_interfaces(
        NetworkInterfaceIds=after["NetworkInterfaceIds"]
    )["NetworkInterfaces"][0]
    assert [g["GroupId"] for g in eni["Groups"]] == [group]
    assert (
        error_code(
            lambda: consumer.ec2.modify_vpc_endpoint(
                VpcEndpointId=eid, RemoveSecurityGroupIds=[group]
            )
        )
        == "InvalidParameter"
    )

    policy = json.dumps(
        {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ec2:*", "Resource": "*"}]}
    )
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, PolicyDocument=policy)
    assert endpoint(consumer.ec2, eid)["PolicyDocument"] == policy
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, ResetPolicy=True)
    reset = json.loads(endpoint(consumer.ec2, eid)["PolicyDocument"])
    assert reset["Statement"][0]["Effect"] == "Allow"

    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=True)
    on = endpoint(consumer.ec2, eid)
    assert on["PrivateDnsEnabled"] is True
    assert on["DnsEntries"][-1]["DnsName"] == "ec2.us-east-1.amazonaws.com"
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=eid, PrivateDnsEnabled=False)
    off = endpoint(consumer.ec2, eid)
    assert "ec2.us-east-1.amazonaws.com" not in [e["DnsName"] for e in off["DnsEntries"]]
    assert error_code(
        lambda: consumer.ec2.modify_vpc_endpoint(
            VpcEndpointId="vpce-0123456789abcdef0", ResetPolicy=True
        )
    ) == ("InvalidVpcEndpointId.NotFound")


def test_delete_goes_deleting_deleted_gone(consumer):
    net = make_net(consumer.ec2)
    eid = _create(consumer, net.vpc_id, SubnetIds=[net.subnets["us-east-1a"]])["VpcEndpointId"]
    assert error_code(lambda: consumer.ec2.delete_vpc(VpcId=net.vpc_id)) == "DependencyViolation"
    result = consumer.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid, "vpce-0123456789abcdef0"])
    assert result["Unsuccessful"] == [
        {
            "Error": {
                "Code": "InvalidVpcEndpoint.NotFound",
                "Message": "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist",
            },
            "ResourceId": "vpce-0123456789abcdef0",
        }
    ]
    states: list[str | None] = []  # each state the endpoint showed, in order

    def gone() -> bool:
        found = endpoint(consumer.ec2, eid)
        state = found["State"] if found else None
        if not states or states[-1] != state:
            states.append(state)
        return state is None

    wait_until(gone, 20, 0.1, f"{eid} to be gone")
    assert "deleted" in states
    assert [s for s in states if s in ("deleting", "deleted", None)] == states
    again = consumer.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])
    assert again["Unsuccessful"][0]["Error"]["Code"] == "InvalidVpcEndpoint.NotFound"
    for subnet in net.subnets.values():
        consumer.ec2.delete_subnet(SubnetId=subnet)
    consumer.ec2.delete_vpc(VpcId=net.vpc_id)


def test_unimplemented_operations_say_so(consumer):
    assert error_code(lambda: consumer.ec2.describe_vpc_endpoint_associations()) == (
        "NotImplemented"
    )
