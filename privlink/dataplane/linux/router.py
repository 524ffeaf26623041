"""A VPC's router namespace (plk-vpc-<id>), from the plan. Pure: no I/O.

The router holds a bridge per subnet (its address base+1 there, as AWS's router has), the
VPC resolver on its loopback (base+2 and 169.254.169.253, one dnsmasq), and forwards
between subnets. A gateway endpoint (plan.gateways) lives here too: the service's front
addresses on the loopback, a relay (the proxy process, keyed by the VPC's first gateway
endpoint) from those addresses:443 to 127.0.0.1:local_port, and a filter that lets only the
routed subnets in. A VPC without one has no route to those addresses at all.

Route tables are policy routing: each table is a kernel table (names.route_tables), each
subnet's source CIDR looks its table up (rule 200), after the VPC's own blocks, which the
main table's connected routes reach (rule 100: AWS's local route always wins). A route
whose target the plan cannot reach gets no kernel route, so its traffic finds none, as a
blackhole route drops it. Targets: a peering connection (a veth between the two routers,
declared from the requester's side, a /31 from names.peering_addresses), the VPC's
internet gateway (a veth into plk-inet, one-to-one NAT of the public addresses), a NAT
gateway (its address in its subnet, internet.py's namespace).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass, replace

from privlink.dataplane import names
from privlink.dataplane.linux import public_dns, router_rules
from privlink.dataplane.linux.proxyconfig import ProxyListener, ProxySpec
from privlink.dataplane.linux.router_rules import (
    GatewayFilter,
    InternetEdge,
    PeeringEdge,
    Router,
    SubnetAcl,
)
from privlink.dataplane.linux.spec import (
    FORWARDING,
    MAIN_TABLE,
    DnsSpec,
    EndpointState,
    LinkSpec,
    NamespaceSpec,
    Parts,
    RouteSpec,
    RuleSpec,
    VethPeer,
)
from privlink.dataplane.plan import (
    AMAZON_DNS_LINK_LOCAL,
    LOCAL_SERVICE_PORT,
    DataplanePlan,
    DnsRecord,
    GatewayNet,
    VpcNet,
)
from privlink.dataplane.routing import NatGatewayNet, PeeringNet, PublicAddress

# A router sends no ICMP redirects: a subnet's route table, not a shortcut, decides.
# Frames bridged inside a subnet skip netfilter (br_netfilter, when the host has it, would
# run every one through the IP hooks: no ACL applies inside a subnet on AWS, and it was
# ~3 % of the cycles of a bulk transfer through a router in bench/dataplane/bench.py).
ROUTER_SYSCTLS = FORWARDING + (
    ("net.ipv4.conf.all.send_redirects", "0"),
    ("net.ipv4.conf.default.send_redirects", "0"),
    ("net.bridge.bridge-nf-call-iptables", "0"),
    ("net.bridge.bridge-nf-call-ip6tables", "0"),
    ("net.bridge.bridge-nf-call-arptables", "0"),
)
LOCAL_RULE = 100  # to the VPC's own blocks: the main table (connected routes)
TABLE_RULE = 200  # from a subnet: its route table


@dataclass(frozen=True)
class Edges:
    """What lies beyond the VPC routers, worked out once per plan."""

    peerings: dict[str, PeeringNet]
    peering_addresses: dict[str, tuple[str, str]]  # (requester side, accepter side)
    internet: dict[str, tuple[str, str]]  # VPC -> (router side, internet side)
    nats: dict[str, NatGatewayNet]
    public: dict[str, tuple[PublicAddress, ...]]  # VPC -> its public addresses
    blocks: dict[str, tuple[str, ...]]  # VPC -> its CIDR and its subnets'
    public_names: public_dns.PublicNames  # the public DNS names: shared, or in each VPC
    # Per VPC, found once per plan (not a scan per VPC): its gateway endpoints, the
    # peerings it is part of, its NAT gateways.
    gateways_of: dict[str, tuple[GatewayNet, ...]]
    peerings_of: dict[str, tuple[PeeringNet, ...]]
    nats_of: dict[str, tuple[NatGatewayNet, ...]]


def edges(plan: DataplanePlan) -> Edges:
    attached = [v.vpc_id for v in plan.vpcs if v.internet_gateway] if plan.internet else []
    public: dict[str, list[PublicAddress]] = {}
    for address in plan.internet.addresses if plan.internet else ():
        public.setdefault(address.vpc_id, []).append(address)
    gateways: dict[str, list[GatewayNet]] = {}
    for gateway in plan.gateways:
        gateways.setdefault(gateway.vpc_id, []).append(gateway)
    peerings: dict[str, list[PeeringNet]] = {}
    for peering in plan.peerings:
        for side in dict.fromkeys((peering.requester_vpc, peering.accepter_vpc)):
            peerings.setdefault(side, []).append(peering)
    nats: dict[str, list[NatGatewayNet]] = {}
    for nat in plan.nat_gateways:
        nats.setdefault(nat.vpc_id, []).append(nat)
    return Edges(
        {c.peering_id: c for c in plan.peerings},
        names.peering_addresses(c.peering_id for c in plan.peerings),
        names.internet_addresses(attached),
        {n.nat_id: n for n in plan.nat_gateways},
        {vpc: tuple(found) for vpc, found in public.items()},
        {v.vpc_id: _blocks(v) for v in plan.vpcs},
        public_dns.split(plan),
        {vpc: tuple(found) for vpc, found in gateways.items()},
        {vpc: tuple(found) for vpc, found in peerings.items()},
        {vpc: tuple(found) for vpc, found in nats.items()},
    )


def _blocks(vpc: VpcNet) -> tuple[str, ...]:
    """The VPC's CIDR and its subnets' (those of secondary blocks included), merged."""
    return _merged((vpc.cidr, *(s.cidr for s in vpc.subnets)))


@functools.lru_cache(maxsize=8192)
def _merged(cidrs: tuple[str, ...]) -> tuple[str, ...]:
    """Once per set of blocks: every plan renders every VPC's (~60 us each)."""
    nets = [ipaddress.IPv4Network(c, strict=False) for c in cidrs]
    return tuple(str(n) for n in ipaddress.collapse_addresses(nets))


