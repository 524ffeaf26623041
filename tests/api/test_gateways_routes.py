"""Internet gateways, route tables, associations and routes."""

from __future__ import annotations

from tests.api.ec2_helpers import AMI, aws_error, make_subnet, make_vpc, network
from tests.harness import fresh_account

UNKNOWN_IGW = "igw-0123456789abcdef0"
UNKNOWN_RTB = "rtb-0123456789abcdef0"


def igw(ec2, **kwargs):
    return ec2.create_internet_gateway(**kwargs)["InternetGateway"]["InternetGatewayId"]


def table(ec2, table_id):
    return ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]


def main_table(ec2, vpc_id):
    return ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]


# --- internet gateways ---------------------------------------------------------------------
def test_internet_gateway_lifecycle(ec2, account):
    created = ec2.create_internet_gateway(
        TagSpecifications=[
            {"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "edge"}]}
        ]
    )["InternetGateway"]
    gateway_id = created["InternetGatewayId"]
    assert gateway_id.startswith("igw-")
    assert created["Attachments"] == []
    assert created["OwnerId"] == account
    assert created["Tags"] == [{"Key": "Name", "Value": "edge"}]
    vpc_id = make_vpc(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    found = ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])["InternetGateways"][0]
    assert found["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    with aws_error("DependencyViolation"):
        ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
    ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    assert (
        ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])["InternetGateways"][0][
            "Attachments"
        ]
        == []
    )
    ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])


def test_attach_errors(ec2):
    vpc_id = make_vpc(ec2)
    first, second = igw(ec2), igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=vpc_id)
    with aws_error("Resource.AlreadyAssociated"):
        ec2.attach_internet_gateway(InternetGatewayId=first, VpcId=make_vpc(ec2, "10.1.0.0/16"))
    with aws_error("Resource.AlreadyAssociated"):
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId=vpc_id)
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.attach_internet_gateway(InternetGatewayId=UNKNOWN_IGW, VpcId=vpc_id)
    with aws_error("InvalidVpcID.NotFound"):
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId="vpc-0123456789abcdef0")
    with aws_error("Gateway.NotAttached"):
        ec2.detach_internet_gateway(InternetGatewayId=second, VpcId=vpc_id)
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.delete_internet_gateway(InternetGatewayId=UNKNOWN_IGW)
    with aws_error("InvalidInternetGatewayID.Malformed"):
        ec2.describe_internet_gateways(InternetGatewayIds=["gateway"])


def test_describe_internet_gateways_filters(ec2, account):
    vpc_id = make_vpc(ec2)
    attached, loose = igw(ec2), igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=attached, VpcId=vpc_id)
    ec2.create_tags(Resources=[loose], Tags=[{"Key": "spare", "Value": "yes"}])

    def ids(*filters):
        found = ec2.describe_internet_gateways(Filters=list(filters))["InternetGateways"]
        return {g["InternetGatewayId"] for g in found}

    assert ids({"Name": "attachment.vpc-id", "Values": [vpc_id]}) == {attached}
    assert attached in ids({"Name": "attachment.state", "Values": ["available"]})
    assert loose not in ids({"Name": "attachment.state", "Values": ["available"]})
    assert ids({"Name": "internet-gateway-id", "Values": [loose]}) == {loose}
    assert ids({"Name": "tag:spare", "Values": ["yes"]}) == {loose}
    assert {attached, loose} <= ids({"Name": "owner-id", "Values": [account]})
    page = ec2.describe_internet_gateways(MaxResults=5)
    assert len(page["InternetGateways"]) == 3 and "NextToken" not in page


def test_gateway_isolation(server, ec2):
    gateway_id = igw(ec2)
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidInternetGatewayID.NotFound"):
        intruder.delete_internet_gateway(InternetGatewayId=gateway_id)


# --- route tables ------------------------------------------------------------------------------
def test_create_route_table_shape(ec2, account):
    vpc_id = make_vpc(ec2)
    created = ec2.create_route_table(
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "rt"}]}
        ],
    )["RouteTable"]
    assert created["RouteTableId"].startswith("rtb-")
    assert created["VpcId"] == vpc_id
    assert created["OwnerId"] == account
    assert created["Associations"] == []
    assert created["PropagatingVgws"] == []
    assert created["Routes"] == [
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        }
    ]
    assert created["Tags"] == [{"Key": "Name", "Value": "rt"}]
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_route_table(VpcId="vpc-0123456789abcdef0")


def test_create_route_table_client_token(ec2):
    vpc_id = make_vpc(ec2)
    first = ec2.create_route_table(VpcId=vpc_id, ClientToken="tok-1")
    again = ec2.create_route_table(VpcId=vpc_id, ClientToken="tok-1")
    assert first["RouteTable"]["RouteTableId"] == again["RouteTable"]["RouteTableId"]
    assert again["ClientToken"] == "tok-1"
    with aws_error("IdempotentParameterMismatch"):
        ec2.create_route_table(VpcId=make_vpc(ec2, "10.1.0.0/16"), ClientToken="tok-1")


