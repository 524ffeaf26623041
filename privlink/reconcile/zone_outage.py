"""A zonal outage in the plan: the failed zones' addresses leave the DNS answers.

On AWS the endpoint-specific and load balancer names are health-checked
records: during a zonal outage the regional name (and a private DNS name, an
alias of it) stops answering the failed zone's addresses, and the zonal name
of that zone has nothing left to answer. The same happens here to every name
that answers with an interface endpoint's ENI address or a load balancer node
address in a failed zone (their private addresses and the public addresses
NATed to them); a name left with no address is no longer answered at all.
Names of instances keep their records (they are not health-checked on AWS).

What "stops answering" means in the kernel is the driver's business
(`DataplanePlan.failed_zones`, linux/topology.py); this module only trims what
resolvers say. Pure: plan in, plan out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from privlink.dataplane import plan as p
from privlink.dataplane.alb import AlbNet


def apply(plan: p.DataplanePlan, failed: frozenset[str]) -> p.DataplanePlan:
    """`plan` in which `failed` zones are down: the zones recorded, DNS answers trimmed."""
    if not failed:
        return plan
    checked, gone = _addresses(plan, lambda az: True), _addresses(plan, failed.__contains__)
    internet = plan.internet
    if internet is not None:
        internet = replace(internet, dns_records=_trim(internet.dns_records, checked, gone))
    public = _trim(plan.public_dns, checked, gone)
    dropped = frozenset(r.name for r in plan.public_dns) - {r.name for r in public}
    return replace(
        plan,
        vpcs=tuple(
            replace(v, dns_records=_trim(v.dns_records, checked, gone, dropped)) for v in plan.vpcs
        ),
        host_dns=_trim(plan.host_dns, checked, gone),
        internet=internet,
        failed_zones=failed,
        public_dns=public,
    )


def _addresses(plan: p.DataplanePlan, zone: Callable[[str], bool]) -> frozenset[str]:
    """Endpoint ENI and load balancer node addresses in the zones `zone` picks, private
    and the public ones NATed to them (matched in their own VPC: CIDRs overlap)."""
    private = {(ep.vpc_id, e.ip) for ep in plan.endpoints for e in ep.enis if zone(e.az)}
    owners: list[p.NlbNet | AlbNet] = [*plan.nlbs, *plan.albs]
    private |= {(lb.vpc_id, n.ip) for lb in owners for n in lb.nodes if zone(n.az)}
    public = {
        a.public_ip
        for a in (plan.internet.addresses if plan.internet else ())
        if (a.vpc_id, a.private_ip) in private
    }
    return frozenset({ip for _, ip in private} | public)


def _trim(
    records: tuple[p.DnsRecord, ...],
    checked: frozenset[str],
    gone: frozenset[str],
    public_dropped: frozenset[str] = frozenset(),
) -> tuple[p.DnsRecord, ...]:
    """Health-checked records (every address an ENI's or a node's) without the gone
    addresses; one left with none disappears, and so does a CNAME to it (or to a public
    name in `public_dropped` that these records do not answer themselves)."""
    kept: list[p.DnsRecord] = []
    dropped = set(public_dropped - {r.name for r in records})
    for record in records:
        if not record.addresses or not set(record.addresses) <= checked:
            kept.append(record)
            continue
        left = tuple(a for a in record.addresses if a not in gone)
        if left:
            kept.append(replace(record, addresses=left))
        else:
            dropped.add(record.name)
    return tuple(r for r in kept if r.cname is None or r.cname not in dropped)
