"""Store -> DataplanePlan: the whole desired network, from the records of a snapshot.

Every plan is the whole network (rather than a patch), so the data plane stays a pure
function of the store: after a crash or restart the same records give the same kernel
state, and the driver's diff makes an unchanged plan free. Its per-resource parts are
kept from one plan to the next while the records they read are unchanged (pieces.py),
so a change costs what it touches.

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
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from privlink.dataplane import plan as p
from privlink.dataplane.routing import PublicAddress, RouteTableNet
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.domain.endpoint_dns import Answer
from privlink.reconcile import (
    access_paths,
    alb_plan,
    nlb_plan,
    s3_paths,
    vpc_paths,
    zone_outage,
)
from privlink.reconcile.pieces import Pieces
from privlink.services.ec2.flowlogs.queries import logged_interfaces
from privlink.services.ec2.network.addressing import private_dns_name
from privlink.services.ec2.network.outages import failed_zones
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet, Vpc
from privlink.services.ec2.security.effective_rules import EffectiveRule, Members, effective_rules
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.mwaa import queries as mwaa_queries
from privlink.services.privatelink.catalog import AWS_OWNER
from privlink.services.privatelink.queries import dns_answers, load_balancers_for
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

LIVE_INSTANCE_STATES = ("pending", "running")
# Endpoint states whose path is installed (traffic may flow once it is applied).
PATH_STATES = (lifecycle.State.PENDING.value, lifecycle.State.AVAILABLE.value)
T = TypeVar("T")
Answers = tuple[tuple[str, p.DnsRecord], ...]  # an endpoint's records, each with its scope


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


@dataclass
class _Planning:
    """One plan in the making: its snapshot, the group members its rules expand, the
    parts kept from earlier plans (pieces.py) and privlink's API."""

    uow: UnitOfWork
    members: Members
    pieces: Pieces
    api: LocalApi

    def part(self, key: Hashable, build: Callable[[], T]) -> T:
        return self.pieces.get(self.uow, key, build)


