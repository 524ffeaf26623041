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
InvalidNextToken = _error("InvalidNextToken")  # CloudWatch's bad NextToken
DryRunOperation = _error("DryRunOperation", 412)
IdempotentParameterMismatch = _error("IdempotentParameterMismatch")

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


# PrivateLink (VPC endpoints and endpoint services)
class QuotedIdMalformed(IdMalformed):
    """PrivateLink words a malformed id its own way: "Invalid Id: 'x' (expecting 'vpce-...')"."""

    def __init__(self, value: str) -> None:
        self.value = value
        AwsError.__init__(self, f"Invalid Id: '{value}' (expecting '{self.prefix}-...')")


def _quoted_malformed(code: str, prefix: str) -> type[QuotedIdMalformed]:
    name = code.replace(".", "").replace("-", "")
    return type(name, (QuotedIdMalformed,), {"code": code, "prefix": prefix})


InvalidVpcEndpointIdNotFound = _not_found("InvalidVpcEndpointId.NotFound", "Vpc Endpoint Id")
InvalidVpcEndpointIdMalformed = _quoted_malformed("InvalidVpcEndpointId.Malformed", "vpce")
InvalidVpcEndpointNotFound = _not_found("InvalidVpcEndpoint.NotFound", "Vpc Endpoint Id")
InvalidVpcEndpointServiceIdNotFound = _not_found(
    "InvalidVpcEndpointServiceId.NotFound", "Vpc Endpoint Service Id"
)
InvalidVpcEndpointServiceIdMalformed = _quoted_malformed(
    "InvalidVpcEndpointServiceId.Malformed", "vpce-svc"
)
InvalidVpcEndpointServiceNotFound = _not_found(
    "InvalidVpcEndpointService.NotFound", "Vpc Endpoint Service Id"
)
InvalidServiceName = _templated(
    "InvalidServiceName", "The Vpc Endpoint Service '{0}' does not exist"
)
InvalidConnectionNotification = _templated(
    "InvalidConnectionNotification", "The connection notification '{0}' does not exist"
)
InvalidSubnetIdMalformed = _templated(
    "InvalidSubnetId.Malformed",
    "Invalid Subnet Id: '{0}' (expecting 'subnet-...; the Id may only contain lowercase "
    "alphanumeric characters and a single dash')",
)
InvalidNetworkLoadBalancerArnMalformed = _templated(
    "InvalidNetworkLoadBalancerArn.Malformed", "Invalid Network Load Balancer ARN: {0}"
)
InvalidNetworkLoadBalancerArnNotFound = _templated(
    "InvalidNetworkLoadBalancerArn.NotFound", "Network Load Balancer {0} does not exist"
)
InvalidPrincipal = _templated("InvalidPrincipal", "Invalid principal: {0}")
# endpoints: type and parameters
InvalidVpcEndpointType = _templated("InvalidVpcEndpointType", "Invalid VPC endpoint type: {0}")
EndpointTypeNotImplemented = _templated(
    "NotImplemented", "privlink implements Interface and Gateway VPC endpoints, not {0}.", 501
)
EndpointTypeMismatch = _templated(
    "InvalidParameter", "Endpoint type ({0}) does not match available service types ([{1}])."
)
ServiceNameMissing = _templated(
    "MissingParameter", "The request must contain the parameter ServiceName"
)
CrossRegionEndpoint = _templated(
    "InvalidParameter", "privlink does not support cross-Region endpoints (ServiceRegion {0})."
)
SubnetsNeedInterfaceEndpoint = _templated(
    "InvalidParameter",
    "Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.",
)
RouteTablesNeedGatewayEndpoint = _templated(
    "InvalidParameter", "Route table IDs are only supported for Gateway type VPC Endpoint."
)
GroupsNeedInterfaceEndpoint = _templated(
    "InvalidParameter",
    "Security group IDs are only supported for Interface and GatewayLoadBalancer type VPC "
    "Endpoints.",
)
InterfaceEndpointParameter = _templated(
    "InvalidParameter", "{0} is only supported for Interface type VPC Endpoints."
)
ExclusiveParameters = _templated(
    "InvalidParameterCombination", "{0} and {1} cannot be specified together."
)
GatewayEndpointLimitExceeded = _templated(
    "VpcEndpointLimitExceeded",
    "The maximum number of Gateway VPC endpoints in this Region has been reached.",
)
InterfaceEndpointLimitExceeded = _templated(
    "VpcEndpointLimitExceeded",
    "The maximum number of interface VPC endpoints ({0}) for VPC {1} has been reached.",
)
EndpointBeingDeleted = _templated(
    "IncorrectState", "Vpc Endpoint {0} is being deleted and cannot be modified."
)
# endpoints: subnets, addresses, security groups
Ipv6SubnetConfiguration = _templated(
    "InvalidParameter", "IPv6 addresses are not supported: privlink subnets are IPv4-only."
)
SubnetNotInVpc = _templated(
    "InvalidParameter", "The subnet ID '{0}' does not belong to the VPC '{1}'."
)
SubnetNotInEndpoint = _templated(
    "InvalidParameter", "Subnet {0} is not associated with VPC endpoint {1}."
)
DuplicateSubnetsInSameZone = _templated(
    "DuplicateSubnetsInSameZone",
    "Found another VPC endpoint subnet in the availability zone of {0}. VPC endpoint subnets "
    "should be in different availability zones supported by the VPC endpoint service.",
)
ZoneNotOffered = _templated(
    "InvalidParameter",
    "The VPC endpoint service {0} does not support the availability zone of the subnet: {1}.",
)
SecurityGroupsPerInterfaceLimitExceeded = _templated(
    "SecurityGroupsPerInterfaceLimitExceeded",
    "The maximum number of security groups per interface ({0}) has been reached.",
)
EndpointNeedsSecurityGroup = _templated(
    "InvalidParameter", "VPC endpoint {0} must have at least one security group."
)
InvalidIpAddressType = _templated("InvalidParameter", "Invalid IP address type {0}.")
IpAddressTypeNeedsIpv6 = _templated(
    "InvalidParameter",
    "IP address type {0} requires subnets with IPv6 CIDR blocks; the endpoint's subnets are "
    "IPv4-only.",
)
InvalidDnsRecordIpType = _templated("InvalidParameter", "Invalid DNS record IP type {0}.")
DnsRecordIpTypeMismatch = _templated(
    "InvalidParameter", "DNS record IP type {0} is not valid for IP address type {1}."
)
# endpoints: policy documents
PolicyTooLong = _templated(
    "InvalidPolicyDocument", "Policy document exceeds the maximum length of {0} characters."
)
PolicyNotJson = _templated("InvalidPolicyDocument", "Policy document is not valid JSON.")
PolicyWithoutStatement = _templated(
    "InvalidPolicyDocument", "Policy document must contain at least one Statement."
)
PolicyStatementWithoutPrincipal = _templated(
    "InvalidPolicyDocument", "Policy document statements must contain a Principal."
)
# endpoints: private DNS
InboundResolverUnsupported = _templated(
    "InvalidParameter", "PrivateDnsOnlyForInboundResolverEndpoint not supported for this service."
)
InboundResolverNeedsPrivateDns = _templated(
    "InvalidParameter",
    "PrivateDnsOnlyForInboundResolverEndpoint requires private DNS to be enabled.",
)
InboundResolverNeedsGateway = _templated(
    "InvalidParameter",
    "To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC {0} must have a Gateway "
    "endpoint for the service.",
)
PrivateDnsNeedsVpcDns = _templated(
    "InvalidParameter",
    "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC "
    "attributes set to true for {0}",
)
PrivateDnsUnavailable = _templated(
    "InvalidParameter",
    "Private DNS can't be enabled because the service {0} does not provide a private DNS name.",
)
PrivateDnsUnverified = _templated(
    "InvalidParameter",
    "Private DNS can't be enabled because the private DNS name of the service {0} is not "
    "verified.",
)
PrivateDnsConflict = _templated(
    "InvalidParameter",
    "private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
    "{0} in the VPC {1}",
)
# endpoint services
GatewayLoadBalancerServicesNotImplemented = _templated(
    "NotImplemented",
    "privlink does not implement Gateway Load Balancer endpoint services; use "
    "NetworkLoadBalancerArns.",
    501,
)
LoadBalancerRequired = _templated(
    "InvalidParameter",
    "Exactly one of NetworkLoadBalancerArns or GatewayLoadBalancerArns is required.",
)
LoadBalancerNeeded = _templated(
    "InvalidParameter", "An endpoint service needs at least one load balancer."
)
LoadBalancerInOtherService = _templated(
    "InvalidParameter",
    "Load balancer {0} is already associated with another VPC endpoint service ({1}).",
)
LoadBalancerNotInService = _templated(
    "InvalidParameter", "Load balancer {0} is not associated with service {1}."
)
IpAddressTypeRequired = _templated(
    "InvalidParameter", "At least one supported IP address type is required."
)
InvalidSupportedIpAddressType = _templated(
    "InvalidParameter", "Invalid supported IP address type {0}. Valid types are ipv4, ipv6."
)
LoadBalancerNotDualstack = _templated(
    "InvalidParameter", "Load balancer {0} must be dualstack to support IPv6."
)
InvalidPrivateDnsName = _templated("InvalidParameter", "Invalid private DNS name: {0}")
InvalidSupportedRegion = _templated("InvalidParameter", "Invalid supported Region: {0}")
HostRegionRequired = _templated("InvalidParameter", "The host Region {0} cannot be removed.")
NoPrivateDnsName = _templated(
    "InvalidParameter", "Service {0} does not have a private DNS name to verify."
)
ServiceHasConnections = _templated(
    "ExistingVpcEndpointConnections", "Service {0} has existing active VPC Endpoint connections!"
)
LoadBalancersInUse = _templated(
    "ExistingVpcEndpointConnections",
    "Service {0} has existing active VPC Endpoint connections; load balancers cannot be removed.",
)
ConnectionInWrongState = _templated("InvalidState", "Vpc Endpoint {0} cannot be {1} in state {2}")
# connection notifications
InvalidTopicArn = _templated("InvalidParameter", "Invalid SNS topic ARN: {0}")
ConnectionEventsRequired = _templated(
    "InvalidParameter", "ConnectionEvents must contain at least one event."
)
InvalidConnectionEvent = _templated(
    "InvalidParameter", "Invalid connection event {0}. Valid events are: {1}"
)
NotificationTargetRequired = _templated(
    "InvalidParameter", "Specify exactly one of ServiceId or VpcEndpointId."
)
NotificationNeedsInterfaceEndpoint = _templated(
    "InvalidParameter", "Connection notifications are supported for interface endpoints only."
)
# operations privlink does not emulate
EndpointAssociationsNotImplemented = _templated(
    "NotImplemented",
    "privlink does not implement DescribeVpcEndpointAssociations: it lists associations of "
    "Resource and ServiceNetwork (VPC Lattice) endpoints, which privlink does not emulate.",
    501,
)
PayerResponsibilityNotImplemented = _templated(
    "NotImplemented",
    "privlink does not implement ModifyVpcEndpointServicePayerResponsibility: there is no "
    "billing to shift; the provider always pays (PayerResponsibility is ServiceOwner).",
    501,
)


