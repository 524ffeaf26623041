"""Call sequences of the AWS provider's VPC-building resources (aws_vpc, aws_subnet,
aws_security_group), as facts read from
hashicorp/terraform-provider-aws (commits in each `source`); no provider code is copied.
"""

from __future__ import annotations

from dataclasses import replace

from tests.conformance.terraform.steps import ACCEPTS, GONE, TOLERATED, WAIT, Resource, Step, tags

PROVIDER = "hashicorp/terraform-provider-aws"


def vpc(var: str, cidr: str, account: str = "provider") -> Resource:
    """aws_vpc with `cidr_block` and `enable_dns_hostnames = true` (update: back to false)."""
    vid = "${" + var + "}"
    by_id = {"VpcIds": [vid]}

    def attribute(name: str) -> Step:
        return Step(
            "DescribeVpcAttribute",
            {"VpcId": vid, "Attribute": name},
            account=account,
            why=f"resourceVPCRead: findVPCAttribute({name})",
        )

    def hostnames(value: bool) -> tuple[Step, ...]:
        return (
            Step(
                "ModifyVpcAttribute",
                {"VpcId": vid, "EnableDnsHostnames": {"Value": value}},
                account=account,
                why="modifyVPCDNSHostnames",
            ),
            Step(
                "DescribeVpcAttribute",
                {"VpcId": vid, "Attribute": "enableDnsHostnames"},
                kind=WAIT,
                account=account,
                state="EnableDnsHostnames.Value",
                pending=(str(not value).lower(),),
                target=(str(value).lower(),),
                why="waitVPCAttributeUpdated: polls the attribute until it has the new value",
            ),
        )

    read = (
        Step(
            "DescribeVpcs",
            by_id,
            account=account,
            not_found=("InvalidVpcID.NotFound",),
            expect={"Vpcs[0].CidrBlock": cidr, "Vpcs[0].InstanceTenancy": "default"},
            why="resourceVPCRead: findVPCByID (RetryWhenNewResourceNotFound)",
        ),
        attribute("enableDnsHostnames"),
        attribute("enableDnsSupport"),
        attribute("enableNetworkAddressUsageMetrics"),
        Step(
            "DescribeNetworkAcls",
            {
                "Filters": [
                    {"Name": "default", "Values": ["true"]},
                    {"Name": "vpc-id", "Values": [vid]},
                ]
            },
            kind=TOLERATED,
            account=account,
            why="resourceVPCRead: findVPCDefaultNetworkACL; an error is only logged ([WARN]) and "
            "default_network_acl_id stays empty",
        ),
        Step(
            "DescribeRouteTables",
            {
                "Filters": [
                    {"Name": "association.main", "Values": ["true"]},
                    {"Name": "vpc-id", "Values": [vid]},
                ]
            },
            kind=TOLERATED,
            account=account,
            expect={"length(RouteTables)": 1},
            why="resourceVPCRead: findVPCMainRouteTable (error only logged)",
        ),
        Step(
            "DescribeSecurityGroups",
            {
                "Filters": [
                    {"Name": "group-name", "Values": ["default"]},
                    {"Name": "vpc-id", "Values": [vid]},
                ]
            },
            kind=TOLERATED,
            account=account,
            expect={"length(SecurityGroups)": 1},
            why="resourceVPCRead: findVPCDefaultSecurityGroup (error only logged)",
        ),
    )
    return Resource(
        name="aws_vpc",
        source=f"{PROVIDER} internal/service/ec2/vpc_.go @00081ce41cc691433ac19bf42227cdabffd0454d",
        create=(
            Step(
                "CreateVpc",
                {
                    "CidrBlock": cidr,
                    "InstanceTenancy": "default",
                    "AmazonProvidedIpv6CidrBlock": False,
                    "TagSpecifications": tags("vpc"),
                },
                account=account,
                save={var: "Vpc.VpcId"},
                why="resourceVPCCreate",
            ),
            Step(
                "DescribeVpcs",
                by_id,
                kind=WAIT,
                account=account,
                state="Vpcs[0].State",
                pending=("pending",),
                target=("available",),
                not_found=("InvalidVpcID.NotFound",),
                empty="Vpcs",
                why="waitVPCCreated",
            ),
            *hostnames(True),
            *read,
        ),
        read=read,
        update=(
            *hostnames(False),
            Step(
                "CreateTags",
                {"Resources": [vid], "Tags": [{"Key": "Env", "Value": "test"}]},
                account=account,
                why="updateTags (tags changed)",
            ),
            *read,
        ),
        delete=(
            Step(
                "DeleteVpc",
                {"VpcId": vid},
                kind=ACCEPTS,
                account=account,
                not_found=("InvalidVpcID.NotFound",),
                why="resourceVPCDelete (retried on DependencyViolation; NotFound is success)",
            ),
            Step(
                "DescribeVpcs",
                by_id,
                kind=GONE,
                account=account,
                state="Vpcs[0].State",
                not_found=("InvalidVpcID.NotFound",),
                empty="Vpcs",
                why="RetryUntilNotFound(findVPCByID)",
            ),
        ),
        refresh_gone=(replace(read[0], kind=GONE, empty="Vpcs", expect={}),),
    )


