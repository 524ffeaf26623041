"""An NLB's namespace -> kernel objects. Pure: no I/O.

The namespace holds the NLB's nodes (a veth per AZ from the provider subnet's bridge), its
health checks and TLS listeners' HAProxy, and the ENIs of every endpoint of its service
(topology.py says why and how they are kept apart): their links, route tables, policy
rules, conntrack zones, PROXY v2 listeners (HeaderSpec: the kernel adds the headers)
and what the driver needs to cut their flows.
nlb_rulesets.nlb renders its nftables table.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import alb_topology, nlb_rulesets, rulesets
from privlink.dataplane.linux.rendered import Rendered
from privlink.dataplane.linux.spec import (
    FORWARDING,
    LOCAL_TABLE,
    MAIN_TABLE,
    CheckSpec,
    EndpointState,
    HeaderSpec,
    HealthMap,
    LinkSpec,
    NamespaceSpec,
    Parts,
    RouteSpec,
    RuleSpec,
    VethPeer,
)
from privlink.dataplane.names import ROUTE_TABLE_BASE
from privlink.dataplane.plan import (
    DataplanePlan,
    EndpointNet,
    NlbNet,
    NlbNode,
    SubnetNet,
    Target,
    TargetGroupNet,
    VpcNet,
)

# An NLB's namespace routes by mark (nlb_rulesets._eni_chains sets the marks): to the
# provider's side, to the namespace itself, then the kernel's local rule (moved here) for
# whatever carries no ENI's mark. An ENI's mark leads to the ENI's table in two steps,
# by its group (the slot's high byte) then by the mark itself: the kernel walks policy
# rules one by one, and 2,000 ENIs' rules in a row cost a reply 7.6 us and 18 % of the
# connection rate (measured at the end of the walk); in groups a walk is at most 256 + 256.
PROVIDER_RULE, LOCAL_MARK_RULE, UNMARKED_RULE, GROUP_RULE, LOCAL_RULE = 100, 110, 120, 200, 300
ENI_RULES = 1000  # + group: the ENI rules of one group
_NLB_RULES = (
    RuleSpec(PROVIDER_RULE, MAIN_TABLE, fwmark=nlb_rulesets.PROVIDER_MARK),
    RuleSpec(LOCAL_MARK_RULE, LOCAL_TABLE, fwmark=nlb_rulesets.LOCAL_MARK),
    RuleSpec(UNMARKED_RULE, 0, fwmark=0, fwmask=nlb_rulesets.ENI_MARK, goto=LOCAL_RULE),
    RuleSpec(LOCAL_RULE, LOCAL_TABLE),
)


def _group_rules(enis: Iterable[nlb_rulesets.Eni]) -> list[RuleSpec]:
    """An ENI's mark (nlb_rulesets.ENI_MARK + its slot) to its group's rules (each ENI's
    own rule, to its table, is its endpoint's: _Share.rules)."""
    rules: list[RuleSpec] = []
    for group in sorted({e.zone >> 8 for e in enis}):
        mark = nlb_rulesets.ENI_MARK | group << 8
        rules.append(
            RuleSpec(
                GROUP_RULE,
                0,
                fwmark=mark,
                fwmask=nlb_rulesets.ENI_MARK | 0xFF00,
                goto=ENI_RULES + group,
            )
        )
    return rules


def _table(eni: nlb_rulesets.Eni) -> int:
    """An ENI's route table in its NLB's namespace."""
    return ROUTE_TABLE_BASE + eni.zone


_NLB_SYSCTLS = FORWARDING + (
    ("net.ipv4.tcp_tw_reuse", "1"),
    ("net.ipv4.ip_local_port_range", "1024 65535"),
    ("net.ipv4.fwmark_reflect", "1"),
    ("net.ipv4.tcp_fwmark_accept", "1"),
    ("net.ipv4.conf.all.arp_ignore", "1"),
    ("net.ipv4.conf.all.arp_announce", "2"),
    ("net.ipv4.conf.all.accept_local", "1"),
)


def candidates(tg: TargetGroupNet, az: str, health: HealthMap) -> tuple[Target, ...]:
    """Targets a flow entering in `az` may go to: the AZ's own unless cross-zone, healthy
    ones only; if none is healthy, all of them (NLB fails open)."""
    pool = tuple(t for t in tg.targets if tg.cross_zone or t.az == az)
    if tg.health_check is None:
        return pool
    healthy = tuple(
        t for t in pool if health.get((tg.target_group_id, t.ip, t.port)) == TargetState.HEALTHY
    )
    return healthy or pool


def cidr_of(ip: str, subnet_cidr: str) -> str:
    return f"{ip}/{ipaddress.ip_network(subnet_cidr).prefixlen}"


def _via_router(vpc: VpcNet, subnet_ids: list[str]) -> tuple[RouteSpec, ...]:
    """Everything not on its own subnets via the router, from the first attached subnet:
    the rest of the VPC, and the clients of an internet-facing NLB (the router's one-to-one
    NAT brings them in to the node's address) or of a peer VPC."""
    if not subnet_ids:
        return ()
    return (RouteSpec("0.0.0.0/0", vpc.subnet(sorted(subnet_ids)[0]).gateway),)


def build(
    parts: Parts,
    plan: DataplanePlan,
    health: HealthMap,
    nlb: NlbNet,
    kept: Mapping[str, int],
    rendered: Rendered,
) -> NamespaceSpec:
    """The NLB's namespace (its links are added to `parts` as it goes); its ENIs keep
    the slots `kept` gives them (KernelSpec.eni_slots). Each endpoint's share (its ENIs'
    links, tables, state) is a piece of `rendered`, kept while the endpoint, its
    subnets and its slots are."""
    return _Nlb(parts, plan, health, nlb, kept, rendered).namespace()


def add_enis(
    parts: Parts, plan: DataplanePlan, ep: EndpointNet, ns: str, host_routes: bool = False
) -> None:
    """Each ENI: a veth from its subnet's bridge in the VPC router into `ns`; with
    `host_routes` its address is a /32, its subnet routed by its own table."""
    vpc = plan.vpc(ep.vpc_id)
    _add_enis(parts, ep, tuple(vpc.subnet(e.subnet_id) for e in ep.enis), ns, host_routes)


def _add_enis(
    parts: Parts,
    ep: EndpointNet,
    subnets: tuple[SubnetNet, ...],
    ns: str,
    host_routes: bool,
) -> None:
    """add_enis, each ENI's subnet given (`subnets`, in the order of ep.enis)."""
    router = names.vpc_netns(ep.vpc_id)
    for eni, subnet in zip(ep.enis, subnets, strict=True):
        address = f"{eni.ip}/32" if host_routes else cidr_of(eni.ip, subnet.cidr)
        parts.add_eni(eni.eni_id, eni.subnet_id, router, ns, address, ep.endpoint_id)


class _Nlb:
    def __init__(
        self,
        parts: Parts,
        plan: DataplanePlan,
        health: HealthMap,
        nlb: NlbNet,
        kept: Mapping[str, int],
        rendered: Rendered,
    ) -> None:
        self.parts, self.plan, self.health, self.nlb = parts, plan, health, nlb
        self.rendered = rendered
        self.ns = names.nlb_netns(nlb.nlb_id)
        self.ports = _proxy_ports(nlb)  # its PROXY v2 listeners' ports
        self.endpoints = [ep for ep in plan.endpoints if ep.nlb_id == nlb.nlb_id]
        slots = names.eni_slots((e.eni_id for ep in self.endpoints for e in ep.enis), kept)
        parts.spec.eni_slots.update(slots)
        self.enis = {
            e.eni_id: nlb_rulesets.Eni(
                names.eni_link(e.eni_id),
                e.ip,
                slots[e.eni_id],
                nlb_rulesets.ENI_MARK | slots[e.eni_id],
            )
            for ep in self.endpoints
            for e in ep.enis
        }

    def namespace(self) -> NamespaceSpec:
        nlb, vpc = self.nlb, self.plan.vpc(self.nlb.vpc_id)
        self._nodes(vpc)
        for tg in nlb.target_groups():
            self._checks(tg)
        shares = [self._share(ep) for ep in self.endpoints]
        routes = _via_router(vpc, [n.subnet_id for n in nlb.nodes])
        rules = (
            *_NLB_RULES,
            *_group_rules(self.enis.values()),
            *(rule for share in shares for rule in share.rules),
        )
        return NamespaceSpec(
            self.ns,
            nlb.nlb_id,
            _NLB_SYSCTLS,
            routes=routes + tuple(route for share in shares for route in share.routes),
            ruleset=self._ruleset(shares),
            rules=rules,
            headers=self._headers(shares),
        )

    def _share(self, ep: EndpointNet) -> _Share:
        """The endpoint's share, kept (rendered.py) while the endpoint, its subnets, its
        slots, the NLB's PROXY v2 ports and the failed zones are."""
        subnets = tuple(self.plan.vpc(ep.vpc_id).subnet(e.subnet_id) for e in ep.enis)
        enis = tuple(self.enis[e.eni_id] for e in ep.enis)
        ports, failed = self.ports, self.plan.failed_zones
        make = functools.partial(
            _endpoint, ep=ep, subnets=subnets, enis=enis, ns=self.ns, ports=ports, failed=failed
        )
        key = ("nlb-endpoint", ep.endpoint_id)
        return self.rendered.part(
            self.parts, key, (self.ns, ep, subnets, enis, ports, failed), make
        )

    def _ruleset(self, shares: list[_Share]) -> str:
        """Per listener and AZ the AZ's candidate targets; the node and the ENIs of failed
        zones silenced."""
        zones = {node.az: self._zone(node, shares) for node in self.nlb.nodes}
        forwards = [
            nlb_rulesets.NlbForward(
                li.protocol,
                li.port,
                zones[az],
                candidates(li.target_group, az, self.health),
            )
            for li in self.nlb.listeners
            if li.tls is None  # TLS listeners end in the namespace's HAProxy
            for az in sorted(zones)
        ]
        local_ports = alb_topology.nlb_tls(self.parts, self.nlb, self.ns)
        failed = self.plan.failed_zones
        silent = [
            names.nlb_node_link(self.nlb.nlb_id, n.subnet_id)
            for n in self.nlb.nodes
            if n.az in failed
        ]
        silent += [link for share in shares for link in share.silent]
        endpoints = [share.endpoint for share in shares]
        ruleset = nlb_rulesets.nlb(list(zones.values()), forwards, local_ports, endpoints)
        return rulesets.zone_down(ruleset, silent)

    def _zone(self, node: NlbNode, shares: list[_Share]) -> nlb_rulesets.NlbZone:
        """The node of one AZ, and the active ENIs there it serves."""
        here = [
            eni
            for share in shares
            if share.endpoint.active
            for az, eni in share.enis
            if az == node.az
        ]
        return nlb_rulesets.NlbZone(
            node.ip, tuple(e.link for e in here), tuple(sorted(e.mark for e in here))
        )

    def _headers(self, shares: list[_Share]) -> tuple[HeaderSpec, ...]:
        """The PROXY v2 listeners: every non-TLS listener whose target group asks for it
        (a TLS listener's HAProxy sends its own), on the nodes (clients that reach the
        NLB itself: no endpoint TLV) and on the active endpoints' ENIs."""
        ports, nlb_id = self.ports, self.nlb.nlb_id
        nodes = [
            HeaderSpec(
                names.nlb_node_link(nlb_id, n.subnet_id),
                names.nlb_node_mac(nlb_id, n.subnet_id),
                nlb_id,
                port,
                "",
            )
            for n in self.nlb.nodes
            for port in ports
        ]
        return (*nodes, *(header for share in shares for header in share.headers))

    def _nodes(self, vpc: VpcNet) -> None:
        """A veth per node from its subnet's bridge in the router, the node address inside."""
        router, nlb_id = names.vpc_netns(vpc.vpc_id), self.nlb.nlb_id
        for node in self.nlb.nodes:
            subnet = vpc.subnet(node.subnet_id)
            inner = names.nlb_node_link(nlb_id, node.subnet_id)
            self.parts.add_link(
                router,
                LinkSpec(
                    names.nlb_node_port(nlb_id, node.subnet_id),
                    "veth",
                    VethPeer(inner, self.ns),
                    names.subnet_bridge(node.subnet_id),
                    owner=nlb_id,
                ),
            )
            address = cidr_of(node.ip, subnet.cidr)
            mac = names.nlb_node_mac(nlb_id, node.subnet_id)
            self.parts.add_link(
                self.ns, LinkSpec(inner, "peer", addresses=(address,), owner=nlb_id, mac=mac)
            )

    def _checks(self, tg: TargetGroupNet) -> None:
        if tg.health_check is None:
            return
        for t in tg.targets:
            node = self.nlb.node_in(t.az) or self._live_node()
            self.parts.spec.checks.append(
                CheckSpec(
                    (tg.target_group_id, t.ip, t.port),
                    self.ns,
                    node.ip,
                    tg.health_check.port or t.port,
                    tg.health_check,
                    tg.proxy_protocol_v2,
                )
            )

    def _live_node(self) -> NlbNode:
        """The node that checks targets in zones without one: a node outside failed zones
        when there is one (a failed node's checks would fail every target)."""
        live = [n for n in self.nlb.nodes if n.az not in self.plan.failed_zones]
        return (live or list(self.nlb.nodes))[0]


@dataclass(frozen=True)
class _Share:
    """An endpoint's share of its NLB's namespace: what `_Nlb` puts together."""

    endpoint: nlb_rulesets.NlbEndpoint
    enis: tuple[tuple[str, nlb_rulesets.Eni], ...]  # each ENI with its AZ
    routes: tuple[RouteSpec, ...]
    rules: tuple[RuleSpec, ...]  # each ENI's mark to its table
    headers: tuple[HeaderSpec, ...]
    silent: tuple[str, ...]  # its ENIs' links in failed zones


def _endpoint(
    parts: Parts,
    *,
    ep: EndpointNet,
    subnets: tuple[SubnetNet, ...],
    enis: tuple[nlb_rulesets.Eni, ...],
    ns: str,
    ports: tuple[int, ...],
    failed: frozenset[str],
) -> _Share:
    """An endpoint's ENIs in its NLB's namespace `ns` (links into `parts`, with what the
    driver needs to cut its flows), and its share of the namespace: each ENI's table (its
    subnet on its link, the rest via the subnet's router) and rule, its PROXY v2
    listeners on `ports`, its ENIs silenced in `failed` zones."""
    _add_enis(parts, ep, subnets, ns, host_routes=True)
    routes: list[RouteSpec] = []
    for subnet, eni in zip(subnets, enis, strict=True):
        table = _table(eni)
        routes.append(RouteSpec(subnet.cidr, "", table, eni.link))
        routes.append(RouteSpec("0.0.0.0/0", subnet.gateway, table, eni.link))
    parts.spec.endpoints[ep.endpoint_id] = EndpointState(
        ep.endpoint_id, ns, ep.active, tuple(e.zone for e in enis)
    )
    return _Share(
        nlb_rulesets.NlbEndpoint(ep.endpoint_id, enis, ep.ingress, ep.active),
        tuple((e.az, eni) for e, eni in zip(ep.enis, enis, strict=True)),
        tuple(routes),
        tuple(RuleSpec(ENI_RULES + (e.zone >> 8), _table(e), fwmark=e.mark) for e in enis),
        tuple(
            HeaderSpec(eni.link, names.eni_mac(e.eni_id), e.eni_id, port, ep.endpoint_id)
            for e, eni in zip(ep.enis, enis, strict=True)
            for port in ports
        )
        if ep.active
        else (),
        tuple(eni.link for e, eni in zip(ep.enis, enis, strict=True) if e.az in failed),
    )


def _proxy_ports(nlb: NlbNet) -> tuple[int, ...]:
    """The NLB's listener ports the endpoints' proxies serve (PROXY v2 target groups)."""
    return tuple(
        sorted(li.port for li in nlb.listeners if li.target_group.proxy_protocol_v2 and not li.tls)
    )
