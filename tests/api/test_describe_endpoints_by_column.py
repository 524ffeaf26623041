"""DescribeVpcEndpoints picks candidates by an exact vpc-id or vpc-endpoint-id filter
before it reads any endpoint (issue 12: a filtered call read every endpoint of the
account first). What it answers must not change: the caller's endpoints only, every
other filter still applied, creation order and paging kept, bad filters refused.
"""

from __future__ import annotations

import pytest

from tests.api.privatelink import Party, error_code, make_net, party

STS = "com.amazonaws.us-east-1.sts"
EC2 = "com.amazonaws.us-east-1.ec2"


@pytest.fixture
def consumer(server) -> Party:
    return party(server)


def _create(c: Party, vpc_id: str, service: str) -> str:
    return str(
        c.ec2.create_vpc_endpoint(
            VpcId=vpc_id, VpcEndpointType="Interface", ServiceName=service, PrivateDnsEnabled=False
        )["VpcEndpoint"]["VpcEndpointId"]
    )


def _ids(c: Party, *filters: tuple[str, list[str]], **kwargs) -> list[str]:
    found = c.ec2.describe_vpc_endpoints(
        Filters=[{"Name": n, "Values": v} for n, v in filters], **kwargs
    )
    return [e["VpcEndpointId"] for e in found["VpcEndpoints"]]


def test_exact_vpc_and_id_filters(server, consumer):
    first, second = make_net(consumer.ec2), make_net(consumer.ec2, "10.30.0.0/16")
    a = [_create(consumer, first.vpc_id, s) for s in (EC2, STS, EC2)]
    b = _create(consumer, second.vpc_id, STS)
    other = party(server)  # another account's endpoint: never shown, even by its id
    foreign = _create(other, make_net(other.ec2).vpc_id, EC2)

    assert _ids(consumer, ("vpc-id", [first.vpc_id])) == a  # creation order
    assert _ids(consumer, ("vpc-id", [second.vpc_id])) == [b]
    assert _ids(consumer, ("vpc-id", [first.vpc_id, second.vpc_id])) == [*a, b]
    assert _ids(consumer, ("vpc-id", [first.vpc_id]), ("service-name", [STS])) == [a[1]]
    assert _ids(consumer, ("vpc-id", [second.vpc_id]), ("service-name", [EC2])) == []
    assert _ids(consumer, ("vpc-id", ["vpc-*"]), ("service-name", [STS])) == [a[1], b]
    assert _ids(consumer, ("vpc-id", ["vpc-0000000000000000f"])) == []
    assert _ids(consumer, ("vpc-endpoint-id", [a[2]])) == [a[2]]
    assert _ids(consumer, ("vpc-endpoint-id", [a[2]]), ("vpc-id", [second.vpc_id])) == []
    assert _ids(consumer, ("vpc-endpoint-id", [foreign])) == []
    assert _ids(other, ("vpc-endpoint-id", [foreign])) == [foreign]
    assert _ids(consumer, ("vpc-endpoint-id", ["vpce-00000000000000000"])) == []


def test_paging_and_errors_with_a_vpc_filter(consumer):
    net = make_net(consumer.ec2)
    made = [_create(consumer, net.vpc_id, EC2) for _ in range(3)]
    page = consumer.ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [net.vpc_id]}], MaxResults=2
    )
    assert [e["VpcEndpointId"] for e in page["VpcEndpoints"]] == made[:2]
    rest = consumer.ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [net.vpc_id]}], NextToken=page["NextToken"]
    )
    assert [e["VpcEndpointId"] for e in rest["VpcEndpoints"]] == made[2:]
    assert (
        error_code(
            lambda: consumer.ec2.describe_vpc_endpoints(
                Filters=[
                    {"Name": "vpc-endpoint-id", "Values": ["vpce-00000000000000000"]},
                    {"Name": "no-such-filter", "Values": ["x"]},
                ]
            )
        )
        == "InvalidParameterValue"
    )
    # Ids asked for still have to exist, whatever the filters pick.
    assert (
        error_code(
            lambda: consumer.ec2.describe_vpc_endpoints(
                VpcEndpointIds=["vpce-00000000000000000"],
                Filters=[{"Name": "vpc-id", "Values": [net.vpc_id]}],
            )
        )
        == "InvalidVpcEndpointId.NotFound"
    )