def test_main_table_association(ec2):
    vpc_id = make_vpc(ec2)
    main = main_table(ec2, vpc_id)
    (association,) = main["Associations"]
    assert association["Main"] is True
    assert association["RouteTableAssociationId"].startswith("rtbassoc-")
    assert association["RouteTableId"] == main["RouteTableId"]
    assert association["AssociationState"] == {"State": "associated"}
    assert "SubnetId" not in association
    with aws_error("DependencyViolation"):
        ec2.delete_route_table(RouteTableId=main["RouteTableId"])
    with aws_error("InvalidParameterValue"):
        ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])


def test_associate_and_disassociate(ec2):
    vpc_id, subnet_id = network(ec2)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    answer = ec2.associate_route_table(RouteTableId=table_id, SubnetId=subnet_id)
    assert answer["AssociationId"].startswith("rtbassoc-")
    assert answer["AssociationState"] == {"State": "associated"}
    (association,) = table(ec2, table_id)["Associations"]
    assert association == {
        "Main": False,
        "RouteTableAssociationId": answer["AssociationId"],
        "RouteTableId": table_id,
        "SubnetId": subnet_id,
        "AssociationState": {"State": "associated"},
    }
    other = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_route_table(RouteTableId=other, SubnetId=subnet_id)
    with aws_error("DependencyViolation"):
        ec2.delete_route_table(RouteTableId=table_id)
    ec2.disassociate_route_table(AssociationId=answer["AssociationId"])
    assert table(ec2, table_id)["Associations"] == []
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.disassociate_route_table(AssociationId=answer["AssociationId"])
    ec2.delete_route_table(RouteTableId=table_id)
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.describe_route_tables(RouteTableIds=[table_id])


def test_associate_errors(ec2):
    vpc_id, subnet_id = network(ec2)
    elsewhere = make_subnet(ec2, make_vpc(ec2, "10.1.0.0/16"), "10.1.1.0/24")
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    with aws_error("InvalidParameterValue"):
        ec2.associate_route_table(RouteTableId=table_id, SubnetId=elsewhere)
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.associate_route_table(RouteTableId=table_id, SubnetId="subnet-0123456789abcdef0")
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.associate_route_table(RouteTableId=UNKNOWN_RTB, SubnetId=subnet_id)
    with aws_error("MissingParameter"):
        ec2.associate_route_table(RouteTableId=table_id)


def test_replace_route_table_association(ec2):
    vpc_id, subnet_id = network(ec2)
    first = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    old = ec2.associate_route_table(RouteTableId=first, SubnetId=subnet_id)["AssociationId"]
    answer = ec2.replace_route_table_association(AssociationId=old, RouteTableId=second)
    assert answer["NewAssociationId"] != old
    assert answer["AssociationState"] == {"State": "associated"}
    assert table(ec2, first)["Associations"] == []
    assert table(ec2, second)["Associations"][0]["SubnetId"] == subnet_id
    # The main association moves too: the new table becomes main.
    main = main_table(ec2, vpc_id)
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=first)
    assert main_table(ec2, vpc_id)["RouteTableId"] == first
    ec2.delete_route_table(RouteTableId=main["RouteTableId"])
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.replace_route_table_association(
            AssociationId="rtbassoc-0123456789abcdef0", RouteTableId=first
        )


def test_describe_route_tables_filters(ec2):
    vpc_id, subnet_id = network(ec2)
    gateway_id = igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    custom = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=custom, SubnetId=subnet_id)
    ec2.create_route(RouteTableId=custom, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id)
    ec2.create_tags(Resources=[custom], Tags=[{"Key": "Name", "Value": "public"}])
    main_id = main_table(ec2, vpc_id)["RouteTableId"]

    def ids(*filters):
        found = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, *filters]
        )["RouteTables"]
        return {t["RouteTableId"] for t in found}

    assert ids() == {custom, main_id}
    assert ids({"Name": "association.main", "Values": ["true"]}) == {main_id}
    assert ids({"Name": "association.main", "Values": ["false"]}) == {custom}
    assert ids({"Name": "association.subnet-id", "Values": [subnet_id]}) == {custom}
    assert ids({"Name": "route-table-id", "Values": [custom]}) == {custom}
    assert ids({"Name": "route.destination-cidr-block", "Values": ["0.0.0.0/0"]}) == {custom}
    assert ids({"Name": "route.gateway-id", "Values": [gateway_id]}) == {custom}
    assert ids({"Name": "route.gateway-id", "Values": ["local"]}) == {custom, main_id}
    assert ids({"Name": "route.state", "Values": ["active"]}) == {custom, main_id}
    assert ids({"Name": "tag:Name", "Values": ["pub*"]}) == {custom}
    with aws_error("InvalidRouteTableID.Malformed"):
        ec2.describe_route_tables(RouteTableIds=["table-1"])
    page = ec2.describe_route_tables(MaxResults=5)
    assert len(page["RouteTables"]) == 3


