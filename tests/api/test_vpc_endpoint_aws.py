"""Interface and Gateway endpoints to AWS services (one consumer account)."""

from __future__ import annotations

import ipaddress
import json
import re

import pytest

from tests.api.privatelink import (
    Party,
    endpoint,
    error_code,
    make_net,
    party,
    wait_state,
)

EC2 = "com.amazonaws.us-east-1.ec2"


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def _free(ec2, subnet_id: str) -> int:
    return int(ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"])


def test_interface_endpoint_to_aws_service_is_auto_accepted(consumer):
    net = make_net(consumer.ec2)
    a, b = net.subnets["us-east-1a"], net.subnets["us-east-1b"]
    created = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=EC2,
        SubnetIds=[a, b],
        TagSpecifications=[
            {"ResourceType": "vpc-endpoint", "Tags": [{"Key": "team", "Value": "x"}]}
        ],
    )["VpcEndpoint"]
    eid = created["VpcEndpointId"]
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", eid)
    assert created["State"] == "pending"
    assert created["VpcEndpointType"] == "Interface"
    assert created["ServiceName"] == EC2
    assert created["SubnetIds"] == [a, b]
    assert created["Groups"] == [{"GroupId": net.default_group, "GroupName": "default"}]
    assert created["PrivateDnsEnabled"] is True
    assert created["RequesterManaged"] is False
    assert created["OwnerId"] == consumer.account
    assert created["RouteTableIds"] == []
    assert created["Tags"] == [{"Key": "team", "Value": "x"}]
    assert json.loads(created["PolicyDocument"])["Statement"][0]["Principal"] == "*"
    assert len(created["NetworkInterfaceIds"]) == 2
    names = [e["DnsName"] for e in created["DnsEntries"]]
    token = re.escape(eid) + r"-[a-z0-9]{8}"
    assert re.fullmatch(token + r"\.ec2\.us-east-1\.vpce\.amazonaws\.com", names[0])
    assert re.fullmatch(token + r"-us-east-1a\.ec2\.us-east-1\.vpce\.amazonaws\.com", names[1])
    assert re.fullmatch(token + r"-us-east-1b\.ec2\.us-east-1\.vpce\.amazonaws\.com", names[2])
    assert names[3] == "ec2.us-east-1.amazonaws.com"
    assert {e["HostedZoneId"] for e in created["DnsEntries"][:3]} == {"Z7HUB22UULQXV"}
    wait_state(consumer.ec2, eid, "available")
    again = endpoint(consumer.ec2, eid)
    assert again["DnsEntries"] == created["DnsEntries"]  # names are stable


def test_endpoint_interfaces_are_requester_managed_and_freed(consumer):
    net = make_net(consumer.ec2)
    a, b = net.subnets["us-east-1a"], net.subnets["us-east-1b"]
    before = _free(consumer.ec2, a), _free(consumer.ec2, b)
    created = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=EC2,
        SubnetIds=[a, b],
        PrivateDnsEnabled=False,
    )["VpcEndpoint"]
    eid = created["VpcEndpointId"]
    assert (_free(consumer.ec2, a), _free(consumer.ec2, b)) == (before[0] - 1, before[1] - 1)
    enis = consumer.ec2.describe_network_interfaces(
        NetworkInterfaceIds=created["NetworkInterfaceIds"]
    )["NetworkInterfaces"]
    by_subnet = {e["SubnetId"]: e for e in enis}
    for subnet_id, zone in ((a, "us-east-1a"), (b, "us-east-1b")):
        eni = by_subnet[subnet_id]
        assert eni["InterfaceType"] == "vpc_endpoint"
        assert eni["RequesterManaged"] is True
        assert eni["Description"] == f"VPC Endpoint Interface {eid}"
        assert eni["AvailabilityZone"] == zone
        assert eni["Groups"][0]["GroupId"] == net.default_group
        cidr = consumer.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["CidrBlock"]
        assert ipaddress.ip_address(eni["PrivateIpAddress"]) in ipaddress.ip_network(cidr)
    consumer.ec2.delete_vpc_endpoints(VpcEndpointIds=[eid])
    wait_state(consumer.ec2, eid, "deleted")
    assert (_free(consumer.ec2, a), _free(consumer.ec2, b)) == before
    left = consumer.ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [net.vpc_id]}]
    )["NetworkInterfaces"]
    assert left == []


def test_subnet_configuration_pins_the_address(consumer):
    net = make_net(consumer.ec2)
    a = net.subnets["us-east-1a"]
    created = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=EC2,
        PrivateDnsEnabled=False,
        SubnetConfigurations=[{"SubnetId": a, "Ipv4": "10.20.1.77"}],
    )["VpcEndpoint"]
    eni = consumer.ec2.describe_network_interfaces(
        NetworkInterfaceIds=created["NetworkInterfaceIds"]
    )["NetworkInterfaces"][0]
    assert eni["PrivateIpAddress"] == "10.20.1.77"
    assert created["SubnetIds"] == [a]


