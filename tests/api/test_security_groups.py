"""Security groups and their rules: validations, shapes and error codes as on AWS."""

from __future__ import annotations

import pytest

from tests.api.ec2_helpers import (
    aws_error,
    default_group_id,
    default_vpc,
    make_group,
    make_vpc,
    network,
    unvalidated,
)
from tests.harness import fresh_account

SSH = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}


def group(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def test_create_security_group_shape(ec2, account):
    vpc_id = make_vpc(ec2)
    created = ec2.create_security_group(
        GroupName="web",
        Description="web servers",
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )
    group_id = created["GroupId"]
    assert group_id.startswith("sg-")
    assert created["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert (
        created["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:{account}:security-group/{group_id}"
    )
    found = group(ec2, group_id)
    assert found["GroupName"] == "web"
    assert found["Description"] == "web servers"
    assert found["VpcId"] == vpc_id
    assert found["OwnerId"] == account
    assert found["IpPermissions"] == []
    assert found["IpPermissionsEgress"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    assert found["Tags"] == [{"Key": "Name", "Value": "web"}]


def test_default_group_shape(ec2, account):
    vpc_id = make_vpc(ec2)
    found = group(ec2, default_group_id(ec2, vpc_id))
    assert found["Description"] == "default VPC security group"
    assert found["IpPermissions"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": found["GroupId"], "UserId": account}],
        }
    ]


def test_create_in_default_vpc_and_by_name(ec2):
    group_id = ec2.create_security_group(GroupName="plain", Description="d")["GroupId"]
    assert group(ec2, group_id)["VpcId"] == default_vpc(ec2)["VpcId"]
    by_name = ec2.describe_security_groups(GroupNames=["plain"])["SecurityGroups"]
    assert [g["GroupId"] for g in by_name] == [group_id]
    with aws_error("InvalidGroup.NotFound") as info:
        ec2.describe_security_groups(GroupNames=["absent"])
    assert "default VPC" in info.value.response["Error"]["Message"]


def test_create_errors(server, account, ec2):
    vpc_id = make_vpc(ec2)
    make_group(ec2, vpc_id, "web")
    with aws_error("InvalidGroup.Duplicate") as info:
        make_group(ec2, vpc_id, "web")
    message = info.value.response["Error"]["Message"]
    assert message == f"The security group 'web' already exists for VPC '{vpc_id}'"
    make_group(ec2, make_vpc(ec2, "10.1.0.0/16"), "web")  # unique per VPC only
    with aws_error("InvalidGroup.Reserved"):
        make_group(ec2, vpc_id, "default")
    with aws_error("InvalidParameterValue"):
        make_group(ec2, vpc_id, "sg-named")
    with aws_error("InvalidVpcID.NotFound"):
        make_group(ec2, "vpc-0123456789abcdef0", "x")
    raw = unvalidated(server, account)
    with aws_error("MissingParameter"):
        raw.create_security_group(GroupName="nodesc", VpcId=vpc_id)
    with aws_error("MissingParameter"):
        raw.create_security_group(Description="noname", VpcId=vpc_id)


def test_describe_unknown_and_malformed(ec2):
    with aws_error("InvalidGroup.NotFound") as info:
        ec2.describe_security_groups(GroupIds=["sg-0123456789abcdef0"])
    assert "sg-0123456789abcdef0" in info.value.response["Error"]["Message"]
    with aws_error("InvalidGroupId.Malformed"):
        ec2.describe_security_groups(GroupIds=["group-1"])


def test_describe_filters(ec2, account):
    vpc_id = make_vpc(ec2)
    web = make_group(ec2, vpc_id, "web")
    db = make_group(
        ec2,
        vpc_id,
        "db",
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "tier", "Value": "data"}]}
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": web}],
            },
            {
                "IpProtocol": "udp",
                "FromPort": 53,
                "ToPort": 53,
                "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}],
            },
        ],
    )
    ec2.authorize_security_group_egress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}],
            }
        ],
    )

    def ids(*filters):
        found = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, *filters]
        )["SecurityGroups"]
        return {g["GroupId"] for g in found}

    default = default_group_id(ec2, vpc_id)
    assert ids() == {web, db, default}
    assert ids({"Name": "group-name", "Values": ["w*"]}) == {web}
    assert ids({"Name": "group-id", "Values": [db]}) == {db}
    assert ids({"Name": "description", "Values": ["db group"]}) == {db}
    assert ids({"Name": "owner-id", "Values": [account]}) == {web, db, default}
    assert ids({"Name": "tag:tier", "Values": ["data"]}) == {db}
    assert ids({"Name": "tag-key", "Values": ["tier"]}) == {db}
    assert ids({"Name": "ip-permission.from-port", "Values": ["5432"]}) == {db}
    assert ids({"Name": "ip-permission.to-port", "Values": ["53"]}) == {db}
    assert ids({"Name": "ip-permission.protocol", "Values": ["udp"]}) == {db}
    assert ids({"Name": "ip-permission.group-id", "Values": [web]}) == {db}
    assert ids({"Name": "ip-permission.group-name", "Values": ["web"]}) == {db}
    assert ids({"Name": "ip-permission.user-id", "Values": [account]}) == {db, default}
    assert ids({"Name": "ip-permission.ipv6-cidr", "Values": ["2001:db8::/32"]}) == {db}
    assert ids({"Name": "egress.ip-permission.prefix-list-id", "Values": ["pl-63a5400a"]}) == {web}
    assert ids({"Name": "egress.ip-permission.cidr", "Values": ["0.0.0.0/0"]}) == {web, db, default}
    assert ids({"Name": "ip-permission.cidr", "Values": ["0.0.0.0/0"]}) == set()


