"""Plan -> the concrete kernel objects that realise it. Pure: no I/O, testable without root.

Topology (DESIGN.md "The network, concretely"):

    instance ns ──veth── [subnet bridge] VPC router ns (base+1 per subnet; resolver on lo)
                                │ veth (ENI, address from the subnet)
                           NLB ns (one per NLB; every endpoint's ENIs) ──veth── [provider
                                subnet bridge] provider router ns (node address from the
                                provider subnet)

Why a namespace per NLB: one NLB serves many endpoints and its own VPC; its node addresses,
health checks and target choice live there. Why the endpoints' ENIs live in it too: a
packet then crosses one namespace with conntrack and one NAT stage (DNAT to the target,
SNAT to the node) between the consumer's router and the provider's; a namespace per
endpoint cost one more stage of each, about a tenth of the path's bulk rate and its
connection rate (docs/benchmarks.md, "where the rest of the gap is").

Sharing a namespace, consumers and providers must still never meet (their CIDRs may
overlap, even equal ENI addresses behind one NLB). So an ENI's address is a /32 (no route
of its subnet in the main table) and the ENI has a route table of its own (its subnet,
and the rest via its subnet's router); rulesets.py gives each ENI's flows a conntrack zone
and marks packets, and policy rules route by mark: DNATed packets and what this
namespace's own processes send by the main table (the provider's side), what an ENI
sends to the namespace by the local table, replies to an ENI's flows by the ENI's table.
The kernel's rule for the local table moves behind those, so a consumer address equal to
a local one is still routed to its ENI. The namespace reflects marks into the sockets it
accepts and the resets and errors it sends (tcp_fwmark_accept, fwmark_reflect), answers
ARP only for addresses of the link asked (arp_ignore) and accepts packets from
addresses equal to its own (accept_local: the consumer's may equal a node's).

An endpoint to an AWS service privlink implements (EndpointNet.local_port) has no NLB: it
keeps a namespace of its own, where the proxy process listens on its ENIs (port 443) and
connects from the driver's own (host) namespace to 127.0.0.1:local_port, privlink's HTTPS
API. No route or address is added on the host; the path exists only inside that process.

The host-side resolver is a DnsSpec with an empty netns: a dnsmasq on 127.0.0.1:port in the
driver's namespace that answers the endpoint-specific public names (plan.host_dns). The VPC
resolvers share one hosts file of public names (KernelSpec.public_hosts, public_dns.py).

NLB namespaces (and the endpoints' ENIs in them) are nlb_topology.py's, the VPC router
namespaces router.py's; the kernel objects themselves are spec.py's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from privlink.dataplane import names
from privlink.dataplane.linux import (
    access,
    alb_topology,
    internet,
    nlb_topology,
    router,
    router_rules,
    rulesets,
)
from privlink.dataplane.linux.nlb_topology import candidates
from privlink.dataplane.linux.proxyconfig import ProxyListener, ProxySpec
from privlink.dataplane.linux.rendered import Rendered
from privlink.dataplane.linux.spec import (
    DnsSpec,
    EndpointState,
    HealthKey,
    HealthMap,
    InstanceSpec,
    KernelSpec,
    NamespaceSpec,
    Parts,
    Port,
    RouteSpec,
)
from privlink.dataplane.plan import (
    AMAZON_DNS_LINK_LOCAL,
    HOST_RESOLVER,
    LOCAL_SERVICE_PORT,
    DataplanePlan,
    DnsRecord,
    EndpointNet,
    InstanceNet,
    SubnetNet,
)

__all__ = ["DnsSpec", "HealthKey", "KernelSpec", "build", "candidates"]


class _Builder:
    def __init__(
        self,
        plan: DataplanePlan,
        health: HealthMap,
        slots: Mapping[str, int],
        rendered: Rendered,
    ) -> None:
        self.plan = plan
        self.health = health
        self.slots = slots
        self.rendered = rendered
        self.parts = Parts()
        self.spec = self.parts.spec
        self.add_link = self.parts.add_link

    def build(self) -> KernelSpec:
        drafts = self.parts.drafts
        edges = router.edges(self.plan)
        for vpc in self.plan.vpcs:
            self.rendered.part(
                self.parts,
                ("router", vpc.vpc_id),
                router.inputs(vpc, edges),
                functools.partial(router.build, vpc=vpc, edges=edges),
            )
        shared = edges.public_names.shared
        self.spec.public_hosts = self.rendered.part(
            self.parts, "public-hosts", (shared,), lambda _: router.hosts_file(shared)
        )
        internet.build(self.parts, self.plan, edges)
        for inst in self.plan.instances:
            vpc = self.plan.vpc(inst.vpc_id)
            subnet = vpc.subnet(inst.subnet_id)
            failed = subnet.az in self.plan.failed_zones
            inputs = (inst, subnet, vpc.resolver_enabled, failed, vpc.resolver_ip)
            make = functools.partial(_instance, *inputs)
            self.rendered.part(self.parts, ("instance", inst.instance_id), inputs, make)
        access.build(self.parts, self.plan)  # bastions' sshd, Client VPN endpoints
        for nlb in self.plan.nlbs:
            drafts.append(
                nlb_topology.build(
                    self.parts, self.plan, self.health, nlb, self.slots, self.rendered
                )
            )
        for alb in self.plan.albs:
            alb_topology.build(self.parts, self.plan, alb)
        for ep in self.plan.endpoints:
            if ep.nlb_id is None:  # the others' ENIs are in their NLB's namespace
                drafts.append(self.local_endpoint(ep))
        if self.plan.host_dns_port:
            records, port = self.plan.host_dns, self.plan.host_dns_port
            make = functools.partial(_host, records=records, port=port)
            self.rendered.part(self.parts, HOST_RESOLVER, (records, port), make)
        return self.parts.finish(self.rendered.finished)

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
        to 127.0.0.1:local_port from the host side. No forwarding, no NAT."""
        assert ep.local_port is not None
        ns = names.endpoint_netns(ep.endpoint_id)
        nlb_topology.add_enis(self.parts, self.plan, ep, ns)
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
                    )
                    for e in ep.enis
                ),
            )
        self.spec.endpoints[ep.endpoint_id] = EndpointState(ep.endpoint_id, ns, ep.active)
        ruleset = rulesets.endpoint(
            [names.eni_link(e.eni_id) for e in ep.enis],
            [e.ip for e in ep.enis],
            ep.ingress,
            active=ep.active,
            proxy_ports=[LOCAL_SERVICE_PORT],
        )
        return NamespaceSpec(
            ns, ep.endpoint_id, routes=self._endpoint_routes(ep), ruleset=self._acls(ep, ruleset)
        )


