"""privlink's internet (plk-inet) and NAT gateways, from the plan. Pure: no I/O.

plk-inet is "the internet": each VPC with an internet gateway has a veth from its router
into it (router.py declares it), every public address is routed to its VPC's router, which
NATs it one-to-one to the private address (the internet gateway, as AWS does it). It is
also a computer on that internet: INTERNET_COMPUTER on its loopback, a resolver there that
answers privlink's public names, and /etc/netns/plk-inet/resolv.conf pointing at it, so
`privlink exec --internet -- COMMAND` (ip netns exec plk-inet) is a user's own machine.
The host's namespace gets no address or route: nothing reaches or leaves the machine.

A NAT gateway is a namespace with its interface on its subnet's bridge (like an instance):
traffic a route table sends to it leaves SNATed to its private address, towards its
subnet's router address; the router then NATs that address to the gateway's Elastic IP on
the way out of the internet gateway, as on AWS (its subnet needs a route to one).
"""

from __future__ import annotations

from privlink.dataplane import names
from privlink.dataplane.linux import router, rulesets
from privlink.dataplane.linux.router import Edges
from privlink.dataplane.linux.spec import (
    FORWARDING,
    DnsSpec,
    LinkSpec,
    NamespaceSpec,
    Parts,
    Port,
    RouteSpec,
)
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.routing import INTERNET, InternetNet, NatGatewayNet

# The internet computer's address: TEST-NET-3 (RFC 5737), never routed on the real internet.
INTERNET_COMPUTER = "203.0.113.10"
NO_REDIRECTS = (
    ("net.ipv4.conf.all.send_redirects", "0"),
    ("net.ipv4.conf.default.send_redirects", "0"),
)
PING = (("net.ipv4.ping_group_range", "0 2147483647"),)


def build(parts: Parts, plan: DataplanePlan, edges: Edges) -> None:
    for nat in plan.nat_gateways:
        _nat_gateway(parts, plan, nat)
    if plan.internet is not None:
        _internet(parts, plan.internet, edges)


def _internet(parts: Parts, internet: InternetNet, edges: Edges) -> None:
    ns = names.INTERNET_NETNS
    for vpc_id, (_, mine) in sorted(edges.internet.items()):
        parts.add_link(ns, LinkSpec(names.internet_link(vpc_id), "peer", addresses=(f"{mine}/31",)))
    routes = tuple(
        RouteSpec(f"{a.public_ip}/32", edges.internet[a.vpc_id][0])
        for a in internet.addresses
        if a.vpc_id in edges.internet
    )
    records = internet.dns_records
    parts.spec.dns[INTERNET] = DnsSpec(
        INTERNET,
        ns,
        (INTERNET_COMPUTER,),
        router.hosts_file(records),
        router.cnames(records),
        wildcards=router.wildcards(records),
    )
    parts.spec.resolv[ns] = f"nameserver {INTERNET_COMPUTER}\n"
    parts.drafts.append(
        NamespaceSpec(
            ns,
            INTERNET,
            FORWARDING + PING,
            (f"{INTERNET_COMPUTER}/32",),
            routes=routes,
            ruleset=rulesets.internet(names.INTERNET_LINKS, INTERNET_COMPUTER),
        )
    )


def _nat_gateway(parts: Parts, plan: DataplanePlan, nat: NatGatewayNet) -> None:
    subnet = plan.vpc(nat.vpc_id).subnet(nat.subnet_id)
    ns = names.nat_netns(nat.nat_id)
    parts.add_port(
        Port(
            names.vpc_netns(nat.vpc_id),
            subnet.subnet_id,
            names.nat_port(nat.nat_id),
            ns,
            names.INSTANCE_IFNAME,
            f"{nat.ip}/{subnet.prefixlen}",
            nat.nat_id,
        )
    )
    parts.drafts.append(
        NamespaceSpec(
            ns,
            nat.nat_id,
            FORWARDING + NO_REDIRECTS,
            routes=(RouteSpec("0.0.0.0/0", subnet.gateway),),
            ruleset=rulesets.zone_down(  # in a failed zone, nothing passes it
                rulesets.nat_gateway(names.INSTANCE_IFNAME, nat.ip),
                [names.INSTANCE_IFNAME] if subnet.az in plan.failed_zones else [],
                outbound=True,
            ),
        )
    )
