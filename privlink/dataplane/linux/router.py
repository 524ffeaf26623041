"""A VPC's router namespace (plk-vpc-<id>), from the plan. Pure: no I/O.

The router holds a bridge per subnet (its address base+1 there, as AWS's router has), the
VPC resolver on its loopback (base+2 and 169.254.169.253, one dnsmasq), and forwards
between subnets. A gateway endpoint (plan.gateways) lives here too: the service's front
addresses on the loopback, a relay (the proxy process, keyed by the VPC's first gateway
endpoint) from those addresses:443 to 127.0.0.1:local_port, and a filter that lets only the
routed subnets in. A VPC without one has no route to those addresses at all.
"""

from __future__ import annotations

from privlink.dataplane import names
from privlink.dataplane.linux import rulesets
from privlink.dataplane.linux.proxyconfig import ProxyListener, ProxySpec
from privlink.dataplane.linux.spec import (
    FORWARDING,
    DnsSpec,
    EndpointState,
    LinkSpec,
    NamespaceSpec,
    Parts,
)
from privlink.dataplane.plan import (
    AMAZON_DNS_LINK_LOCAL,
    LOCAL_SERVICE_PORT,
    DataplanePlan,
    DnsRecord,
    GatewayNet,
    VpcNet,
)


def hosts_file(records: tuple[DnsRecord, ...]) -> str:
    """An addn-hosts file: one "ADDRESS NAME" line per A record (wildcards apart)."""
    return "".join(f"{ip} {r.name}\n" for r in records if not r.wildcard for ip in r.addresses)


def wildcards(records: tuple[DnsRecord, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((r.name, r.addresses) for r in records if r.wildcard)


def cnames(records: tuple[DnsRecord, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((r.name, r.cname) for r in records if r.cname)


def build(parts: Parts, plan: DataplanePlan, vpc: VpcNet) -> None:
    """Draft the router namespace of `vpc`, its bridges, resolver and gateway relay."""
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
    loopback: tuple[str, ...] = ()
    if vpc.resolver_enabled:
        loopback = (f"{vpc.resolver_ip}/32", f"{AMAZON_DNS_LINK_LOCAL}/32")
        parts.spec.dns[vpc.vpc_id] = DnsSpec(
            vpc.vpc_id,
            ns,
            (vpc.resolver_ip, AMAZON_DNS_LINK_LOCAL),
            hosts_file(vpc.dns_records),
            cnames(vpc.dns_records),
            wildcards=wildcards(vpc.dns_records),
        )
    gateways = [g for g in plan.gateways if g.vpc_id == vpc.vpc_id and g.sources]
    if not gateways:
        parts.drafts.append(NamespaceSpec(ns, vpc.vpc_id, FORWARDING, loopback))
        return
    fronts = sorted({a for g in gateways for a in g.addresses})
    _gateway_relay(parts, ns, gateways, fronts)
    ruleset = rulesets.gateway(fronts, [c for g in gateways for c in g.sources], LOCAL_SERVICE_PORT)
    loopback += tuple(f"{a}/32" for a in fronts)
    parts.drafts.append(NamespaceSpec(ns, vpc.vpc_id, FORWARDING, loopback, ruleset=ruleset))


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
            ProxyListener(a, LOCAL_SERVICE_PORT, "127.0.0.1", (("127.0.0.1", port),), False)
            for a in fronts
        ),
    )
    parts.spec.endpoints[relay] = EndpointState(relay, ns, True, "", ())
