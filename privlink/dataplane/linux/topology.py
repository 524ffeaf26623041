"""Plan -> the concrete kernel objects that realise it. Pure: no I/O, testable without root.

Topology (DESIGN.md "The network, concretely"):

    instance ns ──veth── [subnet bridge] VPC router ns (base+1 per subnet; resolver on lo)
                                │ veth (ENI, address from the subnet)
                        endpoint ns (one per endpoint)
                                │ veth per ENI, a transit /31 from 169.254.0.0/17
                           NLB ns (one per NLB) ──veth── [provider subnet bridge] provider router ns
                                                  (node address from the provider subnet)

Why a namespace per endpoint (not the ENI addresses on the consumer router): the endpoint
needs its own NAT, filter and conntrack table, so flushing an inactive endpoint's flows
touches nothing else, and its consumer-side routes never share a routing table with
provider addresses (overlapping CIDRs). Why a namespace per NLB: one NLB serves many
endpoints and its own VPC; its node addresses, health checks and target choice live there.
Two NAT stages (endpoint: ENI -> transit, NLB: transit -> target, SNAT to the node) keep the
consumer's addresses out of the provider side entirely.

An endpoint to an AWS service privlink implements (EndpointNet.local_port) has no NLB and no
transit link: the proxy process listens on its ENIs (port 443) and connects from the
driver's own (host) namespace to 127.0.0.1:local_port, privlink's HTTPS API. No route or
address is added on the host; the path exists only inside that process.

The host-side resolver is a DnsSpec with an empty netns: a dnsmasq on 127.0.0.1:port in the
driver's namespace that answers the endpoint-specific public names (plan.host_dns). The VPC
resolvers share one hosts file of public names (KernelSpec.public_hosts, public_dns.py).

The VPC router namespaces are router.py's; the kernel objects themselves are spec.py's.
"""

from __future__ import annotations

import ipaddress

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux import access, alb_topology, internet, router, router_rules, rulesets
from privlink.dataplane.linux.proxyconfig import ProxyListener, ProxySpec
from privlink.dataplane.linux.spec import (
    FORWARDING,
    CheckSpec,
    DnsSpec,
    EndpointState,
    HealthKey,
    HealthMap,
    InstanceSpec,
    KernelSpec,
    LinkSpec,
    NamespaceSpec,
    Parts,
    RouteSpec,
    VethPeer,
)
from privlink.dataplane.plan import (
    AMAZON_DNS_LINK_LOCAL,
    HOST_RESOLVER,
    LOCAL_SERVICE_PORT,
    DataplanePlan,
    EndpointNet,
    InstanceNet,
    NlbNet,
    NlbNode,
    Target,
    TargetGroupNet,
    VpcNet,
)

__all__ = ["DnsSpec", "HealthKey", "KernelSpec", "build", "candidates"]


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


def _cidr_of(ip: str, subnet_cidr: str) -> str:
    return f"{ip}/{ipaddress.ip_network(subnet_cidr).prefixlen}"


def _via_router(vpc: VpcNet, subnet_ids: list[str]) -> tuple[RouteSpec, ...]:
    """Everything not on its own subnets via the router, from the first attached subnet:
    the rest of the VPC, and the clients of an internet-facing NLB (the router's one-to-one
    NAT brings them in to the node's address) or of a peer VPC."""
    if not subnet_ids:
        return ()
    return (RouteSpec("0.0.0.0/0", vpc.subnet(sorted(subnet_ids)[0]).gateway),)