def test_describe_pagination(ec2):
    vpc_id = make_vpc(ec2)
    for n in range(5):
        make_group(ec2, vpc_id, f"g{n}")
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    first = ec2.describe_security_groups(Filters=in_vpc, MaxResults=5)
    rest = ec2.describe_security_groups(Filters=in_vpc, MaxResults=5, NextToken=first["NextToken"])
    assert len(first["SecurityGroups"]) == 5
    assert len(rest["SecurityGroups"]) == 1 and "NextToken" not in rest


def test_authorize_ingress_returns_rules(ec2, account):
    vpc_id = make_vpc(ec2)
    group_id = make_group(ec2, vpc_id)
    answer = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                **SSH,
                "IpRanges": [
                    {"CidrIp": "10.0.0.0/8", "Description": "office"},
                    {"CidrIp": "192.168.1.0/24"},
                ],
            },
        ],
        TagSpecifications=[
            {"ResourceType": "security-group-rule", "Tags": [{"Key": "why", "Value": "ssh"}]}
        ],
    )
    assert answer["Return"] is True
    rules = answer["SecurityGroupRules"]
    assert len(rules) == 2
    rule = rules[0]
    assert rule["SecurityGroupRuleId"].startswith("sgr-")
    assert rule["GroupId"] == group_id
    assert rule["GroupOwnerId"] == account
    assert rule["IsEgress"] is False
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["CidrIpv4"] == "10.0.0.0/8"
    assert rule["Description"] == "office"
    assert rule["Tags"] == [{"Key": "why", "Value": "ssh"}]
    assert rule["SecurityGroupRuleArn"].endswith(
        f"security-group-rule/{rule['SecurityGroupRuleId']}"
    )
    (permission,) = group(ec2, group_id)["IpPermissions"]
    assert permission == {
        "IpProtocol": "tcp",
        "FromPort": 22,
        "ToPort": 22,
        "IpRanges": [
            {"CidrIp": "10.0.0.0/8", "Description": "office"},
            {"CidrIp": "192.168.1.0/24"},
        ],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    }


def test_authorize_legacy_form(ec2):
    vpc_id = make_vpc(ec2)
    group_id = make_group(ec2, vpc_id)
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0"
    )
    (permission,) = group(ec2, group_id)["IpPermissions"]
    assert (permission["IpProtocol"], permission["FromPort"], permission["ToPort"]) == (
        "tcp",
        80,
        80,
    )
    assert permission["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    with aws_error("InvalidParameterCombination"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, CidrIp="10.0.0.0/8", IpPermissions=[SSH]
        )


