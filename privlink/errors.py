"""One exception per AWS error code, each owning its message.

Each carries the wire code, the HTTP status and a message; the gateway
serializes it in the caller's protocol. Services raise these and nothing
else for client errors, so a bad request can never become a 500.

Errors that name a resource compose their own message from its id, so a
raise site says what is missing, not how AWS phrases it:
`raise InvalidVpcIDNotFound(vpc_id)` -> "The vpc ID 'vpc-1' does not exist".
`Error.because("...")` gives any error a message of the caller's own, for
the rare variant AWS words differently.
"""

from __future__ import annotations

from typing import ClassVar, Self


class AwsError(Exception):
    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 400
    sender_fault: ClassVar[bool] = True

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    @classmethod
    def because(cls, message: str) -> Self:
        """This error with a message of the caller's own (no template applied)."""
        error = cls.__new__(cls)
        AwsError.__init__(error, message)
        return error


class IdNotFound(AwsError):
    """An id (or several) of the caller's that does not exist."""

    label: ClassVar[str] = "resource"

    def __init__(self, *ids: str) -> None:
        self.ids = ids
        if len(ids) == 1:
            message = f"The {self.label} '{ids[0]}' does not exist"
        else:
            message = f"The {self.label}s '{', '.join(ids)}' do not exist"
        super().__init__(message)


class IdMalformed(AwsError):
    """An id that is not of the form its kind has."""

    prefix: ClassVar[str] = ""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(f'Invalid id: "{value}" (expecting "{self.prefix}-...")')


class Templated(AwsError):
    """An error whose message is a fixed template filled with the call's arguments."""

    template: ClassVar[str] = "{0}"

    def __init__(self, *args: str) -> None:
        super().__init__(self.template.format(*args))


def _error(code: str, status: int = 400, sender: bool = True) -> type[AwsError]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (AwsError,), {"code": code, "status": status, "sender_fault": sender})


def _not_found(code: str, label: str) -> type[IdNotFound]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (IdNotFound,), {"code": code, "label": label})


def _malformed(code: str, prefix: str) -> type[IdMalformed]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (IdMalformed,), {"code": code, "prefix": prefix})


def _templated(code: str, template: str, status: int = 400) -> type[Templated]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (Templated,), {"code": code, "template": template, "status": status})


# Generic / protocol level
InternalError = _error("InternalError", 500, sender=False)
InvalidAction = _error("InvalidAction")
NotImplementedOperation = _error("NotImplemented", 501)
MissingParameter = _error("MissingParameter")
InvalidParameterValue = _error("InvalidParameterValue")
InvalidParameter = _error("InvalidParameter")
InvalidParameterCombination = _error("InvalidParameterCombination")
RequestEntityTooLarge = _error("RequestEntityTooLarge", 413)
SerializationException = _error("SerializationException")
ValidationError = _error("ValidationError")
ValidationException = _error("ValidationException")
InvalidClientTokenId = _error("InvalidClientTokenId", 403)
SignatureDoesNotMatch = _error("SignatureDoesNotMatch", 403)
UnknownOperationException = _error("UnknownOperationException")
InvalidPaginationToken = _error("InvalidPaginationToken")
DryRunOperation = _error("DryRunOperation", 412)
IdempotentParameterMismatch = _error("IdempotentParameterMismatch")

# EC2 networking
InvalidVpcRange = _error("InvalidVpc.Range")
InvalidVpcIDNotFound = _not_found("InvalidVpcID.NotFound", "vpc ID")
InvalidVpcIDMalformed = _malformed("InvalidVpcID.Malformed", "vpc")
InvalidSubnetRange = _error("InvalidSubnet.Range")
InvalidSubnetConflict = _error("InvalidSubnet.Conflict")
InvalidSubnetIDNotFound = _not_found("InvalidSubnetID.NotFound", "subnet ID")
InvalidSubnetIDMalformed = _malformed("InvalidSubnetID.Malformed", "subnet")
InvalidGroupNotFound = _not_found("InvalidGroup.NotFound", "security group")
InvalidGroupIdMalformed = _malformed("InvalidGroupId.Malformed", "sg")
InvalidGroupDuplicate = _error("InvalidGroup.Duplicate")
InvalidGroupReserved = _error("InvalidGroup.Reserved")
CannotDelete = _error("CannotDelete")
InvalidPermissionDuplicate = _error("InvalidPermission.Duplicate")
InvalidPermissionNotFound = _error("InvalidPermission.NotFound")
InvalidPermissionMalformed = _error("InvalidPermission.Malformed")
InvalidSecurityGroupRuleIdNotFound = _not_found(
    "InvalidSecurityGroupRuleId.NotFound", "security group rule ID"
)
DependencyViolation = _error("DependencyViolation")
InvalidIDMalformed = _error("InvalidID")
InvalidNetworkInterfaceIDNotFound = _not_found(
    "InvalidNetworkInterfaceID.NotFound", "networkInterface ID"
)
InvalidNetworkInterfaceIdMalformed = _malformed("InvalidNetworkInterfaceId.Malformed", "eni")
InvalidIPAddressInUse = _error("InvalidIPAddress.InUse")
InsufficientFreeAddressesInSubnet = _error("InsufficientFreeAddressesInSubnet")
InvalidInstanceIDNotFound = _not_found("InvalidInstanceID.NotFound", "instance ID")
InvalidInstanceIDMalformed = _malformed("InvalidInstanceID.Malformed", "i")
InvalidInternetGatewayIDNotFound = _not_found(
    "InvalidInternetGatewayID.NotFound", "internetGateway ID"
)
ResourceAlreadyAssociated = _error("Resource.AlreadyAssociated")
GatewayNotAttached = _error("Gateway.NotAttached")
InvalidRouteTableIDNotFound = _not_found("InvalidRouteTableID.NotFound", "routeTable ID")
InvalidAssociationIDNotFound = _not_found("InvalidAssociationID.NotFound", "association ID")
RouteAlreadyExists = _error("RouteAlreadyExists")
InvalidRouteNotFound = _error("InvalidRoute.NotFound")
InvalidAMIIDNotFound = _not_found("InvalidAMIID.NotFound", "image id")
InvalidAMIIDMalformed = _malformed("InvalidAMIID.Malformed", "ami")
RulesPerSecurityGroupLimitExceeded = _error("RulesPerSecurityGroupLimitExceeded")
VpcLimitExceeded = _error("VpcLimitExceeded")
TagLimitExceeded = _error("TagLimitExceeded")
UnsupportedOperation = _error("UnsupportedOperation")
OperationNotPermitted = _error("OperationNotPermitted")

