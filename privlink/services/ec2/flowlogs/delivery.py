"""Publishing flow log records to CloudWatch Logs, as the flow logs service does on AWS.

The records come from real traffic the data plane counted (privlink.dataplane.flows); the
controller aggregates them over each flow log's interval and hands one window here. One
log stream per network interface, named by its id; the group is created when missing
(the delivery role may create it, as AWS's does). Delivery needs the role of
DeliverLogsPermissionArn to exist and trust vpc-flow-logs.amazonaws.com; otherwise the
flow log shows DeliverLogsStatus FAILED ("Access error") and nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from privlink.api import Scope
from privlink.dataplane.flows import FlowCount
from privlink.services.ec2.flowlogs import format
from privlink.services.ec2.flowlogs.records import FlowLog
from privlink.services.ec2.records import NetworkInterface
from privlink.services.iam.queries import role_by_arn, trusts
from privlink.services.logs.operations.events import LogEvent, put_log_events
from privlink.services.logs.operations.groups import create_log_group
from privlink.services.logs.queries import group_by_name

PRINCIPAL = "vpc-flow-logs.amazonaws.com"
ACCESS_ERROR = "Access error"


def deliver(scope: Scope, flow_log: FlowLog, counts: Sequence[FlowCount]) -> None:
    """Write one aggregation window of a flow log (`scope`: the flow log's own)."""
    if not _may_deliver(scope, flow_log):
        return
    wanted = [c for c in counts if flow_log.traffic_type in ("ALL", c.action)]
    if not wanted:
        return
    if group_by_name(scope, flow_log.log_group_name) is None:
        create_log_group(scope, flow_log.log_group_name)
    by_eni: dict[str, list[FlowCount]] = defaultdict(list)
    for count in wanted:
        by_eni[count.eni_id].append(count)
    for eni_id, found in sorted(by_eni.items()):
        eni = scope.foreign(NetworkInterface, eni_id)
        events = [
            LogEvent(c.start * 1000, format.line(flow_log.log_format, _values(scope, eni, c)))
            for c in sorted(found, key=lambda c: (c.start, c.end))
        ]
        put_log_events(scope, flow_log.log_group_name, eni_id, events, create_stream=True)


def _may_deliver(scope: Scope, flow_log: FlowLog) -> bool:
    """Whether the delivery role works; records the answer on the flow log."""
    role = role_by_arn(scope, flow_log.permission_arn or "")
    ok = role is not None and trusts(role, PRINCIPAL)
    status, error = ("SUCCESS", None) if ok else ("FAILED", ACCESS_ERROR)
    if (flow_log.deliver_status, flow_log.deliver_error) != (status, error):
        scope.put(flow_log.model_copy(update={"deliver_status": status, "deliver_error": error}))
    return ok


def _values(scope: Scope, eni: NetworkInterface | None, c: FlowCount) -> dict[str, object]:
    """Every field privlink knows of one record."""
    ingress = eni is not None and c.dst == eni.private_ip
    return {
        "account-id": eni.account if eni is not None else scope.account,
        "interface-id": c.eni_id,
        "srcaddr": c.src,
        "dstaddr": c.dst,
        "srcport": c.sport,
        "dstport": c.dport,
        "protocol": c.protocol,
        "packets": c.packets,
        "bytes": c.bytes,
        "start": c.start,
        "end": c.end,
        "action": c.action,
        "log-status": "OK",
        "vpc-id": eni.vpc_id if eni is not None else None,
        "subnet-id": eni.subnet_id if eni is not None else None,
        "instance-id": eni.instance_id if eni is not None else None,
        "type": "IPv4",
        "pkt-srcaddr": c.src,
        "pkt-dstaddr": c.dst,
        "region": scope.region,
        "az-id": None,
        "flow-direction": "ingress" if ingress else "egress",
        "traffic-path": None,
        "sublocation-type": None,
        "sublocation-id": None,
        "tcp-flags": None,
        "pkt-src-aws-service": None,
        "pkt-dst-aws-service": None,
    }
