"""EC2 networking records as the store keeps them (not as the wire shows them)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from privlink import errors
from privlink.store.records import Record


class Tagged(Record):
    tags: dict[str, str] = Field(default_factory=dict)


class RegionBootstrap(Record):
    """Marks that an account's region got its default VPC."""

    kind = "region-bootstrap"


class VpcCidr(BaseModel):
    """A secondary IPv4 block of a VPC (AssociateVpcCidrBlock)."""

    association_id: str
    cidr: str
    state: str = "associated"


class Vpc(Tagged):
    kind = "vpc"
    not_found = errors.InvalidVpcIDNotFound
    cidr: str
    cidr_association_id: str
    state: str = "available"
    is_default: bool = False
    instance_tenancy: str = "default"
    dhcp_options_id: str = "default"
    enable_dns_support: bool = True
    enable_dns_hostnames: bool = False
    enable_network_address_usage_metrics: bool = False
    secondary_cidrs: list[VpcCidr] = Field(default_factory=list)


class Subnet(Tagged):
    kind = "subnet"
    not_found = errors.InvalidSubnetIDNotFound
    vpc_id: str
    cidr: str
    availability_zone: str
    availability_zone_id: str
    state: str = "available"
    default_for_az: bool = False
    map_public_ip_on_launch: bool = False

    @property
    def parent(self) -> str | None:
        return self.vpc_id


class SecurityGroupRule(BaseModel):
    rule_id: str
    is_egress: bool
    ip_protocol: str  # "-1", "tcp", "udp", "icmp", "icmpv6" or a protocol number
    from_port: int | None = None
    to_port: int | None = None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    referenced_group_id: str | None = None
    referenced_group_owner: str | None = None
    description: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    def same_permission(self, other: SecurityGroupRule) -> bool:
        return (
            self.is_egress,
            self.ip_protocol,
            self.from_port,
            self.to_port,
            self.cidr_ipv4,
            self.cidr_ipv6,
            self.prefix_list_id,
            self.referenced_group_id,
        ) == (
            other.is_egress,
            other.ip_protocol,
            other.from_port,
            other.to_port,
            other.cidr_ipv4,
            other.cidr_ipv6,
            other.prefix_list_id,
            other.referenced_group_id,
        )


class SecurityGroup(Tagged):
    kind = "security-group"
    not_found = errors.InvalidGroupNotFound
    vpc_id: str
    name: str
    description: str
    rules: list[SecurityGroupRule] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.vpc_id


class Route(BaseModel):
    destination_cidr: str
    gateway_id: str | None = None  # "local", igw-..., vgw-...
    nat_gateway_id: str | None = None
    network_interface_id: str | None = None
    instance_id: str | None = None
    vpc_endpoint_id: str | None = None
    vpc_peering_connection_id: str | None = None
    origin: str = "CreateRoute"
    state: str = "active"


class RouteTableAssociation(BaseModel):
    association_id: str
    subnet_id: str | None = None
    gateway_id: str | None = None
    main: bool = False


class RouteTable(Tagged):
    kind = "route-table"
    not_found = errors.InvalidRouteTableIDNotFound
    vpc_id: str
    routes: list[Route] = Field(default_factory=list)
    associations: list[RouteTableAssociation] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.vpc_id

    @property
    def is_main(self) -> bool:
        return any(a.main for a in self.associations)


class InternetGateway(Tagged):
    kind = "internet-gateway"
    not_found = errors.InvalidInternetGatewayIDNotFound
    attached_vpc_id: str | None = None

    @property
    def parent(self) -> str | None:
        return self.attached_vpc_id


class NetworkInterface(Tagged):
    kind = "network-interface"
    not_found = errors.InvalidNetworkInterfaceIDNotFound
    vpc_id: str
    subnet_id: str
    availability_zone: str
    private_ip: str
    mac_address: str
    group_ids: list[str] = Field(default_factory=list)
    interface_type: str = "interface"  # "vpc_endpoint" for endpoint ENIs
    description: str = ""
    status: str = "in-use"
    requester_managed: bool = False
    requester_id: str | None = None
    source_dest_check: bool = True
    attachment_id: str | None = None
    instance_id: str | None = None
    device_index: int | None = None
    attach_time: str | None = None
    delete_on_termination: bool = True
    # The resource that owns this interface (an instance or a VPC endpoint).
    owner_resource: str | None = None
    # The public address it got at launch (MapPublicIpOnLaunch / AssociatePublicIpAddress),
    # from the Elastic IP pool; an Elastic IP associated with it takes its place.
    public_ip: str | None = None

    @property
    def parent(self) -> str | None:
        return self.subnet_id