# PrivateLink (VPC endpoints and endpoint services)
InvalidServiceName = _error("InvalidServiceName")
InvalidVpcEndpointType = _error("InvalidVpcEndpointType")
InvalidVpcEndpointIdNotFound = _not_found("InvalidVpcEndpointId.NotFound", "Vpc Endpoint Id")
InvalidVpcEndpointIdMalformed = _error("InvalidVpcEndpointId.Malformed")
InvalidVpcEndpointNotFound = _not_found("InvalidVpcEndpoint.NotFound", "Vpc Endpoint Id")
InvalidVpcEndpointServiceIdNotFound = _not_found(
    "InvalidVpcEndpointServiceId.NotFound", "Vpc Endpoint Service Id"
)
InvalidVpcEndpointServiceIdMalformed = _error("InvalidVpcEndpointServiceId.Malformed")
InvalidVpcEndpointServiceNotFound = _not_found(
    "InvalidVpcEndpointService.NotFound", "Vpc Endpoint Service Id"
)
InvalidSubnetIdMalformed = _error("InvalidSubnetId.Malformed")
DuplicateSubnetsInSameZone = _error("DuplicateSubnetsInSameZone")
VpcEndpointLimitExceeded = _error("VpcEndpointLimitExceeded")
SecurityGroupsPerInterfaceLimitExceeded = _error("SecurityGroupsPerInterfaceLimitExceeded")
InvalidPolicyDocument = _error("InvalidPolicyDocument")
InvalidState = _error("InvalidState")
IncorrectState = _error("IncorrectState")
ExistingVpcEndpointConnections = _error("ExistingVpcEndpointConnections")
InvalidNetworkLoadBalancerArnMalformed = _error("InvalidNetworkLoadBalancerArn.Malformed")
InvalidNetworkLoadBalancerArnNotFound = _error("InvalidNetworkLoadBalancerArn.NotFound")
InvalidConnectionNotification = _error("InvalidConnectionNotification")
InvalidPrincipal = _error("InvalidPrincipal")

# Elastic Load Balancing v2
LoadBalancerNotFound = _templated("LoadBalancerNotFound", "Load balancer '{0}' not found")
TargetGroupNotFound = _templated("TargetGroupNotFound", "Target group '{0}' not found")
ListenerNotFound = _templated("ListenerNotFound", "Listener '{0}' not found")
DuplicateLoadBalancerName = _error("DuplicateLoadBalancerName")
DuplicateTargetGroupName = _error("DuplicateTargetGroupName")
DuplicateListener = _error("DuplicateListener")
DuplicateTagKeys = _error("DuplicateTagKeys")
TooManyTags = _error("TooManyTags")
InvalidTarget = _error("InvalidTarget")
InvalidConfigurationRequest = _error("InvalidConfigurationRequest")
InvalidSubnet = _error("InvalidSubnet")
SubnetNotFound = _error("SubnetNotFound")
InvalidSecurityGroup = _error("InvalidSecurityGroup")
ResourceInUse = _error("ResourceInUse")
TargetGroupAssociationLimit = _error("TargetGroupAssociationLimit")
IncompatibleProtocols = _error("IncompatibleProtocols")
InvalidLoadBalancerAction = _error("InvalidLoadBalancerAction")
TooManyActions = _error("TooManyActions")

# Simple Notification Service
NotFound = _error("NotFound", 404)
ResourceNotFound = _error("ResourceNotFound", 404)
AuthorizationError = _error("AuthorizationError", 403)
ParameterValueInvalid = _error("ParameterValueInvalid")

# EC2 networking core (security groups, tags, gateways, routes, ENIs, instances)
VPCIdNotSpecified = _error("VPCIdNotSpecified")
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
InvalidNetworkInterfaceInUse = _error("InvalidNetworkInterface.InUse")