# Elastic Load Balancing v2
def _variant(base: type[AwsError], template: str) -> type[Templated]:
    """One wording of `base`'s error (same code and status; `except base` still catches it)."""
    return type(base.__name__, (Templated, base), {"template": template})


InvalidTarget = _error("InvalidTarget")
InvalidConfigurationRequest = _error("InvalidConfigurationRequest")
ResourceInUse = _error("ResourceInUse")
InvalidLoadBalancerAction = _error("InvalidLoadBalancerAction")
LoadBalancerNotFound = _templated("LoadBalancerNotFound", "Load balancer '{0}' not found")
LoadBalancersNotFound = _templated("LoadBalancerNotFound", "Load balancers '{0}' not found")
TargetGroupNotFound = _templated("TargetGroupNotFound", "Target group '{0}' not found")
TargetGroupsNotFound = _templated("TargetGroupNotFound", "Target groups '{0}' not found")
ListenerNotFound = _templated("ListenerNotFound", "Listener '{0}' not found")
ListenersNotFound = _templated("ListenerNotFound", "Listeners '{0}' not found")
DuplicateLoadBalancerName = _templated(
    "DuplicateLoadBalancerName",
    "A load balancer with the same name '{0}' exists, but with different settings",
)
DuplicateTargetGroupName = _templated(
    "DuplicateTargetGroupName",
    "A target group with the same name '{0}' exists, but with different settings",
)
DuplicateListener = _templated(
    "DuplicateListener", "A listener already exists on this port for this load balancer"
)
DuplicateTagKeys = _templated("DuplicateTagKeys", "Tag key '{0}' was specified more than once")
TooManyTags = _templated(
    "TooManyTags",
    "The quota for the number of tags that can be assigned to a resource (50) has been reached",
)
ElbTagKeyInvalid = _variant(
    ValidationError,
    "Tag key '{0}' is not valid: keys have 1-128 characters and may not begin with 'aws:'",
)
ElbTagValueTooLong = _variant(ValidationError, "Tag value for key '{0}' exceeds 256 characters")
ElbTooManyResources = _variant(
    ValidationError, "A maximum of {0} resources can be described or tagged at once"
)
ElbArnInvalid = _variant(ValidationError, "'{0}' is not a valid {1} ARN")
# Another account's resource: IAM refuses it before ELB looks (ELB has no resource policies).
ElbAccessDenied = _templated(
    "AccessDenied",
    "User: arn:aws:iam::{0}:root is not authorized to perform: elasticloadbalancing:{1} on "
    "resource: {2} because no resource-based policy allows the elasticloadbalancing:{1} action",
    403,
)
ElbNameInvalid = _variant(
    ValidationError,
    "{0} name '{1}' is not valid: it must have 1-32 alphanumeric characters or hyphens, and "
    "must not begin or end with a hyphen",
)
ElbValueOutOfRange = _variant(
    ValidationError,
    "1 validation error detected: Value '{0}' at '{1}' failed to satisfy constraint: Member "
    "must have value between {2} and {3}",
)
ElbMarkerInvalid = _variant(ValidationError, "Invalid Marker '{0}'")
ElbAttributeKeyUnknown = _variant(ValidationError, "{0} attribute key '{1}' is not recognized")
ElbAttributeValueInvalid = _variant(
    ValidationError, "{0} attribute value '{1}' is not valid for key '{2}'"
)
ElbAttributeNotForNetwork = _variant(
    InvalidConfigurationRequest,
    "{0} attribute key '{1}' is not supported on network load balancers",
)
ElbAttributeNotForType = _variant(
    InvalidConfigurationRequest, "{0} attribute key '{1}' is not supported on {2} load balancers"
)
StickinessTypeUnsupported = _variant(
    InvalidConfigurationRequest,
    "Stickiness type '{0}' is not supported for target groups with the {1} protocol",
)
ProxyProtocolUnsupported = _variant(
    InvalidConfigurationRequest,
    "Proxy protocol v2 is not supported for target groups with the {0} protocol",
)
ClientIpPreservationRequired = _variant(
    InvalidConfigurationRequest,
    "Client IP preservation cannot be disabled for target groups with the {0} protocol",
)
# load balancers
LoadBalancerNameReserved = _variant(
    ValidationError, "Load balancer names cannot start with 'internal-'"
)
LoadBalancerTypeUnsupported = _variant(
    InvalidConfigurationRequest,
    "privlink implements application and network load balancers, not type '{0}'",
)
ElbIpAddressTypeUnsupported = _variant(
    InvalidConfigurationRequest, "privlink supports the ipv4 address type only, not '{0}'"
)
SubnetsAndSubnetMappings = _variant(
    ValidationError, "You can specify subnets or subnet mappings, not both"
)
SubnetRequired = _variant(ValidationError, "At least one subnet must be specified")
AlbSubnetsInTwoZones = _variant(
    ValidationError, "At least two subnets in two different Availability Zones must be specified"
)
SubnetNotFound = _templated("SubnetNotFound", "The subnet ID '{0}' is not valid")
ElasticIpUnsupported = _variant(
    InvalidConfigurationRequest,
    "privlink does not model Elastic IP addresses: SubnetMappings.AllocationId is not supported",
)
SubnetsInSeveralVpcs = _variant(
    InvalidConfigurationRequest, "The subnets must all belong to the same VPC"
)
SubnetsInSameZone = _variant(
    InvalidConfigurationRequest,
    "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
)
InvalidSecurityGroup = _templated(
    "InvalidSecurityGroup", "Security group '{0}' does not exist in VPC '{1}'"
)
InvalidSubnet = _templated("InvalidSubnet", "VPC {0} has no internet gateway")
NamesAndArnsTogether = _variant(
    ValidationError,
    "Load balancer names and load balancer ARNs cannot be specified at the same time",
)
DeletionProtected = _variant(
    OperationNotPermitted,
    "Load balancer '{0}' cannot be deleted because deletion protection is enabled",
)
LoadBalancerInUse = _variant(
    ResourceInUse,
    "Load balancer '{0}' cannot be deleted because it is currently associated with another "
    "service",
)
# target groups and health checks
TargetTypeUnsupported = _variant(
    InvalidConfigurationRequest, "privlink supports target types instance and ip, not '{0}'"
)
TargetGroupSettingRequired = _variant(
    ValidationError, "{0} must be specified for target groups with target type '{1}'"
)
TargetGroupProtocolUnsupported = _variant(
    InvalidConfigurationRequest,
    "privlink implements target groups with protocols HTTP, HTTPS, TCP, UDP, TCP_UDP and TLS, "
    "not '{0}'",
)
TargetGroupIpv6Unsupported = _variant(
    InvalidConfigurationRequest, "privlink supports ipv4 target groups only"
)
TargetGroupVpcNotFound = _variant(ValidationError, "The VPC ID '{0}' is not found")
TargetGroupInUse = _variant(ResourceInUse, "Target group '{0}' is currently in use by a listener")
HealthCheckProtocolUnsupported = _variant(
    InvalidConfigurationRequest,
    "Health check protocol '{0}' is not supported for network load balancer target groups",
)
HealthCheckRequired = _variant(
    InvalidConfigurationRequest,
    "Health checks cannot be disabled for target groups with target type '{0}'",
)
HealthCheckPortInvalid = _variant(ValidationError, "Health check port '{0}' is not valid")
HealthCheckHttpOnly = _variant(
    InvalidConfigurationRequest,
    "Health check path and matcher are not supported for {0} health checks",
)
HealthCheckPathInvalid = _variant(ValidationError, "Health check path '{0}' must begin with '/'")
HealthCheckMatcherInvalid = _variant(
    ValidationError, "Health check matcher HTTP code '{0}' is not valid"
)
HealthCheckMatcherRange = _variant(
    ValidationError, "Health check matcher HTTP code '{0}' must be within '{1}' inclusive"
)
HealthCheckProtocolForHttp = _variant(
    InvalidConfigurationRequest,
    "Health check protocol '{0}' is not supported for target groups with the {1} protocol",
)
HealthCheckTimeoutTooLong = _variant(
    InvalidConfigurationRequest,
    "Health check timeout '{0}' must be smaller than the interval '{1}'",
)
# targets
TargetNotAnInstance = _variant(
    InvalidTarget, "The following targets are not valid instances: '{0}'"
)
TargetOutsideVpc = _variant(
    InvalidTarget, "The following targets are not in the target group VPC '{0}': '{1}'"
)
TargetNotRunning = _variant(
    InvalidTarget,
    "The following targets are not in a running state and cannot be registered: '{0}'",
)
TargetIpInvalid = _variant(InvalidTarget, "The IP address '{0}' is not a valid IPv4 address")
TargetIpOutsideVpc = _variant(
    InvalidTarget,
    "The IP address '{0}' is not within the CIDR of the target group VPC '{1}'",
)
TargetIpZoneMismatch = _variant(
    InvalidTarget, "The IP address '{0}' is in Availability Zone '{1}', not '{2}'"
)
TargetUnknown = _variant(InvalidTarget, "The following targets are not valid: '{0}'")
TargetPortInvalid = _variant(ValidationError, "Target port '{0}' is not between 1 and 65535")
# listeners
ListenerProtocolAndPortRequired = _variant(
    ValidationError, "A listener protocol and port must be specified for network load balancers"
)
ListenerProtocolInvalid = _variant(ValidationError, "Listener protocol '{0}' must be one of '{1}'")
ListenerPortInvalid = _variant(ValidationError, "Listener port '{0}' is not between 1 and 65535")
ListenerSelectorRequired = _variant(
    ValidationError, "You must specify either listener ARNs or a load balancer ARN"
)
TlsSettingsNotTls = _variant(
    InvalidConfigurationRequest,
    "Certificates and SSL policies are only supported for TLS listeners, not {0}",
)
CertificateRequired = _variant(ValidationError, "A certificate must be specified for TLS listeners")
DefaultActionRequired = _variant(ValidationError, "A default action must be specified")
TooManyActions = _templated(
    "TooManyActions", "A listener of a network load balancer can have only one default action"
)
ActionTypeInvalid = _variant(
    InvalidLoadBalancerAction,
    "The action type '{0}' is not valid with a network load balancer",
)
ForwardTargetGroupCount = _variant(
    InvalidLoadBalancerAction,
    "A forward action of a network load balancer must name exactly one target group",
)
TargetGroupVpcMismatch = _variant(
    InvalidConfigurationRequest,
    "Target group '{0}' is in VPC '{1}', not in the load balancer's VPC '{2}'",
)
IncompatibleProtocols = _templated(
    "IncompatibleProtocols",
    "The listener protocol '{0}' is incompatible with target group protocol '{1}'",
)
# application load balancers and certificates
CertificateNotFound = _templated("CertificateNotFound", "Certificate '{0}' not found")
SSLPolicyNotFound = _templated("SSLPolicyNotFound", "SSL policy '{0}' not found")
CertificateRequiredFor = _variant(
    ValidationError, "A certificate must be specified for {0} listeners"
)
CertificateNotAllowed = _variant(
    ValidationError, "A certificate cannot be specified for {0} listeners"
)
SslPolicyNotAllowed = _variant(
    ValidationError, "An SSL policy cannot be specified for {0} listeners"
)
OneDefaultCertificate = _variant(
    ValidationError,
    "Only one certificate can be specified when creating or modifying a listener; add more "
    "with AddListenerCertificates",
)
AlbTooManyActions = _templated(
    "TooManyActions",
    "A listener's default actions must end in exactly one action of type forward, redirect "
    "or fixed-response",
)
AlbActionTypeInvalid = _variant(
    InvalidLoadBalancerAction,
    "privlink implements default actions of type forward, redirect and fixed-response, not "
    "'{0}'",
)
ActionConfigRequired = _variant(
    ValidationError, "A {0} configuration must be specified for {1} actions"
)
ActionConfigPattern = _variant(
    ValidationError,
    "1 validation error detected: Value '{0}' at '{1}' failed to satisfy constraint: Member "
    "must satisfy regular expression pattern: {2}",
)
RedirectLoop = _variant(
    InvalidLoadBalancerAction,
    "The redirect configuration is not valid: it must change at least one of protocol, "
    "host, port, path or query, or it redirects to itself",
)
TargetGroupAssociationLimit = _templated(
    "TargetGroupAssociationLimit",
    "The following target groups cannot be associated with more than one load balancer: '{0}'",
)