# --- routes ---------------------------------------------------------------------------------
def test_routes_to_internet_gateway(ec2):
    vpc_id = make_vpc(ec2)
    gateway_id = igw(ec2)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    with aws_error("InvalidParameterValue"):  # not attached to this VPC
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id
        )
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    assert (
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id
        )["Return"]
        is True
    )
    route = table(ec2, table_id)["Routes"][1]
    assert route == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": gateway_id,
        "Origin": "CreateRoute",
        "State": "active",
    }
    with aws_error("RouteAlreadyExists") as info:
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id
        )
    assert "0.0.0.0/0" in info.value.response["Error"]["Message"]
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="10.0.0.0/16", GatewayId=gateway_id
        )
    with aws_error("InvalidParameterValue"):  # more specific than the VPC: interfaces only
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="10.0.5.0/24", GatewayId=gateway_id
        )
    ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    assert table(ec2, table_id)["Routes"][1]["State"] == "blackhole"


def test_route_target_errors(ec2):
    vpc_id = make_vpc(ec2)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    dest = {"RouteTableId": table_id, "DestinationCidrBlock": "192.168.0.0/16"}
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.create_route(**dest, GatewayId=UNKNOWN_IGW)
    with aws_error("InvalidGatewayID.NotFound"):
        ec2.create_route(**dest, GatewayId="gw-0123456789abcdef0")
    with aws_error("NatGatewayNotFound"):
        ec2.create_route(**dest, NatGatewayId="nat-0123456789abcdef0")
    with aws_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.create_route(**dest, VpcPeeringConnectionId="pcx-0123456789abcdef0")
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.create_route(**dest, NetworkInterfaceId="eni-0123456789abcdef0")
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.create_route(**dest, InstanceId="i-0123456789abcdef0")
    with aws_error("MissingParameter"):
        ec2.create_route(**dest)
    with aws_error("InvalidParameterValue"):
        ec2.create_route(
            RouteTableId=table_id, DestinationCidrBlock="not-a-cidr", GatewayId=UNKNOWN_IGW
        )
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.create_route(
            RouteTableId=UNKNOWN_RTB, DestinationCidrBlock="0.0.0.0/0", GatewayId=UNKNOWN_IGW
        )


def test_routes_to_interface_and_instance(ec2, account):
    vpc_id, subnet_id = network(ec2)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet_id)[
        "Instances"
    ][0]
    ec2.create_route(
        RouteTableId=table_id, DestinationCidrBlock="10.0.9.0/24", NetworkInterfaceId=eni
    )
    ec2.create_route(
        RouteTableId=table_id,
        DestinationCidrBlock="172.16.0.0/12",
        InstanceId=instance["InstanceId"],
    )
    routes = {r["DestinationCidrBlock"]: r for r in table(ec2, table_id)["Routes"]}
    assert routes["10.0.9.0/24"]["NetworkInterfaceId"] == eni
    assert routes["10.0.9.0/24"]["State"] == "active"
    to_instance = routes["172.16.0.0/12"]
    assert to_instance["InstanceId"] == instance["InstanceId"]
    assert to_instance["InstanceOwnerId"] == account
    assert (
        to_instance["NetworkInterfaceId"] == instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    )
    other_vpc_eni = ec2.create_network_interface(
        SubnetId=make_subnet(ec2, make_vpc(ec2, "10.5.0.0/16"), "10.5.1.0/24")
    )["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("InvalidParameterValue"):
        ec2.create_route(
            RouteTableId=table_id,
            DestinationCidrBlock="1.0.0.0/8",
            NetworkInterfaceId=other_vpc_eni,
        )
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
    routes = {r["DestinationCidrBlock"]: r for r in table(ec2, table_id)["Routes"]}
    assert routes["172.16.0.0/12"]["State"] == "blackhole"


def test_replace_and_delete_route(ec2):
    vpc_id, subnet_id = network(ec2)
    gateway_id = igw(ec2)
    ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
    table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id)
    ec2.replace_route(
        RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni
    )
    route = table(ec2, table_id)["Routes"][1]
    assert route["NetworkInterfaceId"] == eni and "GatewayId" not in route
    with aws_error("InvalidRoute.NotFound"):
        ec2.replace_route(
            RouteTableId=table_id, DestinationCidrBlock="8.8.8.8/32", GatewayId=gateway_id
        )
    with aws_error("InvalidParameterValue"):
        ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock="10.0.0.0/16")
    ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0")
    assert len(table(ec2, table_id)["Routes"]) == 1
    with aws_error("InvalidRoute.NotFound") as info:
        ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock="0.0.0.0/0")
    assert table_id in info.value.response["Error"]["Message"]


def test_route_table_isolation(server, ec2):
    table_id = ec2.create_route_table(VpcId=make_vpc(ec2))["RouteTable"]["RouteTableId"]
    intruder = server.client("ec2", fresh_account())
    with aws_error("InvalidRouteTableID.NotFound"):
        intruder.describe_route_tables(RouteTableIds=[table_id])
    with aws_error("InvalidRouteTableID.NotFound"):
        intruder.delete_route_table(RouteTableId=table_id)
