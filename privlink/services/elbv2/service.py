"""Elastic Load Balancing v2 as privlink serves it."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.elbv2 import records
from privlink.services.elbv2.handlers import listeners, load_balancers, tags, target_groups, targets


def service() -> Service:
    return Service.from_modules(
        "elbv2",
        [load_balancers, target_groups, targets, listeners, tags],
        records=[records.LoadBalancer, records.TargetGroup, records.Listener],
    )