# Simple Notification Service
NotFound = _error("NotFound", 404)
ResourceNotFound = _error("ResourceNotFound", 404)
AuthorizationError = _error("AuthorizationError", 403)
ParameterValueInvalid = _error("ParameterValueInvalid")
SnsInvalidParameter = _variant(InvalidParameter, "Invalid parameter: {0}")
SnsInvalidParameterReason = _variant(InvalidParameter, "Invalid parameter: {0} Reason: {1}")
SnsDuplicateTagKeys = _variant(
    InvalidParameter, "Invalid parameter: Duplicated keys are not allowed."
)
SnsInvalidTag = _variant(InvalidParameter, "Invalid parameter: Tags Reason: Invalid tag '{0}'")
SnsTagLimitExceeded = _variant(
    TagLimitExceeded, "Could not complete request: tag quota of per resource exceeded"
)
SnsInvalidToken = _variant(InvalidParameter, "Invalid token")
TopicNotFound = _variant(NotFound, "Topic does not exist")
SubscriptionNotFound = _variant(NotFound, "Subscription does not exist")
SnsResourceNotFound = _variant(ResourceNotFound, "Resource does not exist")
NotAuthorizedByTopicPolicy = _variant(
    AuthorizationError,
    "User: arn:aws:iam::{0}:root is not authorized to perform: SNS:{1} on resource: {2} "
    "because no resource-based policy allows the SNS:{1} action",
)
NotAuthorizedToTag = _variant(
    AuthorizationError,
    "User: arn:aws:iam::{0}:root is not authorized to tag or read the tags of {1}",
)
NotAuthorizedToUnsubscribe = _variant(
    AuthorizationError,
    "User: arn:aws:iam::{0}:root is not authorized to perform: SNS:Unsubscribe on resource: {1}",
)
NotAuthorizedForSubscription = _variant(
    AuthorizationError, "User: arn:aws:iam::{0}:root is not authorized to access subscription {1}"
)
TooManyMessageAttributes = _variant(
    InvalidParameter,
    "Number of message attributes [{0}] exceeds the allowed maximum [{1}].",
)
MessageAttributeNameInvalid = _variant(
    ParameterValueInvalid, "The message attribute name '{0}' is invalid"
)
MessageAttributeTypeInvalid = _variant(
    ParameterValueInvalid,
    "The message attribute '{0}' has an invalid message attribute type, the set of supported "
    "type prefixes is Binary, Number, and String.",
)
MessageAttributeValueEmpty = _variant(
    ParameterValueInvalid,
    "The message attribute '{0}' must contain non-empty message attribute value for message "
    "attribute type '{1}'.",
)
MessageAttributeNotNumber = _variant(
    ParameterValueInvalid, "Could not cast message attribute '{0}' value to number."
)
MessageAttributeArrayInvalid = _variant(
    ParameterValueInvalid,
    "The message attribute '{0}' with type 'String.Array' has an invalid value",
)

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


