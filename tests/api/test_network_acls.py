"""Network ACLs: the default ACL per VPC, custom ACLs, entries and subnet associations."""

from __future__ import annotations

import pytest

from tests.api.ec2_helpers import aws_error, make_subnet, make_vpc

ALLOW_ALL = {"CidrBlock": "0.0.0.0/0", "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 100}
DENY_ALL = {"CidrBlock": "0.0.0.0/0", "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767}


def acl_of(ec2, subnet_id):
    return ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"]


def test_every_vpc_has_a_default_acl_that_allows_all(ec2, account):
    vpc_id = make_vpc(ec2)
    found = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    (acl,) = found["NetworkAcls"]
    assert acl["IsDefault"] is True
    assert acl["OwnerId"] == account
    assert acl["Tags"] == []
    assert acl["Associations"] == []
    assert acl["Entries"] == [
        {**ALLOW_ALL, "Egress": True},
        {**DENY_ALL, "Egress": True},
        {**ALLOW_ALL, "Egress": False},
        {**DENY_ALL, "Egress": False},
    ]
    default = ec2.describe_network_acls(Filters=[{"Name": "default", "Values": ["true"]}])
    assert acl["NetworkAclId"] in [a["NetworkAclId"] for a in default["NetworkAcls"]]


def test_new_subnets_join_the_default_acl_and_move(ec2):
    vpc_id = make_vpc(ec2)
    subnet_id = make_subnet(ec2, vpc_id)
    (default,) = acl_of(ec2, subnet_id)
    assert default["IsDefault"]
    (association,) = default["Associations"]
    assert association["SubnetId"] == subnet_id
    assert association["NetworkAclAssociationId"].startswith("aclassoc-")
    custom = ec2.create_network_acl(
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "k", "Value": "v"}]}],
    )["NetworkAcl"]
    assert custom["IsDefault"] is False
    assert custom["Tags"] == [{"Key": "k", "Value": "v"}]
    assert custom["Entries"] == [{**DENY_ALL, "Egress": True}, {**DENY_ALL, "Egress": False}]
    new_id = ec2.replace_network_acl_association(
        AssociationId=association["NetworkAclAssociationId"],
        NetworkAclId=custom["NetworkAclId"],
    )["NewAssociationId"]
    (now,) = acl_of(ec2, subnet_id)
    assert now["NetworkAclId"] == custom["NetworkAclId"]
    assert now["Associations"] == [
        {
            "NetworkAclAssociationId": new_id,
            "NetworkAclId": custom["NetworkAclId"],
            "SubnetId": subnet_id,
        }
    ]
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.replace_network_acl_association(
            AssociationId=association["NetworkAclAssociationId"],
            NetworkAclId=default["NetworkAclId"],
        )
    with aws_error("DependencyViolation"):
        ec2.delete_network_acl(NetworkAclId=custom["NetworkAclId"])
    ec2.replace_network_acl_association(AssociationId=new_id, NetworkAclId=default["NetworkAclId"])
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_network_acl(NetworkAclId=custom["NetworkAclId"])
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.describe_network_acls(NetworkAclIds=[custom["NetworkAclId"]])
    ec2.delete_subnet(SubnetId=subnet_id)
    assert acl_of(ec2, subnet_id) == []
    ec2.delete_vpc(VpcId=vpc_id)
    assert (
        ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
        == []
    )


def test_default_acl_cannot_be_deleted(ec2):
    vpc_id = make_vpc(ec2)
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "NetworkAcls"
    ]
    with aws_error("InvalidParameterValue"):
        ec2.delete_network_acl(NetworkAclId=acl["NetworkAclId"])


def test_entries_create_replace_delete(ec2):
    vpc_id = make_vpc(ec2)
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=110,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="10.0.0.0/8",
        PortRange={"From": 443, "To": 443},
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=100,
        Protocol="1",
        RuleAction="deny",
        Egress=False,
        CidrBlock="192.168.1.0/24",
        IcmpTypeCode={"Type": 8, "Code": -1},
    )
    entries = ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]["Entries"]
    ingress = [e for e in entries if not e["Egress"]]
    assert [e["RuleNumber"] for e in ingress] == [100, 110, 32767]
    assert ingress[0]["IcmpTypeCode"] == {"Type": 8, "Code": -1}
    assert ingress[1]["PortRange"] == {"From": 443, "To": 443}
    with aws_error("NetworkAclEntryAlreadyExists"):
        ec2.create_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=110,
            Protocol="-1",
            RuleAction="allow",
            Egress=False,
            CidrBlock="0.0.0.0/0",
        )
    # the same number in the other direction is another rule
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=110,
        Protocol="-1",
        RuleAction="allow",
        Egress=True,
        CidrBlock="0.0.0.0/0",
    )
    ec2.replace_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=110,
        Protocol="17",
        RuleAction="deny",
        Egress=False,
        CidrBlock="10.1.0.0/16",
        PortRange={"From": 53, "To": 53},
    )
    found = ec2.describe_network_acls(
        Filters=[
            {"Name": "entry.rule-action", "Values": ["deny"]},
            {"Name": "entry.port-range.from", "Values": ["53"]},
        ]
    )["NetworkAcls"]
    assert [a["NetworkAclId"] for a in found] == [acl_id]
    with aws_error("InvalidNetworkAclEntry.NotFound"):
        ec2.replace_network_acl_entry(
            NetworkAclId=acl_id,
            RuleNumber=120,
            Protocol="-1",
            RuleAction="deny",
            Egress=False,
            CidrBlock="10.1.0.0/16",
        )
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Egress=False)
    with aws_error("InvalidNetworkAclEntry.NotFound"):
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Egress=False)
    with aws_error("InvalidNetworkAclEntry.NotFound"):
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=32767, Egress=False)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"RuleNumber": 0}, "InvalidParameterValue"),
        ({"RuleNumber": 32767}, "InvalidParameterValue"),
        ({"Protocol": "6"}, "MissingParameter"),
        ({"Protocol": "1"}, "MissingParameter"),
        ({"Protocol": "999"}, "InvalidParameterValue"),
        ({"CidrBlock": "10.0.0.300/8"}, "InvalidParameterValue"),
    ],
)
def test_bad_entries(ec2, change, code):
    vpc_id = make_vpc(ec2)
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry = {
        "NetworkAclId": acl_id,
        "RuleNumber": 100,
        "Protocol": "-1",
        "RuleAction": "allow",
        "Egress": False,
        "CidrBlock": "0.0.0.0/0",
        **change,
    }
    with aws_error(code):
        ec2.create_network_acl_entry(**entry)


def test_unknown_and_malformed_acls(ec2):
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.describe_network_acls(NetworkAclIds=["acl-0123456789abcdef0"])
    with aws_error("InvalidNetworkAclID.Malformed"):
        ec2.describe_network_acls(NetworkAclIds=["acl-nope"])
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.delete_network_acl(NetworkAclId="acl-0123456789abcdef0")
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_network_acl(VpcId="vpc-0123456789abcdef0")


def test_tags_and_describe_tags_know_acls(ec2):
    vpc_id = make_vpc(ec2)
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_tags(Resources=[acl_id], Tags=[{"Key": "Name", "Value": "private"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [acl_id]}])["Tags"]
    assert tags == [
        {"Key": "Name", "ResourceId": acl_id, "ResourceType": "network-acl", "Value": "private"}
    ]