def test_omitted_type_means_gateway(consumer):
    net = make_net(consumer.ec2)
    subnet = net.subnets["us-east-1a"]
    code = error_code(
        lambda: consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id, ServiceName=EC2, SubnetIds=[subnet]
        )
    )
    assert code == "InvalidParameter"
    with pytest.raises(Exception) as info:
        consumer.ec2.create_vpc_endpoint(VpcId=net.vpc_id, ServiceName=EC2)
    assert "Endpoint type (Gateway) does not match available service types ([Interface])" in str(
        info.value
    )


def test_gateway_endpoints_for_s3_and_dynamodb(consumer):
    net = make_net(consumer.ec2)
    s3 = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, ServiceName="com.amazonaws.us-east-1.s3", RouteTableIds=[net.route_table]
    )["VpcEndpoint"]
    assert s3["VpcEndpointType"] == "Gateway"
    assert s3["State"] == "available"
    assert s3["RouteTableIds"] == [net.route_table]
    assert s3["DnsEntries"] == [] and s3["NetworkInterfaceIds"] == []
    ddb = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Gateway", ServiceName="com.amazonaws.us-east-1.dynamodb"
    )["VpcEndpoint"]
    consumer.ec2.modify_vpc_endpoint(
        VpcEndpointId=ddb["VpcEndpointId"], AddRouteTableIds=[net.route_table]
    )
    assert endpoint(consumer.ec2, ddb["VpcEndpointId"])["RouteTableIds"] == [net.route_table]
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=EC2,
                RouteTableIds=[net.route_table],
            )
        )
        == "InvalidParameter"
    )
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Gateway",
                ServiceName="com.amazonaws.us-east-1.s3",
                RouteTableIds=["rtb-0123456789abcdef0"],
            )
        )
        == "InvalidRouteTableID.NotFound"
    )


def test_s3_interface_endpoint_has_wildcard_names_and_needs_gateway_for_private_dns(consumer):
    net = make_net(consumer.ec2)
    a = net.subnets["us-east-1a"]
    s3 = "com.amazonaws.us-east-1.s3"
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=s3,
                SubnetIds=[a],
                PrivateDnsEnabled=True,
            )
        )
        == "InvalidParameter"
    )
    plain = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=s3,
        SubnetIds=[a],
        PrivateDnsEnabled=False,
    )["VpcEndpoint"]
    assert plain["DnsEntries"][0]["DnsName"].startswith("*." + plain["VpcEndpointId"] + "-")
    assert plain["DnsEntries"][0]["DnsName"].endswith(".s3.us-east-1.vpce.amazonaws.com")
    consumer.ec2.create_vpc_endpoint(VpcId=net.vpc_id, ServiceName=s3)  # the gateway
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=plain["VpcEndpointId"], PrivateDnsEnabled=True)
    found = endpoint(consumer.ec2, plain["VpcEndpointId"])
    assert found["PrivateDnsEnabled"] is True
    assert found["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"] is True


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        ({"VpcId": "vpc-nothex"}, "InvalidVpcID.Malformed"),
        ({"ServiceName": "com.amazonaws.us-east-1.nope"}, "InvalidServiceName"),
        ({"VpcEndpointType": "Bogus"}, "InvalidVpcEndpointType"),
        ({"SubnetIds": ["subnet-XYZ"]}, "InvalidSubnetId.Malformed"),
        ({"SubnetIds": ["subnet-0123456789abcdef0"]}, "InvalidSubnetID.NotFound"),
        ({"SecurityGroupIds": ["sg-bad"]}, "InvalidGroupId.Malformed"),
        ({"SecurityGroupIds": ["sg-0123456789abcdef0"]}, "InvalidGroup.NotFound"),
        ({"PolicyDocument": "{not json"}, "InvalidPolicyDocument"),
        (
            {"PolicyDocument": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*"}]})},
            "InvalidPolicyDocument",
        ),
    ],
)
def test_create_errors(consumer, kwargs, code):
    net = make_net(consumer.ec2)
    params = {
        "VpcId": net.vpc_id,
        "VpcEndpointType": "Interface",
        "ServiceName": EC2,
        "PrivateDnsEnabled": False,
        **kwargs,
    }
    assert error_code(lambda: consumer.ec2.create_vpc_endpoint(**params)) == code


def test_subnet_of_another_vpc_is_refused(consumer):
    one, two = make_net(consumer.ec2), make_net(consumer.ec2, "10.30.0.0/16")
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=one.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=EC2,
                PrivateDnsEnabled=False,
                SubnetIds=[two.subnets["us-east-1a"]],
            )
        )
        == "InvalidParameter"
    )