def build_plan(
    uow: UnitOfWork,
    *,
    api: LocalApi = NO_API,
    host_dns_port: int = 0,
    pieces: Pieces | None = None,
) -> p.DataplanePlan:
    """The whole desired network. `api`: where privlink's HTTPS API listens and what it
    serves (endpoints to those AWS services end there). `host_dns_port`: the host-side
    resolver's port (0 = none). Zones in an outage stay in the plan (zone_outage).
    `pieces`: the parts of earlier plans, each rebuilt only if what it read changed
    (pieces.py; without, every part is built)."""
    at = _Planning(uow, Members(uow), Pieces() if pieces is None else pieces, api)
    at.pieces.begin(uow, at.members)
    instances = [i for i in uow.list(Instance) if i.state in LIVE_INSTANCE_STATES]
    endpoints = [e for e in uow.list(VpcEndpoint) if e.endpoint_type == "Interface"]
    answers = {e.id: at.part(("dns", e.id), partial(_answers, uow, e.id)) for e in endpoints}
    public = vpc_paths.public_addresses(uow)
    nlbs = tuple(
        at.pieces.same(("nlb", n.nlb_id), n)
        for n in nlb_plan.nlbs(uow, {i.id: i for i in instances})
    )
    names = (
        tuple(_public_records(uow, answers))
        + tuple(vpc_paths.public_records(uow, public))
        + tuple(access_paths.public_records(uow))
    )
    s3 = s3_paths.SERVICE in api.services
    gateways = s3_paths.gateway_nets(uow, api.port) if api.port and s3 else ()
    vpcs, public_dns = _vpc_nets(at, instances, endpoints, answers, public, s3)
    members = at.members
    plan = p.DataplanePlan(
        vpcs,
        _instance_nets(at, instances),
        nlbs,
        tuple(
            net
            for e in endpoints
            if (net := at.part(("endpoint", e.id), partial(_endpoint, at, e.id))) is not None
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
    at: _Planning,
    instances: list[Instance],
    endpoints: list[VpcEndpoint],
    answers: dict[str, Answers],
    public: tuple[PublicAddress, ...],
    s3_served: bool,
) -> tuple[tuple[p.VpcNet, ...], tuple[p.DnsRecord, ...]]:
    """Every VPC with its subnets, own resolver records, route tables and internet
    gateway; and the public names every VPC resolves (sorted by name). A VPC equal to
    the last plan's is that very object (Pieces.same)."""
    uow = at.uow
    vpcs = uow.list(Vpc)
    records, names = _dns_records(uow, vpcs, instances, endpoints, answers, s3_served)
    vpc_paths.add_dns_records(uow, records, names, public)
    subnets_of: dict[str, list[p.SubnetNet]] = defaultdict(list)
    for subnet in uow.list(Subnet):
        net = at.part(("subnet", subnet.id), partial(_subnet_net, uow, subnet.id))
        subnets_of[subnet.vpc_id].append(net)
    nets = tuple(
        at.pieces.same(
            ("vpc", vpc.id),
            p.VpcNet(
                vpc.id,
                vpc.cidr,
                tuple(subnets_of[vpc.id]),
                resolver_enabled=vpc.enable_dns_support,
                dns_records=_sorted(records.get(vpc.id, {})),
                route_tables=at.part(("routes", vpc.id), partial(_route_tables, uow, vpc.id)),
                internet_gateway=at.part(("igw", vpc.id), partial(_gateway, uow, vpc.id)),
            ),
        )
        for vpc in vpcs
    )
    return nets, _sorted(names)


def _subnet_net(uow: UnitOfWork, subnet_id: str) -> p.SubnetNet:
    subnet = uow.get(Subnet, subnet_id)
    assert subnet is not None  # listed in this very snapshot
    return vpc_paths.subnet_net(uow, subnet)


def _route_tables(uow: UnitOfWork, vpc_id: str) -> tuple[RouteTableNet, ...]:
    vpc = uow.get(Vpc, vpc_id)
    assert vpc is not None
    return vpc_paths.route_tables(uow, vpc)


def _gateway(uow: UnitOfWork, vpc_id: str) -> str:
    vpc = uow.get(Vpc, vpc_id)
    assert vpc is not None
    return vpc_paths.internet_gateway(uow, vpc)


def _sorted(records: dict[str, p.DnsRecord]) -> tuple[p.DnsRecord, ...]:
    return tuple(sorted(records.values(), key=lambda r: r.name))


def _instance_nets(at: _Planning, instances: list[Instance]) -> tuple[p.InstanceNet, ...]:
    """Running instances, and the hosts of the Airflow components MWAA runs in customers'
    VPCs (requester-managed ENIs: a namespace each, under the ENI's security groups)."""
    return tuple(
        at.part(("instance", i.id), partial(_instance_net, at, i.id)) for i in instances
    ) + tuple(
        at.part(("host", eni.id), partial(_host_net, at, eni.id))
        for eni in mwaa_queries.component_hosts(at.uow)
    )


def _instance_net(at: _Planning, instance_id: str) -> p.InstanceNet:
    instance = at.uow.get(Instance, instance_id)
    assert instance is not None  # listed in this very snapshot
    eni = (
        at.uow.get(NetworkInterface, instance.network_interface_id)
        if instance.network_interface_id
        else None
    )
    groups = eni.group_ids if eni else instance.group_ids
    return p.InstanceNet(
        instance.id,
        instance.vpc_id,
        instance.subnet_id,
        instance.private_ip,
        security=_security(effective_rules(at.uow, groups, at.members)),
        user_data=_decode(instance.user_data),
        ssh_key=instance.ssh_public_key,
        eni_id=instance.network_interface_id,
        groups=tuple(groups),
    )


def _host_net(at: _Planning, eni_id: str) -> p.InstanceNet:
    eni = at.uow.get(NetworkInterface, eni_id)
    assert eni is not None
    return p.InstanceNet(
        eni.id,
        eni.vpc_id,
        eni.subnet_id,
        eni.private_ip,
        security=_security(effective_rules(at.uow, eni.group_ids, at.members)),
        eni_id=eni.id,
        groups=tuple(eni.group_ids),
    )


def expects_path(endpoint: VpcEndpoint, api: LocalApi) -> bool:
    """Whether the data plane installs a path for this endpoint at all. Those it never will
    (AWS services privlink does not serve, or no HTTPS listener) must not wait for one."""
    if endpoint.endpoint_type != "Interface":
        return False
    if endpoint.service_owner == AWS_OWNER:
        return bool(api.port) and api.serves(endpoint) is not None
    return True


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


def _answers(uow: UnitOfWork, endpoint_id: str) -> Answers:
    """The endpoint's names as the resolver's records, each with its answer's scope."""
    endpoint = uow.get(VpcEndpoint, endpoint_id)
    if endpoint is None:
        return ()
    return tuple(
        (answer.scope, record)
        for answer in dns_answers(uow, endpoint).values()
        if (record := _record(answer)) is not None
    )


def _dns_records(
    uow: UnitOfWork,
    vpcs: list[Vpc],
    instances: list[Instance],
    endpoints: list[VpcEndpoint],
    answers: dict[str, Answers],
    s3_public: bool,
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
        for scope, record in answers[endpoint.id]:
            if scope == "inbound-resolver":
                continue  # in-VPC queries keep the public answer (AWS)
            _put(public if scope == "public" else out[endpoint.vpc_id], record)
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


def _public_records(uow: UnitOfWork, answers: dict[str, Answers]) -> list[p.DnsRecord]:
    """The endpoint-specific (public) names, for the host-side resolver."""
    records: dict[str, p.DnsRecord] = {}
    for found in answers.values():
        for scope, record in found:
            if scope == "public" and not record.cname:
                _put(records, record)
    for record in alb_plan.dns_records(uow):
        _put(records, record)
    for mwaa in mwaa_queries.dns_records(uow):  # web server host names: CNAMEs to those,
        if mwaa.vpc_id is None and mwaa.cname in records:  # or a public server's address
            records[mwaa.name] = p.DnsRecord(mwaa.name, cname=mwaa.cname)
        elif mwaa.vpc_id is None and mwaa.addresses:
            records[mwaa.name] = p.DnsRecord(mwaa.name, mwaa.addresses)
    return sorted(records.values(), key=lambda r: r.name)


def _endpoint(at: _Planning, endpoint_id: str) -> p.EndpointNet | None:
    uow = at.uow
    endpoint = uow.get(VpcEndpoint, endpoint_id)
    assert endpoint is not None  # listed in this very snapshot
    local_port: int | None = None
    nlb_id: str | None = None
    if endpoint.service_owner == AWS_OWNER:
        if not expects_path(endpoint, at.api):
            return None
        local_port = at.api.port
    else:
        arns = [
            a
            for a in load_balancers_for(uow, endpoint)
            if nlb_plan.is_active_nlb(uow.get(LoadBalancer, a))
        ]
        if not arns:
            return None
        nlb_id = arns[0]
    nets = tuple(
        p.EniNet(eni.id, eni.subnet_id, eni.availability_zone, eni.private_ip)
        for eni_id in endpoint.interfaces.values()
        if (eni := uow.get(NetworkInterface, eni_id)) is not None
    )
    if not nets:
        return None  # interfaces already torn down (deleted): nothing left to realise
    ingress = _rules(effective_rules(uow, endpoint.group_ids, at.members), egress=False)
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
