"""DHCP option sets and secondary VPC CIDR blocks."""

from __future__ import annotations

from tests.api.ec2_helpers import aws_error, make_subnet, make_vpc


def _options(ec2, options_id):
    return ec2.describe_dhcp_options(DhcpOptionsIds=[options_id])["DhcpOptions"][0]


def test_new_vpcs_use_the_region_default_set(ec2, account):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    assert vpc["DhcpOptionsId"].startswith("dopt-")
    default = _options(ec2, vpc["DhcpOptionsId"])
    assert default["OwnerId"] == account
    assert {c["Key"]: c["Values"] for c in default["DhcpConfigurations"]} == {
        "domain-name": [{"Value": "ec2.internal"}],
        "domain-name-servers": [{"Value": "AmazonProvidedDNS"}],
    }
    other = make_vpc(ec2, "10.1.0.0/16")
    assert ec2.describe_vpcs(VpcIds=[other])["Vpcs"][0]["DhcpOptionsId"] == vpc["DhcpOptionsId"]


def test_custom_set_lifecycle(ec2):
    vpc_id = make_vpc(ec2)
    created = ec2.create_dhcp_options(
        DhcpConfigurations=[
            {"Key": "domain-name", "Values": ["corp.example"]},
            {"Key": "domain-name-servers", "Values": ["10.0.0.2", "10.0.0.3"]},
        ],
        TagSpecifications=[{"ResourceType": "dhcp-options", "Tags": [{"Key": "a", "Value": "b"}]}],
    )["DhcpOptions"]
    options_id = created["DhcpOptionsId"]
    assert created["Tags"] == [{"Key": "a", "Value": "b"}]
    assert created["DhcpConfigurations"][1] == {
        "Key": "domain-name-servers",
        "Values": [{"Value": "10.0.0.2"}, {"Value": "10.0.0.3"}],
    }
    found = ec2.describe_dhcp_options(Filters=[{"Name": "value", "Values": ["corp.example"]}])
    assert [d["DhcpOptionsId"] for d in found["DhcpOptions"]] == [options_id]
    ec2.associate_dhcp_options(DhcpOptionsId=options_id, VpcId=vpc_id)
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"] == options_id
    with aws_error("DependencyViolation"):
        ec2.delete_dhcp_options(DhcpOptionsId=options_id)
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=vpc_id)
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_dhcp_options(DhcpOptionsId=options_id)
    with aws_error("InvalidDhcpOptionID.NotFound"):
        _options(ec2, options_id)


def test_dhcp_errors(ec2):
    with aws_error("InvalidParameterValue"):
        ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "colour", "Values": ["blue"]}])
    with aws_error("InvalidDhcpOptionID.NotFound"):
        ec2.associate_dhcp_options(DhcpOptionsId="dopt-0123456789abcdef0", VpcId=make_vpc(ec2))
    with aws_error("InvalidDhcpOptionsId.Malformed"):
        ec2.describe_dhcp_options(DhcpOptionsIds=["dopt-zz"])


def test_secondary_cidr_blocks(ec2):
    vpc_id = make_vpc(ec2, "10.0.0.0/16")
    answer = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    block = answer["CidrBlockAssociation"]
    assert answer["VpcId"] == vpc_id
    assert block["CidrBlock"] == "10.1.0.0/16"
    assert block["CidrBlockState"] == {"State": "associated"}
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert [b["CidrBlock"] for b in vpc["CidrBlockAssociationSet"]] == [
        "10.0.0.0/16",
        "10.1.0.0/16",
    ]
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    locals_ = [
        r["DestinationCidrBlock"]
        for r in main["RouteTables"][0]["Routes"]
        if r.get("GatewayId") == "local"
    ]
    assert locals_ == ["10.0.0.0/16", "10.1.0.0/16"]
    subnet_id = make_subnet(ec2, vpc_id, "10.1.5.0/24")
    with aws_error("DependencyViolation"):
        ec2.disassociate_vpc_cidr_block(AssociationId=block["AssociationId"])
    ec2.delete_subnet(SubnetId=subnet_id)
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=block["AssociationId"])
    assert gone["CidrBlockAssociation"]["CidrBlockState"] == {"State": "disassociating"}
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert [b["CidrBlock"] for b in vpc["CidrBlockAssociationSet"]] == ["10.0.0.0/16"]
    with aws_error("OperationNotPermitted"):
        ec2.disassociate_vpc_cidr_block(
            AssociationId=vpc["CidrBlockAssociationSet"][0]["AssociationId"]
        )
    with aws_error("InvalidVpcCidrBlockAssociationID.NotFound"):
        ec2.disassociate_vpc_cidr_block(AssociationId=block["AssociationId"])


def test_secondary_cidr_restrictions(ec2):
    vpc_id = make_vpc(ec2, "10.0.0.0/16")
    with aws_error("InvalidVpc.Range") as info:
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="172.16.0.0/16")
    assert "restricted" in info.value.response["Error"]["Message"]
    with aws_error("InvalidVpc.Range"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.0.128.0/17")
    with aws_error("InvalidVpc.Range"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.2.0.0/29")
    for n in range(1, 5):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=f"10.{n}.0.0/16")
    with aws_error("CidrLimitExceeded"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.9.0.0/16")
    with aws_error("InvalidVpcID.NotFound"):
        ec2.associate_vpc_cidr_block(VpcId="vpc-0123456789abcdef0", CidrBlock="10.9.0.0/16")