def test_authorize_by_group_name_in_default_vpc(ec2):
    ec2.create_security_group(GroupName="named", Description="d")
    ec2.authorize_security_group_ingress(GroupName="named", IpPermissions=[SSH])
    found = ec2.describe_security_groups(GroupNames=["named"])["SecurityGroups"][0]
    assert found["IpPermissions"][0]["FromPort"] == 22
    with aws_error("InvalidGroup.NotFound"):
        ec2.authorize_security_group_ingress(GroupName="nope", IpPermissions=[SSH])


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("6", "tcp"),
        ("TCP", "tcp"),
        ("17", "udp"),
        ("1", "icmp"),
        ("58", "icmpv6"),
        ("-1", "-1"),
        ("50", "50"),
    ],
)
def test_protocol_names_and_numbers(ec2, given, stored):
    group_id = make_group(ec2, make_vpc(ec2))
    ports = {"FromPort": 1, "ToPort": 2} if stored in ("tcp", "udp", "icmp", "icmpv6") else {}
    rule = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": given, **ports, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}],
    )["SecurityGroupRules"][0]
    assert rule["IpProtocol"] == stored
    permission = group(ec2, group_id)["IpPermissions"][0]
    assert permission["IpProtocol"] == stored
    if not ports:
        assert (rule["FromPort"], rule["ToPort"]) == (-1, -1)
        assert "FromPort" not in permission


@pytest.mark.parametrize(
    ("permission", "code"),
    [
        ({"IpProtocol": "foo"}, "InvalidParameterValue"),
        ({"IpProtocol": "256"}, "InvalidParameterValue"),
        ({"IpProtocol": "tcp", "FromPort": 80}, "InvalidParameterValue"),
        ({"IpProtocol": "tcp", "FromPort": 0, "ToPort": 70000}, "InvalidPermission.Malformed"),
        ({"IpProtocol": "udp", "FromPort": -1, "ToPort": -1}, "InvalidPermission.Malformed"),
        ({"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80}, "InvalidParameterValue"),
        ({"IpProtocol": "icmp", "FromPort": 8}, "InvalidParameterValue"),
        ({"IpProtocol": "icmp", "FromPort": 300, "ToPort": -1}, "InvalidPermission.Malformed"),
    ],
)
def test_bad_permissions(ec2, permission, code):
    group_id = make_group(ec2, make_vpc(ec2))
    with aws_error(code):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{**permission, "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}]
        )


def test_bad_sources(ec2):
    vpc_id = make_vpc(ec2)
    group_id = make_group(ec2, vpc_id)
    ports = {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1}
    with aws_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[ports])
    with aws_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{**ports, "IpRanges": [{"CidrIp": "10.0.0.300/8"}]}]
        )
    with aws_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{**ports, "IpRanges": [{"CidrIp": "10.0.0.1"}]}]
        )
    with aws_error("InvalidGroup.NotFound"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{**ports, "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]}],
        )
    elsewhere = make_group(ec2, make_vpc(ec2, "10.9.0.0/16"), "elsewhere")
    with aws_error("InvalidParameterValue"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{**ports, "UserIdGroupPairs": [{"GroupId": elsewhere}]}],
        )
    with aws_error("InvalidPrefixListId.Malformed"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{**ports, "PrefixListIds": [{"PrefixListId": "x"}]}]
        )


def test_authorize_unknown_group(ec2):
    with aws_error("InvalidGroup.NotFound"):
        ec2.authorize_security_group_ingress(GroupId="sg-0123456789abcdef0", IpPermissions=[SSH])
    with aws_error("InvalidGroupId.Malformed"):
        ec2.authorize_security_group_ingress(GroupId="sg-xyz", IpPermissions=[SSH])


def test_duplicate_rules(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])
    with aws_error("InvalidPermission.Duplicate") as info:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])
    assert info.value.response["Error"]["Message"] == (
        'the specified rule "peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW" '
        "already exists"
    )
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_egress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    # A failed call adds nothing, even the non-duplicate part.
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[
                {**SSH, "IpRanges": [{"CidrIp": "1.1.1.1/32"}, {"CidrIp": "10.0.0.0/8"}]}
            ],
        )
    assert len(group(ec2, group_id)["IpPermissions"][0]["IpRanges"]) == 1


