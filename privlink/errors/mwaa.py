"""Amazon MWAA: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import ValidationException, _error, _templated, _variant

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
