"""Store -> plan for application load balancers, NLB TLS listeners and load balancer names.

- Every active ALB becomes an AlbNet: its nodes, its security groups resolved to rules
  (by the caller's `security`, the same function instances' groups go through), its
  listeners with their default action, the ACM material of their certificates and the
  oldest TLS version their SSL policy accepts. Forwarded target groups carry every live
  target (ALBs balance across zones always) and their HTTP(S) health check.
- An NLB TLS listener becomes a TlsTermination on its NLB listener.
- Load balancer DNS names (internal or not, they are public on AWS) resolve in every VPC,
  on the host resolver and on privlink's internet: an internal one to the nodes' private
  addresses, an internet-facing one to their public addresses, everywhere (AWS), which the
  VPC router maps one-to-one to the nodes (the nodes' interfaces hold them).
"""

from __future__ import annotations

from collections.abc import Callable

from privlink.dataplane import alb as a
from privlink.dataplane import plan as p
from privlink.services.acm.records import Certificate
from privlink.services.ec2.records import Instance, NetworkInterface
from privlink.services.elbv2 import ssl_policies
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.store.unit import UnitOfWork

Security = Callable[[list[str]], p.SecurityRules]


def tls_termination(uow: UnitOfWork, listener: Listener, backend_tls: bool) -> a.TlsTermination:
    certificates = []
    for arn in listener.certificates:
        cert = uow.get(Certificate, arn)
        if cert is not None:
            pem = cert.certificate_pem + (cert.chain_pem or "") + cert.private_key_pem
            certificates.append(a.TlsCertificate(arn, pem))
    return a.TlsTermination(
        tuple(certificates), ssl_policies.min_tls(listener.ssl_policy), backend_tls
    )


def _targets(tg: TargetGroup, live: dict[str, Instance]) -> tuple[p.Target, ...]:
    targets = []
    for target in tg.targets:
        if target.draining_until:
            continue
        if tg.target_type == "instance":
            instance = live.get(target.id)
            if instance is not None:
                targets.append(
                    p.Target(instance.private_ip, target.port, instance.availability_zone)
                )
        else:
            targets.append(p.Target(target.id, target.port, target.availability_zone or ""))
    return tuple(targets)


def _http_group(tg: TargetGroup, live: dict[str, Instance]) -> a.HttpTargetGroup:
    check = tg.health_check
    return a.HttpTargetGroup(
        tg.id,
        "https" if tg.protocol == "HTTPS" else "http",
        _targets(tg, live),
        a.HttpCheck(
            protocol="https" if check.protocol == "HTTPS" else "http",
            port=None if check.port == "traffic-port" else int(check.port),
            path=check.path or "/",
            interval=float(check.interval),
            timeout=float(check.timeout),
            healthy_threshold=check.healthy_threshold,
            unhealthy_threshold=check.unhealthy_threshold,
            matcher=check.matcher or "200",
        ),
    )


def _listener(
    uow: UnitOfWork, listener: Listener, groups: dict[str, TargetGroup], live: dict[str, Instance]
) -> a.AlbListener | None:
    action = listener.action
    if action is None:
        return None
    https = listener.protocol == "HTTPS"
    tg = groups.get(action.target_group_arn or "")
    if action.type == "forward" and tg is None:
        return None
    return a.AlbListener(
        "https" if https else "http",
        listener.port,
        action.type,  # type: ignore[arg-type]
        target_group=_http_group(tg, live) if tg is not None else None,
        redirect=tuple((action.redirect or {}).items()),
        fixed=tuple((action.fixed or {}).items()),
        tls=tls_termination(uow, listener, False) if https else None,
    )


def albs(uow: UnitOfWork, live: dict[str, Instance], security: Security) -> tuple[a.AlbNet, ...]:
    groups = {tg.id: tg for tg in uow.list(TargetGroup)}
    out = []
    for lb in uow.list(LoadBalancer):
        if lb.type != "application" or lb.state != "active":
            continue
        listeners = [
            net
            for listener in uow.list(Listener, parent=lb.id)
            if (net := _listener(uow, listener, groups, live)) is not None
        ]
        out.append(
            a.AlbNet(
                lb.id,
                lb.vpc_id,
                tuple(p.NlbNode(n.subnet_id, n.zone_name, n.private_ip) for n in lb.nodes),
                security(lb.security_groups),
                tuple(listeners),
                int(lb.attributes.get("idle_timeout.timeout_seconds", "60")),
            )
        )
    return tuple(out)


def dns_records(uow: UnitOfWork) -> list[p.DnsRecord]:
    """Every active load balancer's DNS name with its nodes' addresses: the public ones
    their interfaces hold when it is internet-facing, else the private ones."""
    public = {
        (eni.owner_resource, eni.private_ip): eni.public_ip
        for eni in uow.list(NetworkInterface)
        if eni.requester_managed and eni.public_ip
    }
    return [
        p.DnsRecord(
            lb.dns_name,
            tuple(public.get((lb.id, n.private_ip)) or n.private_ip for n in lb.nodes),
        )
        for lb in uow.list(LoadBalancer)
        if lb.state == "active" and lb.nodes
    ]