def subnet(
    var: str,
    vpc_var: str,
    cidr: str,
    zone: str,
    account: str = "provider",
    needs: tuple[str, ...] = ("aws_vpc",),
) -> Resource:
    """aws_subnet in `zone` (update: map_public_ip_on_launch = true)."""
    sid = "${" + var + "}"
    describe = Step(
        "DescribeSubnets",
        {"SubnetIds": [sid]},
        account=account,
        not_found=("InvalidSubnetID.NotFound",),
        empty="Subnets",
        expect={
            "Subnets[0].CidrBlock": cidr,
            "Subnets[0].AvailabilityZone": zone,
            "Subnets[0].VpcId": "${" + vpc_var + "}",
        },
        why="resourceSubnetRead: findSubnetByID",
    )
    return Resource(
        name="aws_subnet",
        source=f"{PROVIDER} internal/service/ec2/vpc_subnet.go "
        "@00cda125a19d31754cb0d073cf551264c57955cb",
        needs=needs,
        create=(
            Step(
                "CreateSubnet",
                {
                    "VpcId": "${" + vpc_var + "}",
                    "CidrBlock": cidr,
                    "AvailabilityZone": zone,
                    "TagSpecifications": tags("subnet"),
                },
                account=account,
                save={var: "Subnet.SubnetId"},
                why="resourceSubnetCreate",
            ),
            Step(
                "DescribeSubnets",
                {"SubnetIds": [sid]},
                kind=WAIT,
                account=account,
                state="Subnets[0].State",
                pending=("pending",),
                target=("available",),
                not_found=("InvalidSubnetID.NotFound",),
                empty="Subnets",
                why="waitSubnetAvailable",
            ),
            Step(
                "DescribeSubnets",
                {"SubnetIds": [sid]},
                account=account,
                expect={
                    "Subnets[0].MapPublicIpOnLaunch": False,
                    "Subnets[0].AssignIpv6AddressOnCreation": False,
                },
                why="modifySubnetAttributesOnCreate compares the new subnet's attributes with the "
                "configuration's defaults (false); AWS's defaults need no ModifySubnetAttribute",
            ),
            describe,
        ),
        read=(describe,),
        update=(
            Step(
                "ModifySubnetAttribute",
                {"SubnetId": sid, "MapPublicIpOnLaunch": {"Value": True}},
                account=account,
                why="modifySubnetMapPublicIPOnLaunch",
            ),
            Step(
                "DescribeSubnets",
                {"SubnetIds": [sid]},
                kind=WAIT,
                account=account,
                state="Subnets[0].MapPublicIpOnLaunch",
                pending=("false",),
                target=("true",),
                why="waitSubnetMapPublicIPOnLaunchUpdated",
            ),
            describe,
        ),
        delete=(
            Step(
                "DescribeNetworkInterfaces",
                {"Filters": [{"Name": "subnet-id", "Values": [sid]}]},
                account=account,
                why="deleteLingeringENIs(subnet-id)",
            ),
            Step(
                "DeleteSubnet",
                {"SubnetId": sid},
                kind=ACCEPTS,
                account=account,
                not_found=("InvalidSubnetID.NotFound",),
                why="resourceSubnetDelete (DependencyViolation retried; NotFound is success)",
            ),
        ),
        refresh_gone=(
            Step(
                "DescribeSubnets",
                {"SubnetIds": [sid]},
                kind=GONE,
                account=account,
                not_found=("InvalidSubnetID.NotFound",),
                empty="Subnets",
                why="resourceSubnetRead on refresh: not found removes it from state",
            ),
        ),
    )


_ALL_EGRESS = {
    "IpProtocol": "-1",
    "FromPort": 0,
    "ToPort": 0,
    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
}