class Instance(Tagged):
    kind = "instance"
    not_found = errors.InvalidInstanceIDNotFound
    reservation_id: str
    vpc_id: str
    subnet_id: str
    availability_zone: str
    private_ip: str
    network_interface_id: str
    group_ids: list[str] = Field(default_factory=list)
    image_id: str
    instance_type: str = "t3.micro"
    key_name: str | None = None
    # The key pair's public key as it was at launch: the instance keeps it when the key
    # pair is deleted, as on AWS (its sshd lets ec2-user in with it).
    ssh_public_key: str | None = None
    user_data: str | None = None  # base64, as the client sent it
    state: str = "pending"
    launch_time: str
    ami_launch_index: int = 0
    client_token: str | None = None
    state_transition_reason: str = ""
    # Why it is in its state when AWS says so (a launch that failed: Server.InternalError).
    state_reason_code: str | None = None
    state_reason_message: str | None = None

    @property
    def parent(self) -> str | None:
        return self.subnet_id


class AclEntry(BaseModel):
    """One numbered rule of a network ACL, one direction (`egress`)."""

    rule_number: int
    egress: bool
    protocol: str  # "-1" or a protocol number as text ("6", "17", "1")
    rule_action: str  # "allow" | "deny"
    cidr: str
    from_port: int | None = None
    to_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


class AclAssociation(BaseModel):
    association_id: str
    subnet_id: str


class NetworkAcl(Tagged):
    kind = "network-acl"
    not_found = errors.InvalidNetworkAclIDNotFound
    vpc_id: str
    is_default: bool = False
    entries: list[AclEntry] = Field(default_factory=list)
    associations: list[AclAssociation] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.vpc_id


class ElasticIp(Tagged):
    """An Elastic IP; `id` is its allocation id (eipalloc-...)."""

    kind = "elastic-ip"
    not_found = errors.InvalidAllocationIDNotFound
    public_ip: str
    network_border_group: str
    association_id: str | None = None
    instance_id: str | None = None
    network_interface_id: str | None = None
    private_ip: str | None = None
    # What holds it besides an association AWS shows (a NAT gateway's address).
    service_managed: str | None = None


class NatGateway(Tagged):
    kind = "nat-gateway"
    not_found = errors.NatGatewayNotFound
    vpc_id: str
    subnet_id: str
    connectivity_type: str = "public"
    allocation_id: str | None = None
    association_id: str | None = None
    network_interface_id: str
    private_ip: str
    state: str = "pending"  # pending -> available; deleting -> deleted (the NAT controller)
    create_time: str
    delete_time: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None

    @property
    def parent(self) -> str | None:
        return self.subnet_id


class DhcpOptions(Tagged):
    kind = "dhcp-options"
    not_found = errors.InvalidDhcpOptionIDNotFound
    configurations: dict[str, list[str]] = Field(default_factory=dict)
    is_default: bool = False  # the set every new VPC of the region starts with


class PeeringSide(BaseModel):
    """One VPC of a peering connection, as it was when the connection was requested."""

    account: str
    region: str
    vpc_id: str
    cidrs: list[str] = Field(default_factory=list)
    allow_dns_resolution_from_remote_vpc: bool = False


class VpcPeeringConnection(Tagged):
    """Kept in the requester's account; the accepter reads it with an explicit foreign read."""

    kind = "vpc-peering-connection"
    not_found = errors.InvalidVpcPeeringConnectionIDNotFound
    requester: PeeringSide
    accepter: PeeringSide
    status: str = "pending-acceptance"
    status_message: str = ""
    expiration_time: str | None = None
    # When it left pending-acceptance/active for good (rejected, deleted, failed), and by whom:
    # how long each side still sees it depends on both.
    closed_at: str | None = None
    closed_by: str = ""
    # Tags the accepter put on it (each side sees its own tags, as on AWS).
    accepter_tags: dict[str, str] = Field(default_factory=dict)


class KeyPair(Tagged):
    kind = "key-pair"
    not_found = errors.InvalidKeyPairIDNotFound
    name: str
    key_type: str  # "rsa" | "ed25519"
    fingerprint: str
    public_key: str
    create_time: str
