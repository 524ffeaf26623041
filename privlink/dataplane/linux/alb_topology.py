"""Application load balancers (and NLB TLS listeners) -> kernel objects. Pure.

An ALB is a namespace of its own, plk-alb-<hash>, with one node per AZ: a veth from the
subnet's bridge in the VPC router, holding the node's address, exactly as an NLB's nodes.
Inside it one HAProxy (haproxycfg.HaproxySpec) listens on every listener port, terminates
TLS, adds X-Forwarded-* headers, runs the health checks and connects to the targets from
the node addresses; the namespace's nftables table is the ALB's security groups (ingress
and egress, stateful, like an instance's). Its routes: the node subnets directly, the rest
via the first node's subnet router.

An NLB's TLS listeners are served by an HAProxy in `mode tcp` inside the NLB namespace:
those ports are not DNATed there but delivered locally (nlb_rulesets.nlb's `local_ports`),
whether the flow came in on an endpoint's ENI or from inside the VPC.
"""

from __future__ import annotations

import hashlib

from privlink.dataplane import names
from privlink.dataplane.alb import AlbListener, AlbNet, HttpTargetGroup
from privlink.dataplane.linux import rulesets
from privlink.dataplane.linux.haproxycfg import (
    Backend,
    Frontend,
    HaproxySpec,
    backend_name,
    key_for,
)
from privlink.dataplane.linux.spec import LinkSpec, NamespaceSpec, Parts, RouteSpec, VethPeer
from privlink.dataplane.plan import DataplanePlan, NlbNet, TargetGroupNet

SYSCTLS = (("net.ipv4.tcp_tw_reuse", "1"), ("net.ipv4.ip_local_port_range", "1024 65535"))


def alb_netns(alb_id: str) -> str:
    return f"{names.PREFIX}-alb-{hashlib.sha256(alb_id.encode()).hexdigest()[:12]}"


def _backend(tg: HttpTargetGroup) -> Backend:
    return Backend(
        backend_name(tg.target_group_id),
        tg.target_group_id,
        tuple((t.ip, t.port) for t in tg.targets),
        tg.check,
        tls=tg.protocol == "https",
    )


def _frontend(listener: AlbListener) -> Frontend:
    tg = listener.target_group
    return Frontend(
        listener.port,
        listener.protocol,
        backend=backend_name(tg.target_group_id) if tg is not None else None,
        tls=listener.tls,
        redirect=listener.redirect,
        fixed=listener.fixed,
    )


def build(parts: Parts, plan: DataplanePlan, alb: AlbNet) -> None:
    """Draft the ALB's namespace, its node links and its HAProxy."""
    ns = alb_netns(alb.alb_id)
    vpc = plan.vpc(alb.vpc_id)
    router = names.vpc_netns(vpc.vpc_id)
    for node in alb.nodes:
        subnet = vpc.subnet(node.subnet_id)
        owner = f"{alb.alb_id}|{node.subnet_id}"
        inner = names.link(owner, "an")
        parts.add_link(
            router,
            LinkSpec(
                names.link(owner, "am"),
                "veth",
                VethPeer(inner, ns),
                names.subnet_bridge(node.subnet_id),
                owner=alb.alb_id,
            ),
        )
        parts.add_link(
            ns,
            LinkSpec(inner, "peer", addresses=(f"{node.ip}/{subnet.prefixlen}",), owner=alb.alb_id),
        )
    if alb.listeners:
        key = key_for(alb.alb_id)
        parts.spec.haproxies[key] = HaproxySpec(
            key,
            alb.alb_id,
            ns,
            "http",
            tuple(_frontend(li) for li in alb.listeners),
            tuple(_backend(tg) for tg in alb.target_groups()),
            alb.idle_timeout,
        )
    first = vpc.subnet(alb.nodes[0].subnet_id)
    ruleset = rulesets.instance(alb.security.ingress, alb.security.egress, (vpc.resolver_ip,))
    down = [n for n in alb.nodes if n.az in plan.failed_zones]  # privlink az fail
    ruleset = rulesets.zone_down(
        ruleset, [names.link(f"{alb.alb_id}|{n.subnet_id}", "an") for n in down]
    )
    parts.drafts.append(
        NamespaceSpec(
            ns,
            alb.alb_id,
            SYSCTLS,
            routes=(RouteSpec("0.0.0.0/0", first.gateway),),
            ruleset=ruleset,
        )
    )


def _tls_backend(tg: TargetGroupNet, tls: bool) -> Backend:
    check = tg.health_check
    tcp = (
        (check.interval, check.timeout, check.healthy_threshold, check.unhealthy_threshold)
        if check is not None
        else None
    )
    return Backend(
        backend_name(tg.target_group_id),
        tg.target_group_id,
        tuple((t.ip, t.port) for t in tg.targets),
        None,
        tls=tls,
        tcp_check=tcp,
    )


def nlb_tls(parts: Parts, nlb: NlbNet, ns: str) -> list[int]:
    """The HAProxy serving an NLB's TLS listeners in its namespace; their ports."""
    listeners = [li for li in nlb.listeners if li.tls is not None]
    if not listeners:
        return []
    backends = {
        li.target_group.target_group_id: _tls_backend(
            li.target_group, li.tls.backend_tls if li.tls else False
        )
        for li in listeners
    }
    key = key_for(nlb.nlb_id)
    parts.spec.haproxies[key] = HaproxySpec(
        key,
        nlb.nlb_id,
        ns,
        "tcp",
        tuple(
            Frontend(li.port, "tls", backend_name(li.target_group.target_group_id), li.tls)
            for li in listeners
        ),
        tuple(backends.values()),
        350,  # an NLB's TCP idle timeout
    )
    return [li.port for li in listeners]