# Identity and Access Management (IAM)
NoSuchRole = _templated("NoSuchEntity", "The role with name {0} cannot be found.", 404)
NoSuchRolePolicy = _templated("NoSuchEntity", "The role policy with name {0} cannot be found.", 404)
NoSuchPolicy = _templated("NoSuchEntity", "Policy {0} does not exist or is not attachable.", 404)
NoSuchPolicyVersion = _templated(
    "NoSuchEntity", "Policy {0} version {1} does not exist or is not attachable.", 404
)
NoSuchAttachedPolicy = _templated("NoSuchEntity", "Policy {0} was not found.", 404)
RoleAlreadyExists = _templated("EntityAlreadyExists", "Role with name {0} already exists.", 409)
PolicyAlreadyExists = _templated(
    "EntityAlreadyExists",
    "A policy called {0} already exists. Duplicate names are not allowed.",
    409,
)
MalformedPolicyDocument = _error("MalformedPolicyDocument")
DeleteConflict = _error("DeleteConflict", 409)
LimitExceeded = _error("LimitExceeded", 409)
InvalidInput = _error("InvalidInput")
UnmodifiableEntity = _templated(
    "UnmodifiableEntity",
    "Cannot perform the operation on the protected role '{0}' - this role is only modifiable "
    "by AWS",
)
# IAM's AccessDenied (S3's own, with its fixed message, is AccessDenied below)
IamAccessDenied = _error("AccessDenied", 403)

