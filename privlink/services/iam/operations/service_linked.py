"""Service-linked roles: roles AWS services create in a customer's account for themselves.

Each service has one well-known role name, path and permissions policy; only
these calls create or delete one (everything else gets UnmodifiableEntity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.iam.operations.roles import RoleSpec, create_role, trust_policy_for
from privlink.services.iam.queries import global_scope, require_role, role_by_name
from privlink.services.iam.records import Role


@dataclass(frozen=True)
class LinkedService:
    role_name: str
    policy: str  # the AWS managed policy that grants the service its permissions
    description: str = ""


_P = "arn:aws:iam::aws:policy/aws-service-role/"
SERVICES = {
    "airflow.amazonaws.com": LinkedService(
        "AWSServiceRoleForAmazonMWAA", _P + "AmazonMWAAServiceRolePolicy"
    ),
    "elasticloadbalancing.amazonaws.com": LinkedService(
        "AWSServiceRoleForElasticLoadBalancing", _P + "AWSElasticLoadBalancingServiceRolePolicy"
    ),
    "autoscaling.amazonaws.com": LinkedService(
        "AWSServiceRoleForAutoScaling", _P + "AutoScalingServiceRolePolicy"
    ),
    "spot.amazonaws.com": LinkedService(
        "AWSServiceRoleForEC2Spot", _P + "AWSEC2SpotServiceRolePolicy"
    ),
    "ecs.amazonaws.com": LinkedService("AWSServiceRoleForECS", _P + "AmazonECSServiceRolePolicy"),
    "rds.amazonaws.com": LinkedService("AWSServiceRoleForRDS", _P + "AmazonRDSServiceRolePolicy"),
}
_TASK = re.compile(r"^task/aws-service-role/(?P<service>[^/]+)/(?P<role>[^/]+)/[0-9a-f-]{36}$")


def create_service_linked_role(
    scope: Scope, service: str, description: str | None = None, suffix: str | None = None
) -> Role:
    linked = SERVICES.get(service)
    if linked is None:
        raise errors.InvalidInput(f"Unrecognized service principal: {service}.")
    name = linked.role_name + (f"_{suffix}" if suffix else "")
    if role_by_name(scope, name) is not None:
        raise errors.InvalidInput(
            f"Service role name {name} has been taken in this account, please try a different "
            "suffix."
        )
    spec = RoleSpec(
        name=name,
        trust_policy=trust_policy_for(service),
        path=f"/aws-service-role/{service}/",
        description=description if description is not None else linked.description,
    )
    role = create_role(scope, spec, service_linked=True)
    role.attached.append(linked.policy)
    global_scope(scope).put(role)
    return role


def delete_service_linked_role(scope: Scope, name: str) -> str:
    """Delete at once (AWS does it asynchronously) and return the deletion task id."""
    role = require_role(scope, name)
    if not role.service_linked:
        raise errors.InvalidInput(f"Role {role.name} is not a service-linked role.")
    global_scope(scope).delete(role)
    h = scope.hexid(32)
    uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return f"task{role.path}{role.name}/{uuid}"


def deletion_status(scope: Scope, task_id: str) -> str:
    """SUCCEEDED once the role is gone (deletion is immediate here)."""
    match = _TASK.match(task_id)
    if match is None:
        raise errors.InvalidInput(f"DeletionTaskId {task_id} is not valid.")
    return "SUCCEEDED" if role_by_name(scope, match["role"]) is None else "IN_PROGRESS"