def hosts_file(records: tuple[DnsRecord, ...]) -> str:
    """An addn-hosts file: one "ADDRESS NAME" line per A record (wildcards apart)."""
    return "".join(f"{ip} {r.name}\n" for r in records if not r.wildcard for ip in r.addresses)


def wildcards(records: tuple[DnsRecord, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((r.name, r.addresses) for r in records if r.wildcard)


def cnames(records: tuple[DnsRecord, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((r.name, r.cname) for r in records if r.cname)


def inputs(vpc: VpcNet, edges: Edges) -> tuple[object, ...]:
    """Everything `build` reads for this VPC (what a kept router is kept by: rendered.py):
    the VPC, its gateway endpoints, the peerings it is part of (their addresses, the
    other side's blocks), its internet link and public addresses, its NAT gateways, and
    the public names its resolver holds or follows CNAMEs into."""
    vpc_id = vpc.vpc_id
    public = edges.public_names
    cnames = {r.cname for r in (*vpc.dns_records, *public.per_vpc) if r.cname}
    return (
        vpc,
        edges.gateways_of.get(vpc_id),
        tuple(
            (p, edges.peering_addresses[p.peering_id], edges.blocks.get(p.other(vpc_id)))
            for p in edges.peerings_of.get(vpc_id, ())
        ),
        edges.internet.get(vpc_id),
        edges.public.get(vpc_id),
        edges.nats_of.get(vpc_id),
        edges.blocks[vpc_id],
        public.per_vpc,
        tuple(public.shared_by_name.get(name) for name in sorted(cnames)),
    )


def build(parts: Parts, vpc: VpcNet, edges: Edges) -> None:
    """Draft the router namespace of `vpc`: bridges, resolver, gateway relay, route
    tables, links to peers and to the internet, and its nftables table."""
    ns = names.vpc_netns(vpc.vpc_id)
    for subnet in vpc.subnets:
        parts.add_link(
            ns,
            LinkSpec(
                names.subnet_bridge(subnet.subnet_id),
                "bridge",
                addresses=(f"{subnet.gateway}/{subnet.prefixlen}",),
                owner=vpc.vpc_id,
            ),
        )
    loopback = _resolver(parts, ns, vpc, edges.public_names)
    gateway = _gateways(parts, ns, vpc, edges)
    if gateway is not None:
        loopback += tuple(f"{a}/32" for a in gateway.fronts)
    routes, rules = _route_tables(vpc, edges)
    ruleset = router_rules.router(
        Router(
            edges.blocks[vpc.vpc_id],
            tuple(SubnetAcl(names.subnet_bridge(s.subnet_id), s.acl) for s in vpc.subnets),
            gateway,
            _peering_links(parts, vpc, edges),
            _internet_link(parts, vpc, edges),
        )
    )
    parts.drafts.append(
        NamespaceSpec(
            ns, vpc.vpc_id, ROUTER_SYSCTLS, loopback, routes=routes, ruleset=ruleset, rules=rules
        )
    )


def _resolver(
    parts: Parts, ns: str, vpc: VpcNet, public: public_dns.PublicNames
) -> tuple[str, ...]:
    """The VPC resolver (base+2 and 169.254.169.253 on lo): its dnsmasq, its addresses.
    Its files hold its own answers; the public names most of them come from the shared
    file (public_dns.py)."""
    if not vpc.resolver_enabled:
        return ()
    records = public_dns.vpc_records(vpc, public)
    parts.spec.dns[vpc.vpc_id] = DnsSpec(
        vpc.vpc_id,
        ns,
        (vpc.resolver_ip, AMAZON_DNS_LINK_LOCAL),
        hosts_file(records),
        cnames(records),
        wildcards=wildcards(records),
        shared_hosts=True,
        shared_targets=hosts_file(public_dns.shared_targets(records, public)),
    )
    return (f"{vpc.resolver_ip}/32", f"{AMAZON_DNS_LINK_LOCAL}/32")


def _gateways(parts: Parts, ns: str, vpc: VpcNet, edges: Edges) -> GatewayFilter | None:
    gateways = [g for g in edges.gateways_of.get(vpc.vpc_id, ()) if g.sources]
    if not gateways:
        return None
    fronts = sorted({a for g in gateways for a in g.addresses})
    _gateway_relay(parts, ns, gateways, fronts)
    sources = tuple(c for g in gateways for c in g.sources)
    return GatewayFilter(tuple(fronts), sources, LOCAL_SERVICE_PORT)


def _next_hop(vpc: VpcNet, target: str, edges: Edges) -> str | None:
    """Where the router sends a route's traffic, or None when its target is not there."""
    peering = edges.peerings.get(target)
    if peering is not None and vpc.vpc_id in (peering.requester_vpc, peering.accepter_vpc):
        requester, accepter = edges.peering_addresses[target]
        return accepter if vpc.vpc_id == peering.requester_vpc else requester
    if target == vpc.internet_gateway and vpc.vpc_id in edges.internet:
        return edges.internet[vpc.vpc_id][1]
    nat = edges.nats.get(target)
    if nat is not None and nat.vpc_id == vpc.vpc_id:
        return nat.ip
    return None


def _route_tables(vpc: VpcNet, edges: Edges) -> tuple[tuple[RouteSpec, ...], tuple[RuleSpec, ...]]:
    """Each route table's reachable routes in its kernel table, and the rules that send
    each subnet's traffic there (its own blocks first, by the main table)."""
    numbers = names.route_tables(t.table_id for t in vpc.route_tables)
    routes: dict[tuple[int, str], RouteSpec] = {}
    for table in vpc.route_tables:
        for route in table.routes:
            hop = _next_hop(vpc, route.target, edges)
            dst = str(ipaddress.IPv4Network(route.destination, strict=False))
            key = (numbers[table.table_id], dst)
            if hop is not None and key not in routes:
                routes[key] = RouteSpec(dst, hop, numbers[table.table_id])
    subnets = [s for s in vpc.subnets if s.route_table in numbers]
    if not subnets:
        return tuple(routes.values()), ()
    rules = [RuleSpec(LOCAL_RULE, MAIN_TABLE, dst=cidr) for cidr in edges.blocks[vpc.vpc_id]]
    rules += [
        RuleSpec(TABLE_RULE, numbers[s.route_table], src=str(ipaddress.IPv4Network(s.cidr)))
        for s in subnets
    ]
    return tuple(routes.values()), tuple(rules)


def _peering_links(parts: Parts, vpc: VpcNet, edges: Edges) -> tuple[PeeringEdge, ...]:
    """This router's end of each peering link (the requester's declares the veth)."""
    found = []
    ns = names.vpc_netns(vpc.vpc_id)
    for peering in edges.peerings_of.get(vpc.vpc_id, ()):
        other = peering.other(vpc.vpc_id)
        requester, accepter = edges.peering_addresses[peering.peering_id]
        mine = names.peering_link(peering.peering_id, vpc.vpc_id)
        if vpc.vpc_id == peering.requester_vpc:
            far = VethPeer(names.peering_link(peering.peering_id, other), names.vpc_netns(other))
            link = LinkSpec(mine, "veth", far, addresses=(f"{requester}/31",))
        else:
            link = LinkSpec(mine, "peer", addresses=(f"{accepter}/31",))
        parts.add_link(ns, replace(link, owner=peering.peering_id))
        found.append(PeeringEdge(mine, edges.blocks[other]))
    return tuple(found)


def _internet_link(parts: Parts, vpc: VpcNet, edges: Edges) -> InternetEdge | None:
    """The internet gateway: a veth from the router into plk-inet (whose end internet.py
    configures), when the VPC has one attached and the plan has an internet."""
    if vpc.vpc_id not in edges.internet:
        return None
    mine, _ = edges.internet[vpc.vpc_id]
    link = names.internet_port(vpc.vpc_id)
    parts.add_link(
        names.vpc_netns(vpc.vpc_id),
        LinkSpec(
            link,
            "veth",
            VethPeer(names.internet_link(vpc.vpc_id), names.INTERNET_NETNS),
            addresses=(f"{mine}/31",),
            owner=vpc.internet_gateway,
        ),
    )
    return InternetEdge(link, edges.public.get(vpc.vpc_id, ()))


def _gateway_relay(parts: Parts, ns: str, gateways: list[GatewayNet], fronts: list[str]) -> None:
    """One relay per VPC (several gateway endpoints to S3 share the front addresses),
    keyed by the first endpoint id; its state is an always-active endpoint's."""
    relay = min(g.endpoint_id for g in gateways)
    port = next(g.local_port for g in gateways if g.endpoint_id == relay)
    parts.spec.proxies[relay] = ProxySpec(
        relay,
        ns,
        "",
        tuple(
            ProxyListener(a, LOCAL_SERVICE_PORT, "127.0.0.1", (("127.0.0.1", port),))
            for a in fronts
        ),
    )
    parts.spec.endpoints[relay] = EndpointState(relay, ns, True)
