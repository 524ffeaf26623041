"""Client VPN records as the store keeps them.

An endpoint holds its target-network associations, authorization rules and
routes: they live and die with it and are always read together (the data
plane needs all three at once). Connections are records of their own: the
Client VPN controller writes them from what the OpenVPN server reports.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from privlink import errors
from privlink.services.ec2.records import Tagged

PENDING_ASSOCIATE = "pending-associate"
AVAILABLE = "available"
DELETING = "deleting"


class TargetNetwork(BaseModel):
    """One associated subnet: its requester-managed interface carries the clients' traffic
    into the VPC (their source address becomes the interface's, as on AWS)."""

    association_id: str
    subnet_id: str
    availability_zone: str
    network_interface_id: str
    status: str = "associating"  # associating -> associated; disassociating -> gone


class AuthorizationRule(BaseModel):
    destination_cidr: str
    group_id: str = ""  # AccessGroupId; "" with access_all
    access_all: bool = False
    description: str = ""
    status: str = "authorizing"  # authorizing -> active


class VpnRoute(BaseModel):
    destination_cidr: str
    target_subnet: str
    origin: str = "associate"  # "associate" (the VPC's CIDR, made by an association) | "add-route"
    type: str = "Nat"
    description: str = ""
    status: str = "creating"  # creating -> active


class ClientVpnEndpoint(Tagged):
    kind = "client-vpn-endpoint"
    not_found = errors.InvalidClientVpnEndpointIdNotFound
    description: str = ""
    status: str = PENDING_ASSOCIATE
    creation_time: str
    deletion_time: str | None = None
    client_cidr: str
    dns_servers: list[str] = Field(default_factory=list)
    split_tunnel: bool = False
    transport: str = "udp"
    vpn_port: int = 443
    server_certificate_arn: str
    client_root_certificate_arn: str
    connection_log_enabled: bool = False
    connection_log_group: str | None = None
    connection_log_stream: str | None = None
    vpc_id: str | None = None
    group_ids: list[str] = Field(default_factory=list)
    session_timeout_hours: int = 24
    target_networks: list[TargetNetwork] = Field(default_factory=list)
    authorization_rules: list[AuthorizationRule] = Field(default_factory=list)
    routes: list[VpnRoute] = Field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:client-vpn-endpoint/{self.id}"

    @property
    def dns_name(self) -> str:
        """What clients dial (with a random label in front: remote-random-hostname)."""
        return f"{self.id}.prod.clientvpn.{self.region}.amazonaws.com"


class ClientVpnConnection(Tagged):
    """One client session, as the endpoint's OpenVPN server reported it."""

    kind = "client-vpn-connection"
    not_found = errors.InvalidClientVpnConnectionIdNotFound
    endpoint_id: str
    common_name: str
    client_ip: str  # the address from the client CIDR
    established_time: str
    end_time: str | None = None
    ingress_bytes: int = 0
    egress_bytes: int = 0
    ingress_packets: int = 0
    egress_packets: int = 0
    status: str = "active"  # active -> terminating -> terminated
    # The server's own name for the session (OpenVPN's client id), to find it again.
    server_key: str = ""

    @property
    def parent(self) -> str | None:
        return self.endpoint_id
