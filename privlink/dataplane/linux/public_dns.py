"""Where the plan's public names go: one shared hosts file, or each VPC's own resolver.
Pure: no I/O.

Every VPC resolver answers every public name (plan.public_dns) unless the VPC has a record
of that name itself. Copying them all into each VPC's hosts file made every endpoint cost
a line in every VPC, and any change anywhere rewrote and reloaded every resolver. So the
plain A records that no VPC answers itself go into ONE hosts file, which every VPC
resolver's front reads as a second addn-hosts (dnsmasq.py). The rest stay in each VPC's
own DnsSpec, as before (they are few):

* a public name some VPC answers itself (split horizon, an endpoint's private DNS name
  over S3's public one ...): dnsmasq merges the answers of all its hosts files, so in the
  shared file it would add the public addresses to that VPC's own answer;
* CNAMEs and wildcards: the back answers those (cname=, address= lines), not a hosts file.

A CNAME's target that lives only in the shared file is copied into the back's hosts file
(`shared_targets`): dnsmasq follows a CNAME only to a name it holds itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink.dataplane.plan import DataplanePlan, DnsRecord, VpcNet


@dataclass(frozen=True)
class PublicNames:
    """The plan's public names, split: `shared` (the shared hosts file), `per_vpc` (into
    each VPC resolver that has no record of the name), and `shared_by_name`."""

    shared: tuple[DnsRecord, ...]
    per_vpc: tuple[DnsRecord, ...]
    shared_by_name: dict[str, DnsRecord]


def split(plan: DataplanePlan) -> PublicNames:
    """Plain A records no running VPC resolver answers itself go to the shared file."""
    overridden = {r.name for v in plan.vpcs if v.resolver_enabled for r in v.dns_records}
    shared: list[DnsRecord] = []
    per_vpc: list[DnsRecord] = []
    for record in plan.public_dns:
        plain = bool(record.addresses) and not record.cname and not record.wildcard
        (shared if plain and record.name not in overridden else per_vpc).append(record)
    return PublicNames(tuple(shared), tuple(per_vpc), {r.name: r for r in shared})


def vpc_records(vpc: VpcNet, names: PublicNames) -> tuple[DnsRecord, ...]:
    """What the VPC's own resolver files hold: its records, and the per-VPC public ones of
    names it has no record of (sorted by name)."""
    own = {r.name for r in vpc.dns_records}
    extra = tuple(r for r in names.per_vpc if r.name not in own)
    if not extra:
        return vpc.dns_records
    return tuple(sorted(vpc.dns_records + extra, key=lambda r: r.name))


def shared_targets(records: tuple[DnsRecord, ...], names: PublicNames) -> tuple[DnsRecord, ...]:
    """The shared records that CNAMEs of `records` point to (and `records` do not hold):
    the back must hold them to follow those CNAMEs."""
    own = {r.name for r in records}
    targets = sorted({r.cname for r in records if r.cname and r.cname not in own})
    return tuple(names.shared_by_name[t] for t in targets if t in names.shared_by_name)
