"""The plan's network load balancers (NlbNet), from the ELBv2 records.

Only active NLBs are realised; a listener's target group keeps the targets that are not
draining and that its zones (or cross-zone load balancing) reach; TCP_UDP listeners are
not realised (see docs). A TLS listener ends in the NLB namespace's HAProxy
(alb_plan.tls_termination), so its target group is reached over TCP.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from privlink.dataplane import plan as p
from privlink.reconcile import alb_plan
from privlink.services.ec2.records import Instance
from privlink.services.elbv2.queries import cross_zone_enabled
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.store.unit import UnitOfWork


def is_active_nlb(lb: LoadBalancer | None) -> bool:
    """Whether the plan realises this load balancer as an NLB."""
    return lb is not None and lb.type == "network" and lb.state == "active"


def nlbs(uow: UnitOfWork, live: dict[str, Instance]) -> tuple[p.NlbNet, ...]:
    """Every active NLB with its nodes and listeners; `live`: the running instances (an
    instance target that is not running is left out)."""
    out: list[p.NlbNet] = []
    groups = {tg.id: tg for tg in uow.list(TargetGroup)}
    listeners: dict[str, list[Listener]] = defaultdict(list)
    for listener in uow.list(Listener):
        listeners[listener.load_balancer_arn].append(listener)
    for lb in uow.list(LoadBalancer):
        if not is_active_nlb(lb):
            continue
        nodes = tuple(p.NlbNode(n.subnet_id, n.zone_name, n.private_ip) for n in lb.nodes)
        zones = {n.zone_name for n in lb.nodes}
        nets: list[p.NlbListener] = []
        for listener in listeners[lb.id]:
            tg = groups.get(listener.target_group_arn)
            protocol = listener.protocol.lower()
            if tg is None or protocol not in ("tcp", "udp", "tls"):
                continue  # TCP_UDP listeners are not realised (see docs)
            group = replace(_target_group(lb, tg, live, zones), protocol="tcp")
            tls = (
                alb_plan.tls_termination(uow, listener, tg.protocol == "TLS")
                if protocol == "tls"
                else None
            )
            nets.append(p.NlbListener("tcp" if tls else protocol, listener.port, group, tls))  # type: ignore[arg-type]
        out.append(p.NlbNet(lb.id, lb.vpc_id, nodes, tuple(nets)))
    return tuple(out)


def _target_group(
    lb: LoadBalancer, tg: TargetGroup, live: dict[str, Instance], zones: set[str]
) -> p.TargetGroupNet:
    targets: list[p.Target] = []
    for target in tg.targets:
        if target.draining_until:
            continue
        if tg.target_type == "instance":
            instance = live.get(target.id)
            if instance is None:
                continue
            ip, az = instance.private_ip, instance.availability_zone
        else:
            ip, az = target.id, target.availability_zone or ""
        if az in zones or cross_zone_enabled(lb, tg):
            targets.append(p.Target(ip, target.port, az))
    check = tg.health_check
    health = (
        p.HealthCheck(
            port=None if check.port == "traffic-port" else int(check.port),
            interval=float(check.interval),
            timeout=float(check.timeout),
            healthy_threshold=check.healthy_threshold,
            unhealthy_threshold=check.unhealthy_threshold,
        )
        if check.enabled
        else None
    )
    return p.TargetGroupNet(
        tg.id,
        tg.protocol.lower(),  # type: ignore[arg-type]
        tuple(targets),
        health_check=health,
        proxy_protocol_v2=tg.attributes.get("proxy_protocol_v2.enabled") == "true",
        cross_zone=cross_zone_enabled(lb, tg),
    )