def test_rule_limit(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    ranges = [{"CidrIp": f"10.0.{n}.0/24"} for n in range(60)]
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpPermissions=[{**SSH, "IpRanges": ranges}]
    )
    with aws_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_ingress(
            GroupId=group_id, IpPermissions=[{**SSH, "IpRanges": [{"CidrIp": "10.1.0.0/24"}]}]
        )


def test_egress_authorize_and_revoke(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    ec2.revoke_security_group_egress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    assert group(ec2, group_id)["IpPermissionsEgress"] == []
    rules = ec2.authorize_security_group_egress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )["SecurityGroupRules"]
    assert rules[0]["IsEgress"] is True
    assert group(ec2, group_id)["IpPermissionsEgress"][0]["FromPort"] == 443


def test_revoke_by_permission_and_by_id(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    rules = ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            SSH,
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            },
        ],
    )["SecurityGroupRules"]
    answer = ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])
    assert answer["Return"] is True
    (revoked,) = answer["RevokedSecurityGroupRules"]
    assert revoked["SecurityGroupRuleId"] == rules[0]["SecurityGroupRuleId"]
    assert revoked["CidrIpv4"] == "10.0.0.0/8"
    with aws_error("InvalidPermission.NotFound") as info:
        ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])
    assert info.value.response["Error"]["Message"] == (
        "The specified rule does not exist in this security group."
    )
    answer = ec2.revoke_security_group_ingress(
        GroupId=group_id, SecurityGroupRuleIds=[rules[1]["SecurityGroupRuleId"]]
    )
    assert answer["RevokedSecurityGroupRules"][0]["FromPort"] == 443
    assert group(ec2, group_id)["IpPermissions"] == []
    with aws_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.revoke_security_group_ingress(
            GroupId=group_id, SecurityGroupRuleIds=[rules[1]["SecurityGroupRuleId"]]
        )
    with aws_error("InvalidSecurityGroupRuleId.Malformed"):
        ec2.revoke_security_group_ingress(GroupId=group_id, SecurityGroupRuleIds=["rule-1"])


def test_revoke_legacy_and_partial(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0"
    )
    answer = ec2.revoke_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "1.1.1.1/32"}],
            }
        ],
    )
    assert len(answer["RevokedSecurityGroupRules"]) == 1
    assert answer["UnknownIpPermissions"][0]["IpRanges"] == [{"CidrIp": "1.1.1.1/32"}]
    ec2.authorize_security_group_ingress(
        GroupId=group_id, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0"
    )
    ec2.revoke_security_group_ingress(
        GroupId=group_id, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0"
    )
    assert group(ec2, group_id)["IpPermissions"] == []


def test_describe_security_group_rules(ec2, account):
    vpc_id = make_vpc(ec2)
    web = make_group(ec2, vpc_id, "web")
    db = make_group(ec2, vpc_id, "db")
    added = ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": web, "Description": "app"}],
            }
        ],
    )["SecurityGroupRules"][0]
    assert added["ReferencedGroupInfo"] == {"GroupId": web, "UserId": account}
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [db]}])[
        "SecurityGroupRules"
    ]
    assert {r["IsEgress"] for r in rules} == {True, False}
    egress = next(r for r in rules if r["IsEgress"])
    assert (egress["IpProtocol"], egress["FromPort"], egress["ToPort"]) == ("-1", -1, -1)
    assert egress["CidrIpv4"] == "0.0.0.0/0"
    ingress = next(r for r in rules if not r["IsEgress"])
    assert ingress == added
    by_id = ec2.describe_security_group_rules(SecurityGroupRuleIds=[added["SecurityGroupRuleId"]])
    assert by_id["SecurityGroupRules"] == [added]
    ec2.create_tags(Resources=[added["SecurityGroupRuleId"]], Tags=[{"Key": "k", "Value": "v"}])
    tagged = ec2.describe_security_group_rules(Filters=[{"Name": "tag:k", "Values": ["v"]}])
    assert [r["SecurityGroupRuleId"] for r in tagged["SecurityGroupRules"]] == [
        added["SecurityGroupRuleId"]
    ]
    by_rule_filter = ec2.describe_security_group_rules(
        Filters=[{"Name": "security-group-rule-id", "Values": [added["SecurityGroupRuleId"]]}]
    )
    assert len(by_rule_filter["SecurityGroupRules"]) == 1
    with aws_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    page = ec2.describe_security_group_rules(MaxResults=5)
    assert len(page["SecurityGroupRules"]) == 5 and page["NextToken"]


