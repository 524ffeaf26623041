"""Read-only queries over ELBv2 records, for handlers and for other subsystems.

Endpoint services and the data plane call these with a UnitOfWork (no
Scope): they work across accounts, because an endpoint service's consumer
is not the load balancer's owner.
"""

from __future__ import annotations

from collections import defaultdict

from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.store.unit import UnitOfWork


def load_balancer_by_arn(uow: UnitOfWork, arn: str) -> LoadBalancer | None:
    return uow.get(LoadBalancer, arn)


def target_group_by_arn(uow: UnitOfWork, arn: str) -> TargetGroup | None:
    return uow.get(TargetGroup, arn)


def nlb_nodes(lb: LoadBalancer) -> list[tuple[str, str, str]]:
    """(availability zone name, subnet id, private IPv4 address) of every node."""
    return [(node.zone_name, node.subnet_id, node.private_ip) for node in lb.nodes]


def listeners_of(uow: UnitOfWork, lb_arn: str) -> list[Listener]:
    """The load balancer's listeners, in creation order."""
    return uow.list(Listener, parent=lb_arn)


def target_group_users(uow: UnitOfWork, account: str, region: str) -> dict[str, list[str]]:
    """Target group ARN -> ARNs of the load balancers whose listeners forward to it."""
    users: dict[str, list[str]] = defaultdict(list)
    for listener in uow.list(Listener, account, region):
        if listener.load_balancer_arn not in users[listener.target_group_arn]:
            users[listener.target_group_arn].append(listener.load_balancer_arn)
    return dict(users)


def load_balancers_of(uow: UnitOfWork, tg: TargetGroup) -> list[str]:
    return target_group_users(uow, tg.account, tg.region).get(tg.id, [])


def cross_zone_enabled(lb: LoadBalancer, tg: TargetGroup) -> bool:
    """The target group's override, else the load balancer's setting (off by default)."""
    inherit = "use_load_balancer_configuration"
    value = tg.attributes.get("load_balancing.cross_zone.enabled", inherit)
    if value == inherit:
        value = lb.attributes.get("load_balancing.cross_zone.enabled", "false")
    return value == "true"
