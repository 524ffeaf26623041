"""An NLB's namespace -> kernel objects. Pure: no I/O.

The namespace holds the NLB's nodes (a veth per AZ from the provider subnet's bridge), its
health checks and TLS listeners' HAProxy, and the ENIs of every endpoint of its service
(topology.py says why and how they are kept apart): their links, route tables, policy
rules, conntrack zones, PROXY v2 listeners (HeaderSpec: the kernel adds the headers)
and what the driver needs to cut their flows.
nlb_rulesets.nlb renders its nftables table.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import alb_topology, nlb_rulesets, rulesets
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


def _eni_rules(enis: Iterable[nlb_rulesets.Eni]) -> list[RuleSpec]:
    """An ENI's mark (nlb_rulesets.ENI_MARK + its slot) to its table, by group."""
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
    rules += [RuleSpec(ENI_RULES + (e.zone >> 8), _table(e), fwmark=e.mark) for e in enis]
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
    parts: Parts, plan: DataplanePlan, health: HealthMap, nlb: NlbNet, kept: Mapping[str, int]
) -> NamespaceSpec:
    """The NLB's namespace (its links are added to `parts` as it goes); its ENIs keep
    the slots `kept` gives them (KernelSpec.eni_slots)."""
    return _Nlb(parts, plan, health, nlb, kept).namespace()


def add_enis(
    parts: Parts, plan: DataplanePlan, ep: EndpointNet, ns: str, host_routes: bool = False
) -> None:
    """Each ENI: a veth from its subnet's bridge in the VPC router into `ns`; with
    `host_routes` its address is a /32, its subnet routed by its own table."""
    vpc = plan.vpc(ep.vpc_id)
    router = names.vpc_netns(vpc.vpc_id)
    for eni in ep.enis:
        cidr = vpc.subnet(eni.subnet_id).cidr
        address = f"{eni.ip}/32" if host_routes else cidr_of(eni.ip, cidr)
        parts.add_eni(eni.eni_id, eni.subnet_id, router, ns, address, ep.endpoint_id)


class _Nlb:
    def __init__(
        self,
        parts: Parts,
        plan: DataplanePlan,
        health: HealthMap,
        nlb: NlbNet,
        kept: Mapping[str, int],
    ) -> None:
        self.parts, self.plan, self.health, self.nlb = parts, plan, health, nlb
        self.ns = names.nlb_netns(nlb.nlb_id)
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
        routes = _via_router(vpc, [n.subnet_id for n in nlb.nodes])
        for ep in self.endpoints:
            routes += self._endpoint(ep)
        rules = (*_NLB_RULES, *_eni_rules(self.enis.values()))
        return NamespaceSpec(
            self.ns,
            nlb.nlb_id,
            _NLB_SYSCTLS,
            routes=routes,
            ruleset=self._ruleset(),
            rules=rules,
            headers=self._headers(),
        )

    def _ruleset(self) -> str:
        """Per listener and AZ the AZ's candidate targets; the node and the ENIs of failed
        zones silenced."""
        zones = {node.az: self._zone(node) for node in self.nlb.nodes}
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
        endpoints = [
            nlb_rulesets.NlbEndpoint(
                ep.endpoint_id,
                tuple(self.enis[e.eni_id] for e in ep.enis),
                ep.ingress,
                ep.active,
            )
            for ep in self.endpoints
        ]
        failed = self.plan.failed_zones
        silent = [
            names.nlb_node_link(self.nlb.nlb_id, n.subnet_id)
            for n in self.nlb.nodes
            if n.az in failed
        ]
        silent += [
            names.eni_link(e.eni_id) for ep in self.endpoints for e in ep.enis if e.az in failed
        ]
        ruleset = nlb_rulesets.nlb(list(zones.values()), forwards, local_ports, endpoints)
        return rulesets.zone_down(ruleset, silent)

    def _zone(self, node: NlbNode) -> nlb_rulesets.NlbZone:
        """The node of one AZ, and the active ENIs there it serves."""
        here = [
            self.enis[e.eni_id]
            for ep in self.endpoints
            if ep.active
            for e in ep.enis
            if e.az == node.az
        ]
        return nlb_rulesets.NlbZone(
            node.ip, tuple(e.link for e in here), tuple(sorted(e.mark for e in here))
        )

    def _headers(self) -> tuple[HeaderSpec, ...]:
        """The PROXY v2 listeners: every non-TLS listener whose target group asks for it
        (a TLS listener's HAProxy sends its own), on the nodes (clients that reach the
        NLB itself: no endpoint TLV) and on the active endpoints' ENIs."""
        ports, nlb_id = _proxy_ports(self.nlb), self.nlb.nlb_id
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
        return (
            *nodes,
            *(
                HeaderSpec(
                    names.eni_link(e.eni_id),
                    names.eni_mac(e.eni_id),
                    e.eni_id,
                    port,
                    ep.endpoint_id,
                )
                for ep in self.endpoints
                if ep.active
                for e in ep.enis
                for port in ports
            ),
        )

    def _endpoint(self, ep: EndpointNet) -> tuple[RouteSpec, ...]:
        """An endpoint's ENIs in the namespace and what the driver needs to cut its
        flows; returns its ENIs' routes (each ENI's table: its subnet on its link, the
        rest via the subnet's router)."""
        add_enis(self.parts, self.plan, ep, self.ns, host_routes=True)
        vpc = self.plan.vpc(ep.vpc_id)
        routes: list[RouteSpec] = []
        for e in ep.enis:
            subnet, table = vpc.subnet(e.subnet_id), _table(self.enis[e.eni_id])
            routes.append(RouteSpec(subnet.cidr, "", table, names.eni_link(e.eni_id)))
            routes.append(RouteSpec("0.0.0.0/0", subnet.gateway, table, names.eni_link(e.eni_id)))
        zones = tuple(self.enis[e.eni_id].zone for e in ep.enis)
        self.parts.spec.endpoints[ep.endpoint_id] = EndpointState(
            ep.endpoint_id, self.ns, ep.active, zones
        )
        return tuple(routes)

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


def _proxy_ports(nlb: NlbNet) -> tuple[int, ...]:
    """The NLB's listener ports the endpoints' proxies serve (PROXY v2 target groups)."""
    return tuple(
        sorted(li.port for li in nlb.listeners if li.target_group.proxy_protocol_v2 and not li.tls)
    )