def test_modify_security_group_rules(ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    rule = ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])[
        "SecurityGroupRules"
    ][0]
    ec2.modify_security_group_rules(
        GroupId=group_id,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": rule["SecurityGroupRuleId"],
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": 2222,
                    "ToPort": 2222,
                    "CidrIpv4": "10.1.0.0/16",
                    "Description": "moved",
                },
            }
        ],
    )
    (changed,) = ec2.describe_security_group_rules(
        SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]]
    )["SecurityGroupRules"]
    assert (changed["FromPort"], changed["CidrIpv4"], changed["Description"]) == (
        2222,
        "10.1.0.0/16",
        "moved",
    )
    with aws_error("InvalidSecurityGroupRuleId.NotFound"):
        ec2.modify_security_group_rules(
            GroupId=group_id,
            SecurityGroupRules=[
                {
                    "SecurityGroupRuleId": "sgr-0123456789abcdef0",
                    "SecurityGroupRule": {"IpProtocol": "-1", "CidrIpv4": "1.1.1.1/32"},
                }
            ],
        )


def test_delete_security_group(ec2):
    vpc_id, subnet_id = network(ec2)
    web = make_group(ec2, vpc_id, "web")
    db = make_group(ec2, vpc_id, "db")
    with aws_error("CannotDelete") as info:
        ec2.delete_security_group(GroupId=default_group_id(ec2, vpc_id))
    assert "cannot be deleted by a user" in info.value.response["Error"]["Message"]
    ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": web}]}],
    )
    with aws_error("DependencyViolation") as info:
        ec2.delete_security_group(GroupId=web)
    assert info.value.response["Error"]["Message"] == f"resource {web} has a dependent object"
    ec2.revoke_security_group_ingress(
        GroupId=db, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": web}]}]
    )
    eni = ec2.create_network_interface(SubnetId=subnet_id, Groups=[web])["NetworkInterface"]
    with aws_error("DependencyViolation"):
        ec2.delete_security_group(GroupId=web)
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    # A rule referencing the group itself does not hold it.
    ec2.authorize_security_group_ingress(
        GroupId=web, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": web}]}]
    )
    answer = ec2.delete_security_group(GroupId=web)
    assert answer["Return"] is True and answer["GroupId"] == web
    with aws_error("InvalidGroup.NotFound"):
        ec2.delete_security_group(GroupId=web)
    make_group(ec2, vpc_id, "web")  # the name is free again


def test_delete_by_name_in_default_vpc(ec2):
    ec2.create_security_group(GroupName="temp", Description="d")
    ec2.delete_security_group(GroupName="temp")
    with aws_error("InvalidGroup.NotFound"):
        ec2.delete_security_group(GroupName="temp")


def test_security_group_isolation(server, ec2):
    group_id = make_group(ec2, make_vpc(ec2))
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidGroup.NotFound"):
        intruder.describe_security_groups(GroupIds=[group_id])
    with aws_error("InvalidGroup.NotFound"):
        intruder.delete_security_group(GroupId=group_id)
    with aws_error("InvalidGroup.NotFound"):
        intruder.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[SSH])


def test_group_used_by_a_load_balancer_cannot_be_deleted(server, account, ec2):
    vpc_id, subnet_id = network(ec2)
    group_id = make_group(ec2, vpc_id, "nlb")
    elb = server.client("elbv2", account)
    lb_arn = elb.create_load_balancer(
        Name="guarded",
        Type="network",
        Scheme="internal",
        Subnets=[subnet_id],
        SecurityGroups=[group_id],
    )["LoadBalancers"][0]["LoadBalancerArn"]
    with aws_error("DependencyViolation", 400) as info:
        ec2.delete_security_group(GroupId=group_id)
    assert info.value.response["Error"]["Message"] == f"resource {group_id} has a dependent object"
    elb.delete_load_balancer(LoadBalancerArn=lb_arn)
    assert ec2.delete_security_group(GroupId=group_id)["GroupId"] == group_id