def _rule(port: int) -> dict[str, object]:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
    }


_SG_NOT_FOUND = ("InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound")
_SG_READ = Step(
    "DescribeSecurityGroups",
    {"GroupIds": ["${sg_id}"]},
    not_found=_SG_NOT_FOUND,
    empty="SecurityGroups",
    expect={"SecurityGroups[0].VpcId": "${vpc_id}", "SecurityGroups[0].OwnerId": "${account}"},
    why="resourceSecurityGroupRead: findSecurityGroupByID",
)

SECURITY_GROUP = Resource(
    name="aws_security_group",
    source=f"{PROVIDER} internal/service/ec2/vpc_security_group.go (indexed copy listed at "
    "cc0fff0ee90634c6bb137ec44732684543b68dbe: create, default-egress revoke, delete)",
    needs=("aws_vpc",),
    create=(
        Step(
            "CreateSecurityGroup",
            {
                "GroupName": "tf-${unique}",
                "Description": "Managed by Terraform",
                "VpcId": "${vpc_id}",
                "TagSpecifications": tags("security-group"),
            },
            save={"sg_id": "GroupId"},
            why="resourceSecurityGroupCreate",
        ),
        replace(_SG_READ, why="waitSecurityGroupCreated (RetryWhenNotFound findSecurityGroupByID)"),
        Step(
            "RevokeSecurityGroupEgress",
            {"GroupId": "${sg_id}", "IpPermissions": [_ALL_EGRESS]},
            why="resourceSecurityGroupCreate: revokes AWS's default allow-all egress rule",
        ),
        Step(
            "RevokeSecurityGroupEgress",
            {
                "GroupId": "${sg_id}",
                "IpPermissions": [
                    {
                        "IpProtocol": "-1",
                        "FromPort": 0,
                        "ToPort": 0,
                        "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                    }
                ],
            },
            kind=ACCEPTS,
            not_found=("InvalidPermission.NotFound",),
            why="revokes the default IPv6 egress rule; InvalidPermission.NotFound is fine",
        ),
        Step(
            "AuthorizeSecurityGroupIngress",
            {"GroupId": "${sg_id}", "IpPermissions": [_rule(443)]},
            why="updateSecurityGroupRules(ingress)",
        ),
        Step(
            "AuthorizeSecurityGroupEgress",
            {"GroupId": "${sg_id}", "IpPermissions": [_ALL_EGRESS]},
            why="updateSecurityGroupRules(egress: the configured allow-all)",
        ),
        _SG_READ,
    ),
    read=(
        replace(
            _SG_READ,
            expect={
                **_SG_READ.expect,
                "SecurityGroups[0].IpPermissions[0].FromPort": 443,
                "SecurityGroups[0].IpPermissionsEgress[0].IpProtocol": "-1",
            },
        ),
    ),
    update=(
        Step(
            "RevokeSecurityGroupIngress",
            {"GroupId": "${sg_id}", "IpPermissions": [_rule(443)]},
            why="updateSecurityGroupRules: removed rules first",
        ),
        Step(
            "AuthorizeSecurityGroupIngress",
            {"GroupId": "${sg_id}", "IpPermissions": [_rule(8443)]},
            why="updateSecurityGroupRules: then added rules",
        ),
        replace(_SG_READ, expect={"SecurityGroups[0].IpPermissions[0].FromPort": 8443}),
    ),
    delete=(
        Step(
            "DescribeNetworkInterfaces",
            {"Filters": [{"Name": "group-id", "Values": ["${sg_id}"]}]},
            why="deleteLingeringENIs(group-id)",
        ),
        Step(
            "DeleteSecurityGroup",
            {"GroupId": "${sg_id}"},
            kind=ACCEPTS,
            not_found=_SG_NOT_FOUND,
            why="resourceSecurityGroupDelete (DependencyViolation retried; NotFound is success)",
        ),
        Step(
            "DescribeSecurityGroups",
            {"GroupIds": ["${sg_id}"]},
            kind=GONE,
            not_found=_SG_NOT_FOUND,
            empty="SecurityGroups",
            why="RetryUntilNotFound(findSecurityGroupByID)",
        ),
    ),
    refresh_gone=(
        Step(
            "DescribeSecurityGroups",
            {"GroupIds": ["${sg_id}"]},
            kind=GONE,
            not_found=_SG_NOT_FOUND,
            empty="SecurityGroups",
        ),
    ),
)
