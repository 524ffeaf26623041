"""PrivateLink: VPC endpoints and endpoint services: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import AwsError, IdMalformed, _not_found, _templated


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
