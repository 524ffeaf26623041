"""Elastic Load Balancing v2: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import ValidationError, _error, _templated, _variant
from privlink.errors.ec2 import OperationNotPermitted

# Elastic Load Balancing v2

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