# CloudWatch Logs (json protocol: the code travels as __type)
LogGroupNotFound = _templated(
    "ResourceNotFoundException", "The specified log group does not exist."
)
LogStreamNotFound = _templated(
    "ResourceNotFoundException", "The specified log stream does not exist."
)
LogGroupAlreadyExists = _templated(
    "ResourceAlreadyExistsException", "The specified log group already exists"
)
LogStreamAlreadyExists = _templated(
    "ResourceAlreadyExistsException", "The specified log stream already exists"
)
LogsResourceNotFound = _error("ResourceNotFoundException")
LogsLimitExceeded = _error("LimitExceededException")
LogsInvalidParameter = _error("InvalidParameterException")


# Amazon S3: fixed messages per code; the resource an error names is an extra element
# of S3's XML error body (<BucketName>, <Key>, <UploadId>, <VersionId>).
class S3Error(AwsError):
    """An S3 error: the message is the code's own, the argument the element it names."""

    text: ClassVar[str] = ""
    element: ClassVar[str] = ""

    def __init__(self, value: str = "") -> None:
        super().__init__(self.text)
        self.details: dict[str, str] = {self.element: value} if self.element and value else {}

    @classmethod
    def because(cls, message: str) -> Self:
        error = super().because(message)
        error.details = {}
        return error


