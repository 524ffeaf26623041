"""IAM operations: typed calls that decide and write, for handlers and other services."""

from privlink.services.iam.operations.policies import (
    PolicySpec,
    create_policy,
    create_policy_version,
    delete_policy,
    delete_policy_version,
    require_policy,
    set_default_version,
    tag_policy,
    untag_policy,
)
from privlink.services.iam.operations.role_policies import (
    attach_policy,
    delete_inline_policy,
    detach_policy,
    inline_policy,
    put_inline_policy,
)
from privlink.services.iam.operations.roles import (
    RoleSpec,
    create_role,
    delete_role,
    tag_role,
    untag_role,
    update_role,
    update_trust_policy,
)
from privlink.services.iam.operations.service_linked import (
    create_service_linked_role,
    delete_service_linked_role,
    deletion_status,
)

__all__ = [
    "PolicySpec",
    "RoleSpec",
    "attach_policy",
    "create_policy",
    "create_policy_version",
    "create_role",
    "create_service_linked_role",
    "delete_inline_policy",
    "delete_policy",
    "delete_policy_version",
    "delete_role",
    "delete_service_linked_role",
    "deletion_status",
    "detach_policy",
    "inline_policy",
    "put_inline_policy",
    "require_policy",
    "set_default_version",
    "tag_policy",
    "tag_role",
    "untag_policy",
    "untag_role",
    "update_role",
    "update_trust_policy",
]
