"""Store -> DataplanePlan: the whole desired network, rebuilt from records every time.

Rebuilding the entire plan (rather than patching) keeps the data plane a pure
function of the store: after a crash or restart the same records give the
same kernel state, and the driver's diff makes an unchanged plan free.

Choices recorded here:
- Endpoint-specific names (regional, zonal) are public on AWS, so every VPC's
  resolver answers them; private DNS names only in the endpoint's own VPC. Public names
  go into the plan once (plan.public_dns), a VPC's own answers into its VpcNet; an own
  record wins over a public one of the same name.
- An endpoint carries traffic from "pending" on (accepted, being provisioned):
  the path is installed first, then the endpoint controller sees the path is
  in place and moves it to "available" -- so "available" means packets flow.
  DNS answers for it appear with "available", as on AWS.
- An endpoint service with several NLBs is served by its first one.
- An interface endpoint to an AWS service that privlink implements (LocalApi.services, the
  endpoint prefixes of the wired services) ends at privlink's own HTTPS API
  (EndpointNet.local_port = the HTTPS port), so SDKs inside the VPC reach it under the
  service's real name, as on AWS. Other AWS services in the catalog get no path (there is
  nothing to reach); with no HTTPS port, neither do these.
- The host-side resolver (plan.host_dns) answers the same public names as every VPC's.
- Route 53 wildcards (`*.NAME` answers: S3's endpoint-specific and private names) become
  wildcard records for NAME; a wildcard and an exact record of one name merge into the
  wildcard. When privlink serves S3, every VPC also resolves S3's public names, and
  gateway endpoints to S3 carry traffic (s3_paths).
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from privlink.dataplane import plan as p
from privlink.dataplane.routing import PublicAddress
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.domain.endpoint_dns import Answer
from privlink.reconcile import access_paths, alb_plan, s3_paths, vpc_paths, zone_outage
from privlink.services.ec2.flowlogs.queries import logged_interfaces
from privlink.services.ec2.network.addressing import private_dns_name
from privlink.services.ec2.network.outages import failed_zones
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet, Vpc
from privlink.services.ec2.security.effective_rules import EffectiveRule, Members, effective_rules
from privlink.services.elbv2.queries import cross_zone_enabled
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.services.mwaa import queries as mwaa_queries
from privlink.services.privatelink.catalog import AWS_OWNER
from privlink.services.privatelink.queries import dns_answers, load_balancers_for
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

LIVE_INSTANCE_STATES = ("pending", "running")
# Endpoint states whose path is installed (traffic may flow once it is applied).
PATH_STATES = (lifecycle.State.PENDING.value, lifecycle.State.AVAILABLE.value)


@dataclass(frozen=True)
class LocalApi:
    """privlink's own HTTPS API on 127.0.0.1: its port (None: not listening) and the
    endpoint prefixes of the AWS services it serves (ec2, sns, s3 ...)."""

    port: int | None = None
    services: frozenset[str] = frozenset()

    def serves(self, endpoint: VpcEndpoint) -> str | None:
        """The endpoint prefix when `endpoint` is to an AWS service served here."""
        if endpoint.service_owner != AWS_OWNER:
            return None
        parts = endpoint.service_name.split(".")
        code = ".".join(parts[3:]) if parts[:2] == ["com", "amazonaws"] else ""
        return code if code in self.services else None


NO_API = LocalApi()  # privlink's API not reachable from VPCs


def build_plan(
    uow: UnitOfWork, *, api: LocalApi = NO_API, host_dns_port: int = 0
) -> p.DataplanePlan:
    """The whole desired network. `api`: where privlink's HTTPS API listens and what it
    serves (endpoints to those AWS services end there). `host_dns_port`: the host-side
    resolver's port (0 = none). Zones in an outage stay in the plan (zone_outage)."""
    instances = [i for i in uow.list(Instance) if i.state in LIVE_INSTANCE_STATES]
    endpoints = [e for e in uow.list(VpcEndpoint) if e.endpoint_type == "Interface"]
    enis = {eni.id: eni for eni in uow.list(NetworkInterface)}
    members = Members(uow)  # one index of group members for every rule of the plan
    public = vpc_paths.public_addresses(uow)
    nlbs = _nlbs(uow, {i.id: i for i in instances})
    nlb_ids = {n.nlb_id for n in nlbs}
    names = (
        tuple(public_records(uow))
        + tuple(vpc_paths.public_records(uow, public))
        + tuple(access_paths.public_records(uow))
    )
    gateways = (
        s3_paths.gateway_nets(uow, api.port)
        if api.port and s3_paths.SERVICE in api.services
        else ()
    )
    vpcs, public_dns = _vpc_nets(
        uow, instances, endpoints, public, s3_paths.SERVICE in api.services
    )
    plan = p.DataplanePlan(
        vpcs,
        _instance_nets(uow, instances, enis, members),
        nlbs,
        tuple(
            net
            for e in endpoints
            if (net := _endpoint(uow, e, enis, nlb_ids, api, members)) is not None
        ),
        host_dns_port,
        names if host_dns_port else (),
        gateways,
        peerings=vpc_paths.peerings(uow),
        nat_gateways=vpc_paths.nat_gateways(uow),
        internet=vpc_paths.internet(uow, public, names),
        client_vpns=access_paths.client_vpn_nets(
            uow, lambda ids: _security(effective_rules(uow, ids, members)).egress
        ),
        albs=alb_plan.albs(
            uow,
            {i.id: i for i in instances},
            lambda ids: _security(effective_rules(uow, ids, members)),
        ),
        flow_logged=tuple(sorted(logged_interfaces(uow))),
        public_dns=public_dns,
    )
    return zone_outage.apply(plan, failed_zones(uow))


