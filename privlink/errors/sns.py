"""Simple Notification Service: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import InvalidParameter, _error, _variant
from privlink.errors.ec2 import TagLimitExceeded

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
