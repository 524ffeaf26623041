"""Which interfaces each flow log captures: the read model the data plane's plan and the
flow-log controller share."""

from __future__ import annotations

from collections import defaultdict

from privlink.services.ec2.flowlogs.records import FlowLog
from privlink.services.ec2.records import NetworkInterface
from privlink.store.unit import UnitOfWork


def logged_interfaces(uow: UnitOfWork) -> dict[str, list[FlowLog]]:
    """Every network interface (of any account) that a flow log names, directly or by its
    subnet or VPC, with those flow logs."""
    flow_logs = uow.list(FlowLog)
    if not flow_logs:
        return {}
    by_resource: dict[str, list[FlowLog]] = defaultdict(list)
    for flow_log in flow_logs:
        by_resource[flow_log.resource_id].append(flow_log)
    found: dict[str, list[FlowLog]] = {}
    for eni in uow.list(NetworkInterface):
        logs = [
            f
            for resource in (eni.id, eni.subnet_id, eni.vpc_id)
            for f in by_resource.get(resource, [])
            if f.account == eni.account
        ]
        if logs:
            found[eni.id] = logs
    return found