def _vpc_nets(
    uow: UnitOfWork,
    instances: list[Instance],
    endpoints: list[VpcEndpoint],
    public: tuple[PublicAddress, ...],
    s3_served: bool,
) -> tuple[tuple[p.VpcNet, ...], tuple[p.DnsRecord, ...]]:
    """Every VPC with its subnets, own resolver records, route tables and internet
    gateway; and the public names every VPC resolves (sorted by name)."""
    vpcs = uow.list(Vpc)
    records, names = _dns_records(uow, vpcs, instances, endpoints, s3_served)
    vpc_paths.add_dns_records(uow, records, names, public)
    subnets_of: dict[str, list[p.SubnetNet]] = defaultdict(list)
    for subnet in uow.list(Subnet):
        subnets_of[subnet.vpc_id].append(vpc_paths.subnet_net(uow, subnet))
    nets = tuple(
        p.VpcNet(
            vpc.id,
            vpc.cidr,
            tuple(subnets_of[vpc.id]),
            resolver_enabled=vpc.enable_dns_support,
            dns_records=_sorted(records.get(vpc.id, {})),
            route_tables=vpc_paths.route_tables(uow, vpc),
            internet_gateway=vpc_paths.internet_gateway(uow, vpc),
        )
        for vpc in vpcs
    )
    return nets, _sorted(names)


def _sorted(records: dict[str, p.DnsRecord]) -> tuple[p.DnsRecord, ...]:
    return tuple(sorted(records.values(), key=lambda r: r.name))