def test_two_subnets_in_one_zone(consumer):
    net = make_net(consumer.ec2)
    extra = consumer.ec2.create_subnet(
        VpcId=net.vpc_id, CidrBlock="10.20.9.0/24", AvailabilityZone="us-east-1a"
    )["Subnet"]["SubnetId"]
    with pytest.raises(Exception) as info:
        consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id,
            VpcEndpointType="Interface",
            ServiceName=EC2,
            PrivateDnsEnabled=False,
            SubnetIds=[net.subnets["us-east-1a"], extra],
        )
    assert info.value.response["Error"]["Code"] == "DuplicateSubnetsInSameZone"
    assert extra in info.value.response["Error"]["Message"]


def test_security_group_limit(consumer):
    net = make_net(consumer.ec2)
    groups = [
        consumer.ec2.create_security_group(GroupName=f"g{i}", Description="x", VpcId=net.vpc_id)[
            "GroupId"
        ]
        for i in range(6)
    ]
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=EC2,
                PrivateDnsEnabled=False,
                SecurityGroupIds=groups,
            )
        )
        == "SecurityGroupsPerInterfaceLimitExceeded"
    )
    made = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=EC2,
        PrivateDnsEnabled=False,
        SecurityGroupIds=groups[:5],
        SubnetIds=[net.subnets["us-east-1a"]],
    )["VpcEndpoint"]
    assert [g["GroupId"] for g in made["Groups"]] == groups[:5]


def test_private_dns_needs_vpc_dns_attributes(consumer):
    net = make_net(consumer.ec2, dns=False)
    with pytest.raises(Exception) as info:
        consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=EC2
        )  # private DNS is on by default
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
    assert "enableDnsSupport and enableDnsHostnames" in info.value.response["Error"]["Message"]
    made = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=EC2, PrivateDnsEnabled=False
    )["VpcEndpoint"]
    assert made["PrivateDnsEnabled"] is False
    assert (
        error_code(
            lambda: consumer.ec2.modify_vpc_endpoint(
                VpcEndpointId=made["VpcEndpointId"], PrivateDnsEnabled=True
            )
        )
        == "InvalidParameter"
    )


def test_private_dns_name_has_one_owner_per_vpc(consumer):
    net = make_net(consumer.ec2)
    first = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=EC2
    )["VpcEndpoint"]
    with pytest.raises(Exception) as info:
        consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=EC2, PrivateDnsEnabled=True
        )
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
    assert "conflicting DNS domain for ec2.us-east-1.amazonaws.com" in str(info.value)
    second = consumer.ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Interface", ServiceName=EC2, PrivateDnsEnabled=False
    )["VpcEndpoint"]
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=first["VpcEndpointId"], PrivateDnsEnabled=False)
    consumer.ec2.modify_vpc_endpoint(VpcEndpointId=second["VpcEndpointId"], PrivateDnsEnabled=True)
    assert endpoint(consumer.ec2, second["VpcEndpointId"])["PrivateDnsEnabled"] is True


def test_client_token_is_idempotent(consumer):
    net = make_net(consumer.ec2)
    params = {
        "VpcId": net.vpc_id,
        "VpcEndpointType": "Interface",
        "ServiceName": EC2,
        "PrivateDnsEnabled": False,
        "ClientToken": "token-1",
    }
    first = consumer.ec2.create_vpc_endpoint(**params)
    second = consumer.ec2.create_vpc_endpoint(**params)
    assert first["VpcEndpoint"]["VpcEndpointId"] == second["VpcEndpoint"]["VpcEndpointId"]
    assert second["ClientToken"] == "token-1"
    assert len(consumer.ec2.describe_vpc_endpoints()["VpcEndpoints"]) == 1
    changed = {**params, "ServiceName": "com.amazonaws.us-east-1.sts"}
    assert error_code(lambda: consumer.ec2.create_vpc_endpoint(**changed)) == (
        "IdempotentParameterMismatch"
    )


def test_interface_endpoint_quota_per_vpc(consumer):
    net = make_net(consumer.ec2)
    for _ in range(50):
        consumer.ec2.create_vpc_endpoint(
            VpcId=net.vpc_id,
            VpcEndpointType="Interface",
            ServiceName=EC2,
            PrivateDnsEnabled=False,
        )
    assert (
        error_code(
            lambda: consumer.ec2.create_vpc_endpoint(
                VpcId=net.vpc_id,
                VpcEndpointType="Interface",
                ServiceName=EC2,
                PrivateDnsEnabled=False,
            )
        )
        == "VpcEndpointLimitExceeded"
    )
    other = make_net(consumer.ec2, "10.30.0.0/16")
    consumer.ec2.create_vpc_endpoint(
        VpcId=other.vpc_id, VpcEndpointType="Interface", ServiceName=EC2, PrivateDnsEnabled=False
    )
