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
InvalidQueryParameter = _error("InvalidQueryParameter")
MalformedQueryString = _error("MalformedQueryString", 404)
RequestEntityTooLarge = _error("RequestEntityTooLarge", 413)
SerializationException = _error("SerializationException")
ValidationError = _error("ValidationError")
ValidationException = _error("ValidationException")
InvalidClientTokenId = _error("InvalidClientTokenId", 403)
SignatureDoesNotMatch = _error("SignatureDoesNotMatch", 403)
AuthFailure = _error("AuthFailure", 401)
UnknownOperationException = _error("UnknownOperationException")
InvalidPaginationToken = _error("InvalidPaginationToken")
InvalidNextToken = _error("InvalidNextToken")
InvalidFilter = _error("InvalidFilter")
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
InvalidAvailabilityZone = _error("InvalidAvailabilityZone")
InvalidZoneNotFound = _error("InvalidZone.NotFound")
InvalidRegionNotFound = _error("InvalidRegion.NotFound")
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
InvalidInstanceType = _error("InvalidInstanceType")
RulesPerSecurityGroupLimitExceeded = _error("RulesPerSecurityGroupLimitExceeded")
SecurityGroupLimitExceeded = _error("SecurityGroupLimitExceeded")
VpcLimitExceeded = _error("VpcLimitExceeded")
InvalidTagKeyValue = _error("InvalidTagKey.Malformed")
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
