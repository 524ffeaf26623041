"""EC2 networking, its VPC surface and Client VPN: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import (
    InvalidParameterValue,
    Templated,
    _error,
    _malformed,
    _not_found,
    _templated,
    _variant,
)

# EC2 networking
InvalidVpcRange = _templated("InvalidVpc.Range", "The CIDR '{0}' is invalid.")
InvalidVpcIDNotFound = _not_found("InvalidVpcID.NotFound", "vpc ID")
InvalidVpcIDMalformed = _malformed("InvalidVpcID.Malformed", "vpc")
InvalidSubnetRange = _templated("InvalidSubnet.Range", "The CIDR '{0}' is invalid.")
InvalidSubnetConflict = _templated(
    "InvalidSubnet.Conflict", "The CIDR '{0}' conflicts with another subnet"
)
InvalidSubnetIDNotFound = _not_found("InvalidSubnetID.NotFound", "subnet ID")
InvalidSubnetIDMalformed = _malformed("InvalidSubnetID.Malformed", "subnet")
InvalidGroupNotFound = _not_found("InvalidGroup.NotFound", "security group")
InvalidGroupIdMalformed = _malformed("InvalidGroupId.Malformed", "sg")
InvalidGroupDuplicate = _templated(
    "InvalidGroup.Duplicate", "The security group '{0}' already exists for VPC '{1}'"
)
InvalidGroupReserved = _templated("InvalidGroup.Reserved", "The security group '{0}' is reserved")
CannotDelete = _templated(
    "CannotDelete", 'the specified group: "{0}" name: "{1}" cannot be deleted by a user'
)
InvalidPermissionDuplicate = _templated(
    "InvalidPermission.Duplicate", 'the specified rule "{0}" already exists'
)
InvalidPermissionNotFound = _templated(
    "InvalidPermission.NotFound", "The specified rule does not exist in this security group."
)
InvalidPermissionMalformed = _error("InvalidPermission.Malformed")
InvalidSecurityGroupRuleIdNotFound = _not_found(
    "InvalidSecurityGroupRuleId.NotFound", "security group rule ID"
)
# "The vpc 'vpc-1' has dependencies and cannot be deleted."
DependencyViolation = _templated(
    "DependencyViolation", "The {0} '{1}' has dependencies and cannot be deleted."
)
InvalidIDMalformed = _templated("InvalidID", "The ID '{0}' is not valid")
InvalidNetworkInterfaceIDNotFound = _not_found(
    "InvalidNetworkInterfaceID.NotFound", "networkInterface ID"
)
InvalidNetworkInterfaceIdMalformed = _malformed("InvalidNetworkInterfaceId.Malformed", "eni")
InvalidIPAddressInUse = _templated("InvalidIPAddress.InUse", "Address {0} is in use.")
InsufficientFreeAddressesInSubnet = _templated(
    "InsufficientFreeAddressesInSubnet",
    "There are not enough free addresses in subnet '{0}' to satisfy the requested number of "
    "instances.",
)
InvalidInstanceIDNotFound = _not_found("InvalidInstanceID.NotFound", "instance ID")
InvalidInstanceIDMalformed = _malformed("InvalidInstanceID.Malformed", "i")
InvalidInternetGatewayIDNotFound = _not_found(
    "InvalidInternetGatewayID.NotFound", "internetGateway ID"
)
ResourceAlreadyAssociated = _error("Resource.AlreadyAssociated")
GatewayNotAttached = _templated(
    "Gateway.NotAttached", "resource {0} is not attached to network {1}"
)
InvalidRouteTableIDNotFound = _not_found("InvalidRouteTableID.NotFound", "routeTable ID")
InvalidAssociationIDNotFound = _not_found("InvalidAssociationID.NotFound", "association ID")
RouteAlreadyExists = _templated("RouteAlreadyExists", "The route identified by {0} already exists.")
InvalidRouteNotFound = _error("InvalidRoute.NotFound")
InvalidAMIIDNotFound = _not_found("InvalidAMIID.NotFound", "image id")
InvalidAMIIDMalformed = _malformed("InvalidAMIID.Malformed", "ami")
RulesPerSecurityGroupLimitExceeded = _templated(
    "RulesPerSecurityGroupLimitExceeded",
    "The maximum number of rules per security group has been reached.",
)
VpcLimitExceeded = _templated("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
TagLimitExceeded = _error("TagLimitExceeded")
UnsupportedOperation = _error("UnsupportedOperation")
OperationNotPermitted = _error("OperationNotPermitted")


# EC2 networking core (security groups, tags, gateways, routes, ENIs, instances)
VPCIdNotSpecified = _templated("VPCIdNotSpecified", "No default VPC for this user")
InvalidInternetGatewayIDMalformed = _malformed("InvalidInternetGatewayID.Malformed", "igw")
InvalidRouteTableIDMalformed = _malformed("InvalidRouteTableID.Malformed", "rtb")
InvalidAssociationIDMalformed = _malformed("InvalidAssociationID.Malformed", "rtbassoc")
InvalidGatewayIDNotFound = _not_found("InvalidGatewayID.NotFound", "gateway ID")
NatGatewayNotFound = _not_found("NatGatewayNotFound", "Nat Gateway")
InvalidVpcPeeringConnectionIDNotFound = _not_found(
    "InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection ID"
)
InvalidTransitGatewayIDNotFound = _not_found("InvalidTransitGatewayID.NotFound", "Transit Gateway")
InvalidVpnGatewayIDNotFound = _not_found("InvalidVpnGatewayID.NotFound", "vpnGateway ID")
InvalidNetworkAclIDNotFound = _not_found("InvalidNetworkAclID.NotFound", "networkAcl ID")
InvalidDhcpOptionIDNotFound = _not_found("InvalidDhcpOptionID.NotFound", "dhcpOption ID")
InvalidVolumeNotFound = _not_found("InvalidVolume.NotFound", "volume")
InvalidSnapshotNotFound = _not_found("InvalidSnapshot.NotFound", "snapshot")
InvalidPrefixListIDNotFound = _not_found("InvalidPrefixListID.NotFound", "prefix list ID")
InvalidPrefixListIdMalformed = _malformed("InvalidPrefixListId.Malformed", "pl")
InvalidSecurityGroupRuleIdMalformed = _malformed("InvalidSecurityGroupRuleId.Malformed", "sgr")
InstanceLimitExceeded = _error("InstanceLimitExceeded")
MissingInput = _error("MissingInput")
InvalidNetworkInterfaceInUse = _templated(
    "InvalidNetworkInterface.InUse", "Interface: [{0}] in use."
)


class GroupInUse(Templated):
    """DeleteSecurityGroup of a group something still uses (AWS words it its own way)."""

    code = "DependencyViolation"
    template = "resource {0} has a dependent object"


class InvalidGroupNameNotFound(Templated):
    """A group named (not by id) that the VPC does not have: ("web", "default VPC", vpc_id)."""

    code = "InvalidGroup.NotFound"
    template = "The security group '{0}' does not exist in {1} '{2}'"


class ParameterMissing(Templated):
    code = "MissingParameter"
    template = "The request must contain the parameter {0}"


class InvalidTagKey(Templated):
    code = "InvalidParameterValue"
    template = (
        "Tag key '{0}' is invalid: keys must be 1-128 characters and may not begin with 'aws:'."
    )


class InvalidTagValue(Templated):
    code = "InvalidParameterValue"
    template = "Tag value for key '{0}' exceeds 256 characters."


class TagsPerResourceExceeded(Templated):
    code = "TagLimitExceeded"
    template = "The maximum number of tags per resource is 50."


class InvalidTaggableType(Templated):
    code = "InvalidParameterValue"
    template = "'{0}' is not a valid taggable resource type for this operation."


class InvalidCidrBlock(Templated):
    """Text that is not an IPv4 CIDR: (value, parameter name)."""

    code = "InvalidParameterValue"
    template = "Value ({0}) for parameter {1} is invalid. This is not a valid CIDR block."


class InvalidAttributeName(Templated):
    code = "InvalidParameterValue"
    template = "Value ({0}) for parameter attribute is invalid. Unknown attribute."


# EC2 VPC surface: network ACLs, Elastic IPs, NAT gateways, DHCP options, secondary CIDRs,
# peering connections, key pairs, prefix lists, interface attachments
InvalidNetworkAclIDMalformed = _malformed("InvalidNetworkAclID.Malformed", "acl")
NetworkAclEntryAlreadyExists = _templated(
    "NetworkAclEntryAlreadyExists", "The network acl entry identified by {0} already exists."
)
InvalidNetworkAclEntryNotFound = _templated(
    "InvalidNetworkAclEntry.NotFound", "The network acl entry identified by {0} does not exist."
)
InvalidAllocationIDNotFound = _not_found("InvalidAllocationID.NotFound", "allocation ID")
InvalidAllocationIDMalformed = _malformed("InvalidAllocationID.Malformed", "eipalloc")
InvalidAddressNotFound = _templated("InvalidAddress.NotFound", "Address '{0}' not found.")
AddressLimitExceeded = _templated(
    "AddressLimitExceeded", "The maximum number of addresses has been reached."
)
NatGatewayMalformed = _malformed("NatGatewayMalformed", "nat")
InvalidDhcpOptionsIdMalformed = _malformed("InvalidDhcpOptionsId.Malformed", "dopt")
InvalidVpcPeeringConnectionIdMalformed = _malformed(
    "InvalidVpcPeeringConnectionId.Malformed", "pcx"
)
InvalidStateTransition = _templated(
    "InvalidStateTransition",
    "Invalid state transition for {0}, attempted to transition from {1} to {2}",
)
InvalidKeyPairNotFound = _templated("InvalidKeyPair.NotFound", "The key pair '{0}' does not exist")
InvalidKeyPairIDNotFound = _templated(
    "InvalidKeyPair.NotFound", "The key pair ID '{0}' does not exist"
)
InvalidKeyPairDuplicate = _templated(
    "InvalidKeyPair.Duplicate", "The keypair '{0}' already exists."
)
InvalidKeyPairFormat = _templated(
    "InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format"
)
InvalidVpcCidrAssociationNotFound = _not_found(
    "InvalidVpcCidrBlockAssociationID.NotFound", "vpc CIDR block association ID"
)
CidrLimitExceeded = _templated(
    "CidrLimitExceeded", "This network '{0}' has met its maximum number of allowed CIDRs: 5"
)
InvalidAttachmentIDNotFound = _not_found("InvalidAttachmentID.NotFound", "attachment ID")
IncorrectInstanceState = _error("IncorrectInstanceState")


# EC2 Client VPN (AWS's codes; messages as the API answers them where known)
InvalidClientVpnEndpointIdNotFound = _templated(
    "InvalidClientVpnEndpointId.NotFound", "Endpoint {0} does not exist"
)
InvalidClientVpnAssociationIdNotFound = _templated(
    "InvalidClientVpnAssociationId.NotFound", "Association {0} does not exist"
)
InvalidClientVpnDuplicateAssociation = _templated(
    "InvalidClientVpnDuplicateAssociationException",
    "Subnet {0} is already associated with Client VPN endpoint {1}",
)
InvalidClientVpnSubnetDuplicateAz = _templated(
    "InvalidClientVpnSubnetId.DuplicateAz",
    "Client VPN endpoint {0} already has a target network in Availability Zone {1}",
)
InvalidClientVpnSubnetNotFound = _templated(
    "InvalidClientVpnSubnetId.NotFound", "Subnet {0} does not exist"
)
InvalidClientVpnSubnetOverlappingCidr = _templated(
    "InvalidClientVpnSubnetId.OverlappingCidr",
    "The client CIDR {0} overlaps with the CIDR of VPC {1}",
)
InvalidClientVpnDuplicateAuthorizationRule = _templated(
    "InvalidClientVpnDuplicateAuthorizationRule",
    "An authorization rule for destination {0} and group {1} already exists",
)
InvalidClientVpnAuthorizationRuleNotFound = _templated(
    "InvalidClientVpnEndpointAuthorizationRuleNotFound",
    "Authorization rule for destination {0} and group {1} not found",
)
InvalidClientVpnConnectionIdNotFound = _templated(
    "InvalidClientVpnConnection.IdNotFound", "Connection {0} does not exist"
)
InvalidClientVpnConnectionUserNotFound = _templated(
    "InvalidClientVpnConnection.UserNotFound", "Username {0} has no connections"
)
ClientVpnEndpointAssociationExists = _templated(
    "ClientVpnEndpointAssociationExists",
    "Client VPN endpoint {0} has target network associations; disassociate them first",
)
ClientVpnCertificateNotFound = _variant(InvalidParameterValue, "Certificate {0} does not exist")
ClientVpnAuthorizationRuleLimitExceeded = _error("ClientVpnAuthorizationRuleLimitExceeded")