def _instance_nets(
    uow: UnitOfWork,
    instances: list[Instance],
    enis: dict[str, NetworkInterface],
    members: Members,
) -> tuple[p.InstanceNet, ...]:
    """Running instances, and the hosts of the Airflow components MWAA runs in customers'
    VPCs (requester-managed ENIs: a namespace each, under the ENI's security groups)."""
    return tuple(
        p.InstanceNet(
            i.id,
            i.vpc_id,
            i.subnet_id,
            i.private_ip,
            security=_security(effective_rules(uow, _groups_of(i, enis), members)),
            user_data=_decode(i.user_data),
            ssh_key=i.ssh_public_key,
            eni_id=i.network_interface_id,
            groups=tuple(_groups_of(i, enis)),
        )
        for i in instances
    ) + tuple(
        p.InstanceNet(
            eni.id,
            eni.vpc_id,
            eni.subnet_id,
            eni.private_ip,
            security=_security(effective_rules(uow, eni.group_ids, members)),
            eni_id=eni.id,
            groups=tuple(eni.group_ids),
        )
        for eni in mwaa_queries.component_hosts(uow)
    )


def expects_path(endpoint: VpcEndpoint, api: LocalApi) -> bool:
    """Whether the data plane installs a path for this endpoint at all. Those it never will
    (AWS services privlink does not serve, or no HTTPS listener) must not wait for one."""
    if endpoint.endpoint_type != "Interface":
        return False
    if endpoint.service_owner == AWS_OWNER:
        return bool(api.port) and api.serves(endpoint) is not None
    return True


def _groups_of(instance: Instance, enis: dict[str, NetworkInterface]) -> list[str]:
    eni = enis.get(instance.network_interface_id)
    return eni.group_ids if eni else instance.group_ids