class _Builder:
    def __init__(self, plan: DataplanePlan, health: HealthMap) -> None:
        self.plan = plan
        self.health = health
        self.parts = Parts()
        self.spec = self.parts.spec
        self.add_link = self.parts.add_link
        self.transit: dict[str, dict[str, tuple[str, str]]] = {}
        for nlb in plan.nlbs:
            enis = [e.eni_id for ep in plan.endpoints if ep.nlb_id == nlb.nlb_id for e in ep.enis]
            self.transit[nlb.nlb_id] = names.transit_addresses(enis)

    def build(self) -> KernelSpec:
        drafts = self.parts.drafts
        edges = router.edges(self.plan)
        for vpc in self.plan.vpcs:
            router.build(self.parts, self.plan, vpc, edges)
        self.spec.public_hosts = router.hosts_file(edges.public_names.shared)
        internet.build(self.parts, self.plan, edges)
        for inst in self.plan.instances:
            drafts.append(self.instance(inst))
        access.build(self.parts, self.plan)  # bastions' sshd, Client VPN endpoints
        for nlb in self.plan.nlbs:
            drafts.append(self.nlb(nlb))
        for alb in self.plan.albs:
            alb_topology.build(self.parts, self.plan, alb)
        for ep in self.plan.endpoints:
            drafts.append(self.local_endpoint(ep) if ep.nlb_id is None else self.endpoint(ep))
        if self.plan.host_dns_port:
            records = self.plan.host_dns
            self.spec.dns[HOST_RESOLVER] = DnsSpec(
                HOST_RESOLVER,
                "",
                ("127.0.0.1",),
                router.hosts_file(records),
                router.cnames(records),
                self.plan.host_dns_port,
                router.wildcards(records),
            )
        return self.parts.finish()

    def instance(self, inst: InstanceNet) -> NamespaceSpec:
        vpc = self.plan.vpc(inst.vpc_id)
        subnet = vpc.subnet(inst.subnet_id)
        ns = names.instance_netns(inst.instance_id)
        self.add_link(
            names.vpc_netns(vpc.vpc_id),
            LinkSpec(
                names.instance_port(inst.instance_id),
                "veth",
                VethPeer(names.INSTANCE_IFNAME, ns),
                names.subnet_bridge(subnet.subnet_id),
                owner=inst.instance_id,
            ),
        )
        self.add_link(
            ns,
            LinkSpec(
                names.INSTANCE_IFNAME,
                "peer",
                addresses=(_cidr_of(inst.ip, subnet.cidr),),
                owner=inst.instance_id,
            ),
        )
        resolvers = (vpc.resolver_ip, AMAZON_DNS_LINK_LOCAL)
        resolv = f"nameserver {vpc.resolver_ip}\n" if vpc.resolver_enabled else ""
        self.spec.instances[inst.instance_id] = InstanceSpec(
            inst.instance_id, ns, resolv, inst.user_data
        )
        ruleset = rulesets.instance(inst.security.ingress, inst.security.egress, resolvers)
        if subnet.az in self.plan.failed_zones:  # the whole instance is gone from the network
            ruleset = rulesets.zone_down(ruleset, [names.INSTANCE_IFNAME], outbound=True)
        return NamespaceSpec(
            ns,
            inst.instance_id,
            (("net.ipv4.ping_group_range", "0 2147483647"),),
            routes=(RouteSpec("0.0.0.0/0", subnet.gateway),),
            ruleset=ruleset,
        )

    def nlb(self, nlb: NlbNet) -> NamespaceSpec:
        ns = names.nlb_netns(nlb.nlb_id)
        vpc = self.plan.vpc(nlb.vpc_id)
        self._nlb_nodes(nlb, vpc, ns)
        arrivals = self._nlb_arrivals(nlb, ns)
        zones = {
            node.az: rulesets.NlbZone(node.ip, tuple(sorted(arrivals[node.az])))
            for node in nlb.nodes
        }
        forwards = [
            rulesets.NlbForward(
                li.protocol, li.port, zones[az], candidates(li.target_group, az, self.health)
            )
            for li in nlb.listeners
            if li.tls is None  # TLS listeners end in the namespace's HAProxy
            for az in sorted(zones)
        ]
        local_ports = alb_topology.nlb_tls(self.parts, nlb, ns)
        for tg in nlb.target_groups():
            self._checks(nlb, tg, ns)
        sysctls = FORWARDING + (
            ("net.ipv4.tcp_tw_reuse", "1"),
            ("net.ipv4.ip_local_port_range", "1024 65535"),
        )
        return NamespaceSpec(
            ns,
            nlb.nlb_id,
            sysctls,
            routes=_via_router(vpc, [n.subnet_id for n in nlb.nodes]),
            ruleset=rulesets.zone_down(
                rulesets.nlb(list(zones.values()), forwards, local_ports),
                [
                    names.nlb_node_link(nlb.nlb_id, n.subnet_id)
                    for n in nlb.nodes
                    if n.az in self.plan.failed_zones
                ],
            ),
        )

    def _nlb_nodes(self, nlb: NlbNet, vpc: VpcNet, ns: str) -> None:
        """A veth per node from its subnet's bridge in the router, the node address inside."""
        router = names.vpc_netns(vpc.vpc_id)
        for node in nlb.nodes:
            subnet = vpc.subnet(node.subnet_id)
            inner = names.nlb_node_link(nlb.nlb_id, node.subnet_id)
            self.add_link(
                router,
                LinkSpec(
                    names.nlb_node_port(nlb.nlb_id, node.subnet_id),
                    "veth",
                    VethPeer(inner, ns),
                    names.subnet_bridge(node.subnet_id),
                    owner=nlb.nlb_id,
                ),
            )
            self.add_link(
                ns,
                LinkSpec(
                    inner, "peer", addresses=(_cidr_of(node.ip, subnet.cidr),), owner=nlb.nlb_id
                ),
            )

    def _nlb_arrivals(self, nlb: NlbNet, ns: str) -> dict[str, list[str]]:
        """The NLB side of each endpoint ENI's transit link, by the ENI's AZ."""
        arrivals: dict[str, list[str]] = {node.az: [] for node in nlb.nodes}
        for ep in self.plan.endpoints:
            if ep.nlb_id != nlb.nlb_id:
                continue
            for eni in ep.enis:
                _, remote = self.transit[nlb.nlb_id][eni.eni_id]
                self.add_link(
                    ns,
                    LinkSpec(
                        names.transit_nlb_side(eni.eni_id),
                        "peer",
                        addresses=(f"{remote}/31",),
                        owner=ep.endpoint_id,
                    ),
                )
                if eni.az in arrivals:
                    arrivals[eni.az].append(remote)
        return arrivals

    def _checks(self, nlb: NlbNet, tg: TargetGroupNet, ns: str) -> None:
        if tg.health_check is None:
            return
        for t in tg.targets:
            node = nlb.node_in(t.az) or self._live_node(nlb)
            self.spec.checks.append(
                CheckSpec(
                    (tg.target_group_id, t.ip, t.port),
                    ns,
                    node.ip,
                    tg.health_check.port or t.port,
                    tg.health_check,
                    tg.proxy_protocol_v2,
                )
            )

    def _live_node(self, nlb: NlbNet) -> NlbNode:
        """The node that checks targets in zones without one: a node outside failed zones
        when there is one (a failed node's checks would fail every target)."""
        live = [n for n in nlb.nodes if n.az not in self.plan.failed_zones]
        return (live or list(nlb.nodes))[0]

    def _enis(self, ep: EndpointNet, ns: str) -> None:
        """Each ENI: a veth from its subnet's bridge in the VPC router into `ns`."""
        vpc = self.plan.vpc(ep.vpc_id)
        router = names.vpc_netns(vpc.vpc_id)
        for eni in ep.enis:
            subnet = vpc.subnet(eni.subnet_id)
            self.add_link(
                router,
                LinkSpec(
                    names.eni_port(eni.eni_id),
                    "veth",
                    VethPeer(names.eni_link(eni.eni_id), ns),
                    names.subnet_bridge(subnet.subnet_id),
                    owner=ep.endpoint_id,
                ),
            )
            self.add_link(
                ns,
                LinkSpec(
                    names.eni_link(eni.eni_id),
                    "peer",
                    addresses=(_cidr_of(eni.ip, subnet.cidr),),
                    owner=ep.endpoint_id,
                ),
            )

    def _acls(self, ep: EndpointNet, ruleset: str) -> str:
        """The endpoint's ruleset plus its subnets' ACLs on answers that cross between
        its ENIs' subnets inside the namespace (router_rules.eni_crossings), and its ENIs
        in failed zones silenced (rulesets.zone_down)."""
        failed = self.plan.failed_zones
        ruleset = rulesets.zone_down(
            ruleset, [names.eni_link(e.eni_id) for e in ep.enis if e.az in failed]
        )
        vpc = self.plan.vpc(ep.vpc_id)
        crossings = router_rules.eni_crossings(
            [
                router_rules.EniAcl(names.eni_link(e.eni_id), e.ip, vpc.subnet(e.subnet_id).acl)
                for e in ep.enis
            ]
        )
        return f"{ruleset}\n{crossings}" if crossings else ruleset

    def _endpoint_routes(self, ep: EndpointNet) -> tuple[RouteSpec, ...]:
        """Everything via the router of the first ENI's subnet: answers go back to any
        client the VPC's routes reach (a peered VPC's too, as AWS allows)."""
        if not ep.enis:
            return ()
        vpc = self.plan.vpc(ep.vpc_id)
        first = vpc.subnet(sorted(e.subnet_id for e in ep.enis)[0])
        return (RouteSpec("0.0.0.0/0", first.gateway),)

    def local_endpoint(self, ep: EndpointNet) -> NamespaceSpec:
        """An endpoint to privlink's own API: ENIs only, a proxy on ENI:443 that connects
        to 127.0.0.1:local_port from the host side. No forwarding, no NAT, no transit."""
        assert ep.local_port is not None
        ns = names.endpoint_netns(ep.endpoint_id)
        self._enis(ep, ns)
        paths = [rulesets.EniPath(names.eni_link(e.eni_id), e.ip, "", "", "") for e in ep.enis]
        if ep.active and ep.enis:
            self.spec.proxies[ep.endpoint_id] = ProxySpec(
                ep.endpoint_id,
                ns,
                "",
                tuple(
                    ProxyListener(
                        e.ip,
                        LOCAL_SERVICE_PORT,
                        "127.0.0.1",
                        (("127.0.0.1", ep.local_port),),
                        proxy_protocol=False,
                    )
                    for e in ep.enis
                ),
            )
        self.spec.endpoints[ep.endpoint_id] = EndpointState(ep.endpoint_id, ns, ep.active, "", ())
        ruleset = rulesets.endpoint(
            paths,
            ep.ingress,
            active=ep.active,
            tcp_ports=[],
            udp_ports=[],
            proxy_ports=[LOCAL_SERVICE_PORT],
        )
        return NamespaceSpec(
            ns, ep.endpoint_id, routes=self._endpoint_routes(ep), ruleset=self._acls(ep, ruleset)
        )

    def endpoint(self, ep: EndpointNet) -> NamespaceSpec:
        assert ep.nlb_id is not None
        ns = names.endpoint_netns(ep.endpoint_id)
        nlb = self.plan.nlb(ep.nlb_id)
        nlb_ns = names.nlb_netns(nlb.nlb_id)
        self._enis(ep, ns)
        paths, proxy_listeners = self._transit(ep, ns, nlb)
        ports = _listener_ports(nlb)
        if ep.active and proxy_listeners:
            self.spec.proxies[ep.endpoint_id] = ProxySpec(
                ep.endpoint_id, ns, nlb_ns, tuple(proxy_listeners)
            )
        self.spec.endpoints[ep.endpoint_id] = EndpointState(
            ep.endpoint_id, ns, ep.active, nlb_ns, tuple(p.transit_local for p in paths)
        )
        ruleset = rulesets.endpoint(
            paths,
            ep.ingress,
            active=ep.active,
            tcp_ports=ports["tcp"],
            udp_ports=ports["udp"],
            proxy_ports=ports["proxy"],
        )
        return NamespaceSpec(
            ns,
            ep.endpoint_id,
            FORWARDING,
            routes=self._endpoint_routes(ep),
            ruleset=self._acls(ep, ruleset),
        )

    def _transit(
        self, ep: EndpointNet, ns: str, nlb: NlbNet
    ) -> tuple[list[rulesets.EniPath], list[ProxyListener]]:
        """Each ENI's transit veth to the NLB, its NAT path, and the PROXY-v2 listeners it
        serves (on the ENI address, to the AZ's candidate targets via the node)."""
        paths: list[rulesets.EniPath] = []
        proxy_listeners: list[ProxyListener] = []
        for eni in ep.enis:
            local, remote = self.transit[nlb.nlb_id][eni.eni_id]
            self.add_link(
                ns,
                LinkSpec(
                    names.transit_endpoint_side(eni.eni_id),
                    "veth",
                    VethPeer(names.transit_nlb_side(eni.eni_id), names.nlb_netns(nlb.nlb_id)),
                    addresses=(f"{local}/31",),
                    owner=ep.endpoint_id,
                ),
            )
            node = nlb.node_in(eni.az)
            paths.append(
                rulesets.EniPath(
                    names.eni_link(eni.eni_id),
                    eni.ip,
                    names.transit_endpoint_side(eni.eni_id),
                    local,
                    remote if node else "",
                )
            )
            if node is None:
                continue
            for li in nlb.listeners:
                if not li.target_group.proxy_protocol_v2:
                    continue
                targets = candidates(li.target_group, eni.az, self.health)
                if targets:  # nothing to reach from this AZ: the kernel resets
                    proxy_listeners.append(
                        ProxyListener(
                            eni.ip, li.port, node.ip, tuple((t.ip, t.port) for t in targets)
                        )
                    )
        return paths, proxy_listeners


def _listener_ports(nlb: NlbNet) -> dict[str, list[int]]:
    """The NLB's listener ports an endpoint NATs (tcp, udp) or proxies (PROXY v2)."""
    return {
        kind: sorted(
            li.port
            for li in nlb.listeners
            if li.protocol == proto and li.target_group.proxy_protocol_v2 == ppv2
        )
        for kind, proto, ppv2 in (
            ("tcp", "tcp", False),
            ("udp", "udp", False),
            ("proxy", "tcp", True),
        )
    }


def build(plan: DataplanePlan, health: HealthMap | None = None) -> KernelSpec:
    """The kernel objects for a *valid* plan (see DataplanePlan.validate / without)."""
    return _Builder(plan, health or {}).build()
