"""One exception per AWS error code.

Each carries the wire code, the HTTP status and a message; the gateway
serializes it in the caller's protocol. Services raise these and nothing
else for client errors, so a bad request can never become a 500.
"""

from __future__ import annotations


class AwsError(Exception):
    code: str = "InternalError"
    status: int = 400
    sender_fault: bool = True

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def _error(code: str, status: int = 400, sender: bool = True) -> type[AwsError]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (AwsError,), {"code": code, "status": status, "sender_fault": sender})


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
InvalidVpcIDNotFound = _error("InvalidVpcID.NotFound")
InvalidVpcIDMalformed = _error("InvalidVpcID.Malformed")
InvalidSubnetRange = _error("InvalidSubnet.Range")
InvalidSubnetConflict = _error("InvalidSubnet.Conflict")
InvalidSubnetIDNotFound = _error("InvalidSubnetID.NotFound")
InvalidSubnetIDMalformed = _error("InvalidSubnetID.Malformed")
InvalidGroupNotFound = _error("InvalidGroup.NotFound")
InvalidGroupIdMalformed = _error("InvalidGroupId.Malformed")
InvalidGroupDuplicate = _error("InvalidGroup.Duplicate")
InvalidGroupReserved = _error("InvalidGroup.Reserved")
CannotDelete = _error("CannotDelete")
InvalidPermissionDuplicate = _error("InvalidPermission.Duplicate")
InvalidPermissionNotFound = _error("InvalidPermission.NotFound")
InvalidPermissionMalformed = _error("InvalidPermission.Malformed")
InvalidSecurityGroupRuleIdNotFound = _error("InvalidSecurityGroupRuleId.NotFound")
DependencyViolation = _error("DependencyViolation")
InvalidIDMalformed = _error("InvalidID")
InvalidNetworkInterfaceIDNotFound = _error("InvalidNetworkInterfaceID.NotFound")
InvalidNetworkInterfaceIdMalformed = _error("InvalidNetworkInterfaceId.Malformed")
InvalidIPAddressInUse = _error("InvalidIPAddress.InUse")
InsufficientFreeAddressesInSubnet = _error("InsufficientFreeAddressesInSubnet")
InvalidInstanceIDNotFound = _error("InvalidInstanceID.NotFound")
InvalidInstanceIDMalformed = _error("InvalidInstanceID.Malformed")
InvalidInternetGatewayIDNotFound = _error("InvalidInternetGatewayID.NotFound")
ResourceAlreadyAssociated = _error("Resource.AlreadyAssociated")
GatewayNotAttached = _error("Gateway.NotAttached")
InvalidRouteTableIDNotFound = _error("InvalidRouteTableID.NotFound")
InvalidAssociationIDNotFound = _error("InvalidAssociationID.NotFound")
RouteAlreadyExists = _error("RouteAlreadyExists")
InvalidRouteNotFound = _error("InvalidRoute.NotFound")
InvalidAMIIDNotFound = _error("InvalidAMIID.NotFound")
InvalidAMIIDMalformed = _error("InvalidAMIID.Malformed")
RulesPerSecurityGroupLimitExceeded = _error("RulesPerSecurityGroupLimitExceeded")
VpcLimitExceeded = _error("VpcLimitExceeded")
TagLimitExceeded = _error("TagLimitExceeded")
UnsupportedOperation = _error("UnsupportedOperation")
OperationNotPermitted = _error("OperationNotPermitted")

# PrivateLink (VPC endpoints and endpoint services)
InvalidServiceName = _error("InvalidServiceName")
InvalidVpcEndpointType = _error("InvalidVpcEndpointType")
InvalidVpcEndpointIdNotFound = _error("InvalidVpcEndpointId.NotFound")
InvalidVpcEndpointIdMalformed = _error("InvalidVpcEndpointId.Malformed")
InvalidVpcEndpointNotFound = _error("InvalidVpcEndpoint.NotFound")
InvalidVpcEndpointServiceIdNotFound = _error("InvalidVpcEndpointServiceId.NotFound")
InvalidVpcEndpointServiceIdMalformed = _error("InvalidVpcEndpointServiceId.Malformed")
InvalidVpcEndpointServiceNotFound = _error("InvalidVpcEndpointService.NotFound")
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
LoadBalancerNotFound = _error("LoadBalancerNotFound")
TargetGroupNotFound = _error("TargetGroupNotFound")
ListenerNotFound = _error("ListenerNotFound")
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
InvalidInternetGatewayIDMalformed = _error("InvalidInternetGatewayID.Malformed")
InvalidRouteTableIDMalformed = _error("InvalidRouteTableID.Malformed")
InvalidAssociationIDMalformed = _error("InvalidAssociationID.Malformed")
InvalidGatewayIDNotFound = _error("InvalidGatewayID.NotFound")
NatGatewayNotFound = _error("NatGatewayNotFound")
InvalidVpcPeeringConnectionIDNotFound = _error("InvalidVpcPeeringConnectionID.NotFound")
InvalidTransitGatewayIDNotFound = _error("InvalidTransitGatewayID.NotFound")
InvalidVpnGatewayIDNotFound = _error("InvalidVpnGatewayID.NotFound")
InvalidNetworkAclIDNotFound = _error("InvalidNetworkAclID.NotFound")
InvalidDhcpOptionIDNotFound = _error("InvalidDhcpOptionID.NotFound")
InvalidVolumeNotFound = _error("InvalidVolume.NotFound")
InvalidSnapshotNotFound = _error("InvalidSnapshot.NotFound")
InvalidPrefixListIDNotFound = _error("InvalidPrefixListID.NotFound")
InvalidPrefixListIdMalformed = _error("InvalidPrefixListId.Malformed")
InvalidSecurityGroupRuleIdMalformed = _error("InvalidSecurityGroupRuleId.Malformed")
InstanceLimitExceeded = _error("InstanceLimitExceeded")
MissingInput = _error("MissingInput")
InvalidNetworkInterfaceInUse = _error("InvalidNetworkInterface.InUse")