def _decode(user_data: str | None) -> str | None:
    if not user_data:
        return None
    try:
        return base64.b64decode(user_data, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return user_data  # sent unencoded: run it as given


def _rule(rule: EffectiveRule) -> p.SgRule | None:
    try:
        protocol = p.normalize_protocol(rule.protocol)
    except ValueError:
        return None  # protocols the data plane cannot filter (icmpv6, numbers) allow nothing
    peers = tuple(c for c in rule.peers if ":" not in c)
    if not peers:
        return None
    low = -1 if rule.from_port is None else rule.from_port
    high = -1 if rule.to_port is None else rule.to_port
    return p.SgRule(protocol, low, high, peers, rule.group_id)


def _rules(rules: Iterable[EffectiveRule], egress: bool) -> tuple[p.SgRule, ...]:
    out = [_rule(r) for r in rules if r.is_egress == egress]
    return tuple(r for r in out if r is not None)


def _security(rules: list[EffectiveRule]) -> p.SecurityRules:
    return p.SecurityRules(ingress=_rules(rules, False), egress=_rules(rules, True))


def _dns_records(
    uow: UnitOfWork,
    vpcs: list[Vpc],
    instances: list[Instance],
    endpoints: list[VpcEndpoint],
    s3_public: bool = False,
) -> tuple[dict[str, dict[str, p.DnsRecord]], dict[str, p.DnsRecord]]:
    """Per VPC its own records (name -> record), and the public ones (name -> record).
    `s3_public`: S3's public names of its region resolve in every VPC (own records of
    each VPC, since they depend on its region; a public name of the same name wins)."""
    out: dict[str, dict[str, p.DnsRecord]] = defaultdict(dict)
    hostnames = {v.id for v in vpcs if v.enable_dns_hostnames}
    for instance in instances:
        if instance.vpc_id in hostnames:
            name = private_dns_name(instance.region, instance.private_ip)
            out[instance.vpc_id][name] = p.DnsRecord(name, (instance.private_ip,))
    public: dict[str, p.DnsRecord] = {}
    for endpoint in endpoints:
        for answer in dns_answers(uow, endpoint).values():
            record = _record(answer)
            if record is None or answer.scope == "inbound-resolver":
                continue  # in-VPC queries keep the public answer (AWS)
            _put(public if answer.scope == "public" else out[endpoint.vpc_id], record)
    for record in alb_plan.dns_records(uow):  # load balancer names are public
        public[record.name] = record
    for mwaa in mwaa_queries.dns_records(uow):
        record = p.DnsRecord(mwaa.name, mwaa.addresses, mwaa.cname)
        if mwaa.vpc_id is None:
            public[mwaa.name] = record
        else:  # the MWAA service VPC's own view of an endpoint name (split horizon)
            out[mwaa.vpc_id][mwaa.name] = record
    for vpc in vpcs if s3_public else ():
        for record in s3_paths.public_records(vpc.region):
            if record.name not in public:
                out[vpc.id].setdefault(record.name, record)
    return out, public


def _record(answer: Answer) -> p.DnsRecord | None:
    """The resolver's record for an answer: `*.NAME` is a wildcard record for NAME."""
    if answer.cname:
        return None if answer.wildcard else p.DnsRecord(answer.name, cname=answer.cname)
    if not answer.ipv4:
        return None
    name = answer.name.removeprefix("*.") if answer.wildcard else answer.name
    return p.DnsRecord(name, tuple(answer.ipv4), wildcard=answer.wildcard)


def _put(records: dict[str, p.DnsRecord], record: p.DnsRecord) -> None:
    """Add a record; a wildcard already there answers the exact name too, so it stays."""
    kept = records.get(record.name)
    if kept is None or not kept.wildcard:
        records[record.name] = record


def public_records(uow: UnitOfWork) -> list[p.DnsRecord]:
    """The endpoint-specific (public) names, for the host-side resolver."""
    records: dict[str, p.DnsRecord] = {}
    for endpoint in uow.list(VpcEndpoint):
        for answer in dns_answers(uow, endpoint).values():
            record = _record(answer)
            if answer.scope == "public" and record is not None and not record.cname:
                _put(records, record)
    for record in alb_plan.dns_records(uow):
        _put(records, record)
    for mwaa in mwaa_queries.dns_records(uow):  # web server host names: CNAMEs to those,
        if mwaa.vpc_id is None and mwaa.cname in records:  # or a public server's address
            records[mwaa.name] = p.DnsRecord(mwaa.name, cname=mwaa.cname)
        elif mwaa.vpc_id is None and mwaa.addresses:
            records[mwaa.name] = p.DnsRecord(mwaa.name, mwaa.addresses)
    return sorted(records.values(), key=lambda r: r.name)


def _nlbs(uow: UnitOfWork, live: dict[str, Instance]) -> tuple[p.NlbNet, ...]:
    out: list[p.NlbNet] = []
    groups = {tg.id: tg for tg in uow.list(TargetGroup)}
    listeners: dict[str, list[Listener]] = defaultdict(list)
    for listener in uow.list(Listener):
        listeners[listener.load_balancer_arn].append(listener)
    for lb in uow.list(LoadBalancer):
        if lb.type != "network" or lb.state != "active":
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


def _endpoint(
    uow: UnitOfWork,
    endpoint: VpcEndpoint,
    enis: dict[str, NetworkInterface],
    nlb_ids: set[str],
    api: LocalApi,
    members: Members,
) -> p.EndpointNet | None:
    local_port: int | None = None
    nlb_id: str | None = None
    if endpoint.service_owner == AWS_OWNER:
        if not expects_path(endpoint, api):
            return None
        local_port = api.port
    else:
        arns = [a for a in load_balancers_for(uow, endpoint) if a in nlb_ids]
        if not arns:
            return None
        nlb_id = arns[0]
    nets = tuple(
        p.EniNet(eni.id, eni.subnet_id, eni.availability_zone, eni.private_ip)
        for eni_id in endpoint.interfaces.values()
        if (eni := enis.get(eni_id)) is not None
    )
    if not nets:
        return None  # interfaces already torn down (deleted): nothing left to realise
    ingress = _rules(effective_rules(uow, endpoint.group_ids, members), egress=False)
    return p.EndpointNet(
        endpoint.id,
        endpoint.vpc_id,
        nlb_id,
        nets,
        ingress=ingress,
        active=endpoint.state in PATH_STATES,
        local_port=local_port,
        state=endpoint.state,
        service_id=endpoint.service_id,
        groups=tuple(endpoint.group_ids),
    )
