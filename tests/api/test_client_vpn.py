"""Client VPN through the EC2 API (no data plane): endpoints with mutual TLS from ACM
certificates, target networks, authorization rules, routes, the exported configuration,
connections, deletion, and AWS's errors on every path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api.ec2_helpers import aws_error, make_group, make_subnet, make_vpc
from tests.harness import VENV_BIN, Server, wait_until
from tests.vpn_pki import VpnPki, import_pair, make_vpn_pki

UNKNOWN = "cvpn-endpoint-0123456789abcdef0"


@pytest.fixture(scope="module")
def pki() -> VpnPki:
    return make_vpn_pki()


@pytest.fixture
def acm(server: Server, account: str) -> Any:
    return server.client("acm", account)


@pytest.fixture
def certs(acm: Any, pki: VpnPki) -> tuple[str, str]:
    return import_pair(acm, pki)


def create(ec2: Any, certs: tuple[str, str], **kwargs: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ClientCidrBlock": "10.192.0.0/22",
        "ServerCertificateArn": certs[0],
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": certs[1]},
            }
        ],
        "ConnectionLogOptions": {"Enabled": False},
        **kwargs,
    }
    return ec2.create_client_vpn_endpoint(**params)  # type: ignore[no-any-return]


def describe(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    return ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[  # type: ignore[no-any-return]
        "ClientVpnEndpoints"
    ][0]


def test_create_describe_as_the_tutorial_sets_it(
    ec2: Any, acm: Any, certs: tuple[str, str], account: str
) -> None:
    vpc = make_vpc(ec2)
    group = make_group(ec2, vpc)
    made = create(
        ec2,
        certs,
        SplitTunnel=True,
        TransportProtocol="udp",
        VpnPort=443,
        DnsServers=["10.0.0.2"],
        VpcId=vpc,
        SecurityGroupIds=[group],
        Description="env access",
        TagSpecifications=[
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "vpn"}]}
        ],
    )
    endpoint_id = made["ClientVpnEndpointId"]
    assert endpoint_id.startswith("cvpn-endpoint-") and len(endpoint_id) == 31
    assert made["Status"] == {"Code": "pending-associate"}
    assert made["DnsName"] == f"{endpoint_id}.prod.clientvpn.us-east-1.amazonaws.com"
    got = describe(ec2, endpoint_id)
    assert got["DnsName"] == "*." + made["DnsName"]
    assert (
        got["ClientCidrBlock"],
        got["SplitTunnel"],
        got["TransportProtocol"],
        got["VpnPort"],
    ) == (
        "10.192.0.0/22",
        True,
        "udp",
        443,
    )
    assert got["VpnProtocol"] == "openvpn" and got["DnsServers"] == ["10.0.0.2"]
    assert (got["VpcId"], got["SecurityGroupIds"]) == (vpc, [group])
    assert got["AuthenticationOptions"] == [
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChain": certs[1]},
        }
    ]
    assert got["ServerCertificateArn"] == certs[0]
    assert got["ConnectionLogOptions"]["Enabled"] is False
    assert got["Tags"] == [{"Key": "Name", "Value": "vpn"}]
    assert got["Description"] == "env access"
    arn = f"arn:aws:ec2:us-east-1:{account}:client-vpn-endpoint/{endpoint_id}"
    for cert in certs:
        assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == [arn]
    with pytest.raises(acm.exceptions.ResourceInUseException):
        acm.delete_certificate(CertificateArn=certs[0])
    by_filter = ec2.describe_client_vpn_endpoints(
        Filters=[{"Name": "endpoint-id", "Values": [endpoint_id]}]
    )
    assert [e["ClientVpnEndpointId"] for e in by_filter["ClientVpnEndpoints"]] == [endpoint_id]
    ec2.create_tags(Resources=[endpoint_id], Tags=[{"Key": "team", "Value": "data"}])
    assert {"Key": "team", "Value": "data"} in describe(ec2, endpoint_id)["Tags"]


def test_vpc_without_groups_gets_its_default_group(ec2: Any, certs: tuple[str, str]) -> None:
    vpc = make_vpc(ec2)
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    endpoint_id = create(ec2, certs, VpcId=vpc)["ClientVpnEndpointId"]
    assert describe(ec2, endpoint_id)["SecurityGroupIds"] == [default]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ClientCidrBlock": "10.192.0.0/24"}, "InvalidParameterValue"),
        ({"ClientCidrBlock": "not-a-cidr"}, "InvalidParameterValue"),
        ({"VpnPort": 8443}, "InvalidParameterValue"),
        ({"DnsServers": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]}, "InvalidParameterValue"),
        ({"SecurityGroupIds": ["sg-0123456789abcdef0"]}, "InvalidParameterCombination"),
        ({"VpcId": "vpc-0123456789abcdef0"}, "InvalidVpcID.NotFound"),
        (
            {
                "ServerCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/"
                "00000000-0000-0000-0000-000000000000"
            },
            "InvalidParameterValue",
        ),
        (
            {
                "AuthenticationOptions": [
                    {
                        "Type": "directory-service-authentication",
                        "ActiveDirectory": {"DirectoryId": "d-1234567890"},
                    }
                ]
            },
            "InvalidParameterValue",
        ),
    ],
)
def test_create_refuses_bad_settings(
    ec2: Any, certs: tuple[str, str], change: dict[str, Any], code: str
) -> None:
    with aws_error(code):
        create(ec2, certs, **change)


def test_certificate_of_another_region_is_not_found(
    server: Server, account: str, pki: VpnPki, certs: tuple[str, str]
) -> None:
    west = server.client("ec2", account, "us-west-2")
    with aws_error("InvalidParameterValue") as info:
        create(west, certs)
    assert certs[0] in info.value.response["Error"]["Message"]


def test_group_of_another_vpc_is_refused(ec2: Any, certs: tuple[str, str]) -> None:
    vpc, other = make_vpc(ec2), make_vpc(ec2, "10.1.0.0/16")
    with aws_error("InvalidParameterValue"):
        create(ec2, certs, VpcId=vpc, SecurityGroupIds=[make_group(ec2, other)])


def test_unknown_endpoint_everywhere(ec2: Any) -> None:
    calls = [
        lambda: ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[UNKNOWN]),
        lambda: ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.associate_client_vpn_target_network(
            ClientVpnEndpointId=UNKNOWN, SubnetId="subnet-0123456789abcdef0"
        ),
        lambda: ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=UNKNOWN, TargetNetworkCidr="10.0.0.0/16", AuthorizeAllGroups=True
        ),
        lambda: ec2.describe_client_vpn_routes(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.describe_client_vpn_connections(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=UNKNOWN),
        lambda: ec2.terminate_client_vpn_connections(
            ClientVpnEndpointId=UNKNOWN, ConnectionId="cvpn-connection-0123456789abcdef0"
        ),
    ]
    for call in calls:
        with aws_error("InvalidClientVpnEndpointId.NotFound") as info:
            call()
        assert info.value.response["Error"]["Message"] == f"Endpoint {UNKNOWN} does not exist"


def test_associate_makes_it_available_with_a_route_and_an_interface(
    ec2: Any, certs: tuple[str, str]
) -> None:
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc, AvailabilityZone="us-east-1a")
    group = make_group(ec2, vpc)
    endpoint_id = create(ec2, certs, VpcId=vpc, SecurityGroupIds=[group])["ClientVpnEndpointId"]
    made = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    assert made["AssociationId"].startswith("cvpn-assoc-")
    assert made["Status"]["Code"] in ("associating", "associated")
    wait_until(
        lambda: describe(ec2, endpoint_id)["Status"]["Code"] == "available", 10, 0.1, "available"
    )
    (network,) = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
        "ClientVpnTargetNetworks"
    ]
    assert network == {
        "AssociationId": made["AssociationId"],
        "VpcId": vpc,
        "TargetNetworkId": subnet,
        "ClientVpnEndpointId": endpoint_id,
        "Status": {"Code": "associated"},
        "SecurityGroups": [group],
    }
    (route,) = ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]
    assert route == {
        "ClientVpnEndpointId": endpoint_id,
        "DestinationCidr": "10.0.0.0/16",
        "TargetSubnet": subnet,
        "Type": "Nat",
        "Origin": "associate",
        "Status": {"Code": "active"},
        "Description": "Default Route",
    }
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])[
        "NetworkInterfaces"
    ]
    (eni,) = [e for e in enis if e["Description"] == "ClientVPN Endpoint resource"]
    assert eni["RequesterManaged"] is True and [g["GroupId"] for g in eni["Groups"]] == [group]
    with aws_error("InvalidParameterValue"):
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])

    with aws_error("InvalidClientVpnDuplicateAssociationException"):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    same_zone = make_subnet(ec2, vpc, "10.0.2.0/24", AvailabilityZone="us-east-1a")
    with aws_error("InvalidClientVpnSubnetId.DuplicateAz"):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=same_zone)
    with aws_error("InvalidClientVpnSubnetId.NotFound"):
        ec2.associate_client_vpn_target_network(
            ClientVpnEndpointId=endpoint_id, SubnetId="subnet-0123456789abcdef0"
        )
    other_vpc_subnet = make_subnet(
        ec2, make_vpc(ec2, "10.1.0.0/16"), "10.1.1.0/24", AvailabilityZone="us-east-1b"
    )
    with aws_error("InvalidParameterValue"):
        ec2.associate_client_vpn_target_network(
            ClientVpnEndpointId=endpoint_id, SubnetId=other_vpc_subnet
        )

    with aws_error("ClientVpnEndpointAssociationExists"):
        ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)
    gone = ec2.disassociate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, AssociationId=made["AssociationId"]
    )
    assert gone == {
        "AssociationId": made["AssociationId"],
        "Status": {"Code": "disassociating"},
        "ResponseMetadata": gone["ResponseMetadata"],
    }
    assert (
        ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
            "ClientVpnTargetNetworks"
        ]
        == []
    )
    assert ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"] == []
    assert describe(ec2, endpoint_id)["Status"]["Code"] == "pending-associate"
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    with aws_error("InvalidClientVpnAssociationId.NotFound"):
        ec2.disassociate_client_vpn_target_network(
            ClientVpnEndpointId=endpoint_id, AssociationId=made["AssociationId"]
        )


def test_client_cidr_overlapping_the_vpc_cannot_associate(ec2: Any, certs: tuple[str, str]) -> None:
    vpc = make_vpc(ec2, "10.192.0.0/16")
    subnet = make_subnet(ec2, vpc, "10.192.8.0/24")
    endpoint_id = create(ec2, certs)["ClientVpnEndpointId"]
    with aws_error("InvalidClientVpnSubnetId.OverlappingCidr"):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)


def test_first_association_sets_the_vpc(ec2: Any, certs: tuple[str, str]) -> None:
    vpc = make_vpc(ec2)
    endpoint_id = create(ec2, certs)["ClientVpnEndpointId"]
    assert "VpcId" not in describe(ec2, endpoint_id)
    ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=make_subnet(ec2, vpc)
    )
    got = describe(ec2, endpoint_id)
    assert got["VpcId"] == vpc and len(got["SecurityGroupIds"]) == 1


def test_authorization_rules(ec2: Any, certs: tuple[str, str]) -> None:
    endpoint_id = create(ec2, certs)["ClientVpnEndpointId"]
    made = ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id,
        TargetNetworkCidr="10.0.0.0/16",
        AuthorizeAllGroups=True,
        Description="all users",
    )
    assert made["Status"] == {"Code": "authorizing"}
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.5.0/24", AccessGroupId="S-1-5-21-1"
    )
    wait_until(
        lambda: {
            r["Status"]["Code"]
            for r in ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)[
                "AuthorizationRules"
            ]
        }
        == {"active"},
        10,
        0.1,
        "active rules",
    )
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)[
        "AuthorizationRules"
    ]
    assert rules[0] == {
        "ClientVpnEndpointId": endpoint_id,
        "Description": "all users",
        "GroupId": "",
        "AccessAll": True,
        "DestinationCidr": "10.0.0.0/16",
        "Status": {"Code": "active"},
    }
    assert (rules[1]["GroupId"], rules[1]["AccessAll"]) == ("S-1-5-21-1", False)
    only = ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "group-id", "Values": ["S-1-5-21-1"]}]
    )["AuthorizationRules"]
    assert [r["DestinationCidr"] for r in only] == ["10.0.5.0/24"]
    with aws_error("InvalidClientVpnDuplicateAuthorizationRule"):
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id,
            TargetNetworkCidr="10.0.0.0/16",
            AuthorizeAllGroups=True,
        )
    with aws_error("InvalidParameterCombination"):
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.1.0.0/16"
        )
    with aws_error("InvalidParameterValue"):
        ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id,
            TargetNetworkCidr="10.1.0.0/33",
            AuthorizeAllGroups=True,
        )
    revoked = ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16", RevokeAllGroups=True
    )
    assert revoked["Status"] == {"Code": "revoking"}
    with aws_error("InvalidClientVpnEndpointAuthorizationRuleNotFound"):
        ec2.revoke_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16", RevokeAllGroups=True
        )
    left = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)[
        "AuthorizationRules"
    ]
    assert [r["DestinationCidr"] for r in left] == ["10.0.5.0/24"]


def test_export_configuration(ec2: Any, certs: tuple[str, str], pki: VpnPki) -> None:
    endpoint_id = create(ec2, certs, TransportProtocol="tcp", VpnPort=1194)["ClientVpnEndpointId"]
    text = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=endpoint_id)[
        "ClientConfiguration"
    ]
    lines = text.splitlines()
    assert lines[:4] == [
        "client",
        "dev tun",
        "proto tcp",
        f"remote {endpoint_id}.prod.clientvpn.us-east-1.amazonaws.com 1194",
    ]
    assert (
        "remote-random-hostname" in lines
        and "remote-cert-tls server" in lines
        and "reneg-sec 0" in lines
    )
    ca = text.split("<ca>\n")[1].split("</ca>")[0]
    assert ca.strip() == pki.ca.pem.decode().strip()  # the server certificate's chain


def test_connections_and_termination_errors(ec2: Any, certs: tuple[str, str]) -> None:
    endpoint_id = create(ec2, certs)["ClientVpnEndpointId"]
    assert ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id)["Connections"] == []
    with aws_error("InvalidClientVpnConnection.IdNotFound"):
        ec2.terminate_client_vpn_connections(
            ClientVpnEndpointId=endpoint_id, ConnectionId="cvpn-connection-0123456789abcdef0"
        )
    with aws_error("InvalidClientVpnConnection.UserNotFound"):
        ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, Username="nobody")


def test_delete_releases_the_certificates(ec2: Any, acm: Any, certs: tuple[str, str]) -> None:
    endpoint_id = create(ec2, certs)["ClientVpnEndpointId"]
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"] == {
        "Code": "deleting"
    }

    def gone() -> bool:
        try:
            describe(ec2, endpoint_id)
        except ec2.exceptions.ClientError:
            return True
        return False

    wait_until(gone, 10, 0.1, "the endpoint to go")
    for cert in certs:
        assert acm.describe_certificate(CertificateArn=cert)["Certificate"]["InUseBy"] == []
    acm.delete_certificate(CertificateArn=certs[0])


def test_tutorial_commands_through_the_cli(
    server: Server, account: str, certs: tuple[str, str], tmp_path: Path
) -> None:
    env = server.cli_env(account)

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "aws"), *args], env=env, capture_output=True, text=True, timeout=60
        )

    done = aws(
        "ec2",
        "create-client-vpn-endpoint",
        "--client-cidr-block",
        "10.192.0.0/22",
        "--server-certificate-arn",
        certs[0],
        "--authentication-options",
        f"Type=certificate-authentication,MutualAuthentication={{ClientRootCertificateChainArn={certs[1]}}}",
        "--connection-log-options",
        "Enabled=false",
        "--split-tunnel",
        "--output",
        "json",
    )
    assert done.returncode == 0, done.stderr
    endpoint_id = json.loads(done.stdout)["ClientVpnEndpointId"]
    exported = aws(
        "ec2",
        "export-client-vpn-client-configuration",
        "--client-vpn-endpoint-id",
        endpoint_id,
        "--output",
        "text",
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("client\ndev tun\nproto udp\n")
    missing = aws("ec2", "describe-client-vpn-endpoints", "--client-vpn-endpoint-ids", UNKNOWN)
    assert missing.returncode != 0 and "InvalidClientVpnEndpointId.NotFound" in missing.stderr