def _host(parts: Parts, records: tuple[DnsRecord, ...], port: int) -> None:
    """The host-side resolver: the endpoint-specific public names on 127.0.0.1:port."""
    parts.spec.dns[HOST_RESOLVER] = DnsSpec(
        HOST_RESOLVER,
        "",
        ("127.0.0.1",),
        router.hosts_file(records),
        router.cnames(records),
        port,
        router.wildcards(records),
    )


def _instance(
    inst: InstanceNet,
    subnet: SubnetNet,
    resolver_enabled: bool,
    failed: bool,
    resolver_ip: str,
    parts: Parts,
) -> None:
    """An instance's namespace, drafted into `parts`: a veth from its subnet's bridge, its
    resolv.conf and user data, its security groups' ruleset; `failed`: its zone is in an
    outage (the whole instance is gone from the network)."""
    ns = names.instance_netns(inst.instance_id)
    parts.add_port(
        Port(
            names.vpc_netns(inst.vpc_id),
            subnet.subnet_id,
            names.instance_port(inst.instance_id),
            ns,
            names.INSTANCE_IFNAME,
            nlb_topology.cidr_of(inst.ip, subnet.cidr),
            inst.instance_id,
            names.instance_mac(inst.instance_id),
        )
    )
    resolv = f"nameserver {resolver_ip}\n" if resolver_enabled else ""
    parts.spec.instances[inst.instance_id] = InstanceSpec(
        inst.instance_id, ns, resolv, inst.user_data
    )
    resolvers = (resolver_ip, AMAZON_DNS_LINK_LOCAL)
    ruleset = rulesets.instance(inst.security.ingress, inst.security.egress, resolvers)
    if failed:
        ruleset = rulesets.zone_down(ruleset, [names.INSTANCE_IFNAME], outbound=True)
    parts.drafts.append(
        NamespaceSpec(
            ns,
            inst.instance_id,
            (("net.ipv4.ping_group_range", "0 2147483647"),),
            routes=(RouteSpec("0.0.0.0/0", subnet.gateway),),
            ruleset=ruleset,
        )
    )


def build(
    plan: DataplanePlan,
    health: HealthMap | None = None,
    slots: Mapping[str, int] | None = None,
    rendered: Rendered | None = None,
) -> KernelSpec:
    """The kernel objects for a *valid* plan (see DataplanePlan.validate / without);
    `slots`: the ENI slots of the previous build (KernelSpec.eni_slots), kept;
    `rendered`: the pieces of the previous build (rendered.py), kept where unchanged."""
    found = _Builder(plan, health or {}, slots or {}, rendered or Rendered()).build()
    if rendered is not None:
        rendered.turn()
    return found
