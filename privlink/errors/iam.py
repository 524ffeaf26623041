"""Identity and Access Management: error codes, statuses and messages."""

from __future__ import annotations

from privlink.errors.base import _error, _templated

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