def _s3(code: str, status: int, text: str, element: str = "") -> type[S3Error]:
    attrs = {"code": code, "status": status, "text": text, "element": element}
    return type(code, (S3Error,), attrs)


NoSuchBucket = _s3("NoSuchBucket", 404, "The specified bucket does not exist", "BucketName")
NoSuchKey = _s3("NoSuchKey", 404, "The specified key does not exist.", "Key")
NoSuchVersion = _s3("NoSuchVersion", 404, "The specified version does not exist.", "VersionId")
NoSuchUpload = _s3(
    "NoSuchUpload",
    404,
    "The specified upload does not exist. The upload ID may be invalid, or the upload may "
    "have been aborted or completed.",
    "UploadId",
)
BucketAlreadyExists = _s3(
    "BucketAlreadyExists",
    409,
    "The requested bucket name is not available. The bucket namespace is shared by all users "
    "of the system. Please select a different name and try again.",
    "BucketName",
)
BucketAlreadyOwnedByYou = _s3(
    "BucketAlreadyOwnedByYou",
    409,
    "Your previous request to create the named bucket succeeded and you already own it.",
    "BucketName",
)
BucketNotEmpty = _s3(
    "BucketNotEmpty", 409, "The bucket you tried to delete is not empty", "BucketName"
)
InvalidBucketName = _s3(
    "InvalidBucketName", 400, "The specified bucket is not valid.", "BucketName"
)
InvalidPart = _s3(
    "InvalidPart",
    400,
    "One or more of the specified parts could not be found.  The part may not have been "
    "uploaded, or the specified entity tag may not match the part's entity tag.",
    "PartNumber",
)
InvalidPartOrder = _s3(
    "InvalidPartOrder",
    400,
    "The list of parts was not in ascending order. Parts must be ordered by part number.",
)
EntityTooSmall = _s3(
    "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."
)
NoSuchPublicAccessBlockConfiguration = _s3(
    "NoSuchPublicAccessBlockConfiguration",
    404,
    "The public access block configuration was not found",
    "BucketName",
)
NoSuchBucketPolicy = _s3(
    "NoSuchBucketPolicy", 404, "The bucket policy does not exist", "BucketName"
)
MalformedPolicy = _s3(
    "MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"
)
MalformedXML = _s3(
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)
InvalidArgument = _s3("InvalidArgument", 400, "Invalid Argument")
InvalidRequest = _s3("InvalidRequest", 400, "Invalid Request")
InvalidRange = _s3("InvalidRange", 416, "The requested range is not satisfiable", "RangeRequested")
BadDigest = _s3("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
InvalidDigest = _s3("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
IncompleteBody = _s3(
    "IncompleteBody",
    400,
    "You did not provide the number of bytes specified by the Content-Length HTTP header",
)
AccessDenied = _s3("AccessDenied", 403, "Access Denied")
MethodNotAllowed = _s3(
    "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
)
IllegalLocationConstraintException = _s3(
    "IllegalLocationConstraintException",
    400,
    "The unspecified location constraint is incompatible for the region specific endpoint "
    "this request was sent to.",
)
InvalidLocationConstraint = _s3(
    "InvalidLocationConstraint", 400, "The specified location-constraint is not valid"
)

# AWS Certificate Manager (json protocol: the code travels as __type)
AcmCertificateNotFound = _templated(
    "ResourceNotFoundException", "Could not find certificate with arn {0}"
)
AcmInvalidArn = _templated("InvalidArnException", "String '{0}' is not a valid ARN.")
AcmValidation = _error("ValidationException")
AcmInvalidParameter = _error("InvalidParameterException")
AcmInvalidArgs = _error("InvalidArgsException")
AcmCertificateInUse = _templated(
    "ResourceInUseException", "Certificate {0} in account {1} is in use by {2}."
)
AcmRequestInProgress = _templated(
    "RequestInProgressException", "Certificate {0} is in {1} status and has not been issued."
)
AcmLimitExceeded = _templated(
    "LimitExceededException",
    "You have reached the maximum number of certificates. Delete certificates that are not in "
    "use, or contact AWS Support to request an increase.",
)
AcmInvalidTag = _templated(
    "InvalidTagException",
    "Tag key '{0}' is not valid: keys have 1-128 characters and may not begin with 'aws:'",
)
AcmInvalidTagValue = _templated(
    "InvalidTagException", "Tag value for key '{0}' exceeds 256 characters"
)
AcmTooManyTags = _templated(
    "TooManyTagsException", "A certificate can have at most 50 tags; this would give it {0}"
)
AcmConstraint = _variant(
    AcmValidation,
    "1 validation error detected: Value at '{0}' failed to satisfy constraint: Member must {1}",
)
# ImportCertificate's checks of the material (ACM's wording, from its troubleshooting guide)
CertificateUnparseable = _variant(
    AcmValidation, "Unable to parse certificate. Please ensure the certificate is in PEM format."
)
CertificateNotSingle = _variant(
    AcmValidation,
    "The certificate field contains more than one certificate. You can specify only one "
    "certificate in this field.",
)
CertificateChainUnparseable = _variant(
    AcmValidation,
    "Unable to parse certificate chain. Please ensure the chain is in PEM format.",
)
CertificateChainMismatch = _variant(
    AcmValidation, "Could not validate the certificate with the certificate chain."
)
PrivateKeyUnparseable = _variant(
    AcmValidation, "Unable to parse the private key. Please ensure the key is in PEM format."
)
PrivateKeyEncrypted = _variant(AcmValidation, "Your private key should not be encrypted.")
PrivateKeyUnsupported = _variant(AcmValidation, "The private key is not supported.")
PrivateKeyLengthUnsupported = _variant(
    AcmValidation, "The private key length {0} is not supported for key algorithm {1}."
)
PrivateKeyMismatch = _variant(
    AcmValidation, "The private key does not match the public key in the certificate."
)
CertificateNotYetValid = _variant(
    AcmValidation, "The certificate is not valid yet: its NotBefore is {0}."
)
CertificateExpired = _variant(AcmValidation, "The certificate expired at {0}.")
CertificateWithoutIssuer = _variant(AcmValidation, "The certificate's Issuer field is empty.")
CertificateNotVersion3 = _variant(
    AcmValidation, "Only X.509 version 3 certificates can be imported."
)
CertificateWithoutDomain = _variant(
    AcmValidation, "The certificate must contain at least one domain name or IP address."
)
# re-import (ImportCertificate with CertificateArn)
NotAnImportedCertificate = _variant(
    AcmValidation, "The certificate ARN {0} is not an imported certificate ARN."
)
ReimportWithTags = _variant(AcmValidation, "You cannot apply tags when reimporting a certificate.")
ReimportKeyChanged = _variant(
    AcmValidation,
    "The key algorithm of a reimported certificate must stay {0}; the new certificate has {1}.",
)
ReimportUsageRemoved = _variant(
    AcmValidation, "A reimported certificate cannot remove the {0} extension value {1}."
)
# RequestCertificate / ExportCertificate
KeyAlgorithmNotForPublic = _variant(
    AcmInvalidParameter, "Key algorithm {0} is not supported for public certificates."
)
ValidationMethodUnsupported = _variant(
    AcmInvalidParameter,
    "Validation method {0} is available only for certificates managed by CloudFront.",
)
InvalidDomainValidationOptions = _templated(
    "InvalidDomainValidationOptionsException", "The domain {0} is not one of the requested names."
)
CommonNameTooLong = _variant(
    AcmInvalidParameter,
    "The first domain name can be no longer than 64 characters: {0} has {1}.",
)
CertificateNotExportable = _variant(
    AcmValidation, "Certificate ARN: {0} is not a private certificate and Export is not ENABLED."
)


# Amazon MWAA (rest-json: the code travels in x-amzn-ErrorType; `details` join the body)
MwaaValidation = ValidationException
MwaaEnvironmentNotFound = _templated(
    "ResourceNotFoundException", "Environment {0} does not exist.", 404
)
MwaaResourceNotFound = _error("ResourceNotFoundException", 404)
MwaaAccessDenied = _error("AccessDeniedException", 403)
MwaaInternal = _error("InternalServerException", 500, sender=False)
MwaaEnvironmentExists = _variant(
    ValidationException, "Invalid request provided: Environment {0} already exists."
)
MwaaRoleNotAssumable = _variant(
    ValidationException,
    "Failed to assume role {0}. This could be due to the role's trust policy. Please ensure "
    "your role is assumable by 'airflow-env.amazonaws.com' Service Principal and try again.",
)
MwaaBucketPublic = _variant(
    ValidationException,
    "Invalid request provided: Provided bucket does not have BlockPublicAccess set for s3 "
    "bucket {0}.",
)
MwaaBucketMissing = _variant(
    ValidationException, "Invalid request provided: Unable to access s3 bucket {0}."
)
MwaaSubnetMissing = _variant(
    ValidationException, "Invalid request provided: The subnet {0} does not exist."
)
MwaaSubnetsOneZone = _variant(
    ValidationException,
    "Invalid request provided: The provided subnets must be in different Availability Zones.",
)
MwaaSubnetsTwoVpcs = _variant(
    ValidationException, "Invalid request provided: The provided subnets must be in the same VPC."
)
MwaaSharedVpc = _variant(
    ValidationException,
    "Invalid request provided: VPC {0} is not owned by this account; a shared VPC needs "
    "EndpointManagement CUSTOMER.",
)
MwaaGroupOutsideVpc = _variant(
    ValidationException,
    "Invalid request provided: The security group {0} does not belong to VPC {1}.",
)
MwaaQuota = _variant(
    ValidationException,
    "Invalid request provided: You have reached the limit of {0} environments in this Region.",
)
MwaaWrongStatus = _variant(
    ValidationException, "Invalid request provided: Environment {0} is in status {1}."
)
MwaaObjectVersionMissing = _variant(
    ValidationException, "Invalid request provided: {0} requires {1}."
)
RestApiClientException = _error("RestApiClientException")
RestApiServerException = _error("RestApiServerException")

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
