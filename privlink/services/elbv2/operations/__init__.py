"""ELBv2 operations: typed calls that decide and write.

Handlers call them for the API; other services (MWAA's AWS-owned NLBs) and
controllers call them with a Scope of the account they act for, and get the
same validation and errors the API gives.
"""

from privlink.services.elbv2.operations.listeners import (
    Action,
    ListenerChanges,
    NewListener,
    create_listener,
    delete_listener,
    forward,
    modify_listener,
)
from privlink.services.elbv2.operations.load_balancers import (
    NewLoadBalancer,
    SubnetMapping,
    create_load_balancer,
    delete_load_balancer,
    modify_load_balancer_attributes,
)
from privlink.services.elbv2.operations.tags import add_tags, remove_tags
from privlink.services.elbv2.operations.target_groups import (
    HealthCheckSettings,
    NewTargetGroup,
    create_target_group,
    delete_target_group,
    modify_target_group,
    modify_target_group_attributes,
)
from privlink.services.elbv2.operations.targets import (
    Target,
    deregister_targets,
    describe_target_health,
    register_targets,
    set_target_health,
)

__all__ = [
    "Action",
    "ListenerChanges",
    "modify_listener",
    "HealthCheckSettings",
    "NewListener",
    "NewLoadBalancer",
    "NewTargetGroup",
    "SubnetMapping",
    "Target",
    "add_tags",
    "create_listener",
    "create_load_balancer",
    "create_target_group",
    "delete_listener",
    "delete_load_balancer",
    "delete_target_group",
    "deregister_targets",
    "describe_target_health",
    "forward",
    "modify_load_balancer_attributes",
    "modify_target_group",
    "modify_target_group_attributes",
    "register_targets",
    "remove_tags",
    "set_target_health",
]
