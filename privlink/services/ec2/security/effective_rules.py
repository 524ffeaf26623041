"""The data plane's view of security groups: allow rules with referenced groups expanded.

A packet filter knows addresses, not groups: a rule admitting "members of
sg-web" becomes one /32 per private address of every interface carrying
sg-web. Read by the plan builder, which keeps one `Members` index per plan: expanding
a reference by scanning the interfaces would cost every interface of the account once
per instance and endpoint, growing with the square of the world.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from privlink.services.ec2.records import NetworkInterface, SecurityGroup, SecurityGroupRule
from privlink.store.unit import UnitOfWork


@dataclass(frozen=True)
class EffectiveRule:
    """One allow rule as a packet filter needs it."""

    group_id: str
    rule_id: str
    is_egress: bool
    protocol: str  # "-1" (all), "tcp", "udp", "icmp", "icmpv6" or an IANA number
    from_port: int | None  # port range, or ICMP type; None: every port
    to_port: int | None  # ... or ICMP code
    peers: tuple[str, ...]  # CIDRs; a referenced group is its members' addresses as /32s
    prefix_list_id: str | None = None  # unresolved: privlink keeps no prefix list entries


MEMBERS = "members"  # the derived key of a group's members: (MEMBERS, group id)


class Members:
    """Private addresses of the interfaces carrying each group, from one pass over the
    interfaces (made on first use), in the interfaces' creation order."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._index: dict[tuple[str, str, str], list[str]] | None = None
        self._found: dict[str, list[str]] = {}

    def of(self, group_id: str) -> list[str]:
        """The members' addresses. A reader recording its reads (store/reads.py) records
        this answer, not the interfaces behind it: it depends on those of one group."""
        found = self._found.get(group_id)
        if found is None:
            reads, self.uow.reads = self.uow.reads, None
            try:
                found = self._found[group_id] = self._lookup(group_id)
            finally:
                self.uow.reads = reads
        if self.uow.reads is not None:
            self.uow.reads.derived[(MEMBERS, group_id)] = tuple(found)
        return found

    def _lookup(self, group_id: str) -> list[str]:
        group = self.uow.get(SecurityGroup, group_id)
        if group is None:
            return []
        if self._index is None:
            index: dict[tuple[str, str, str], list[str]] = defaultdict(list)
            for eni in self.uow.list(NetworkInterface):
                for carried in eni.group_ids:
                    index[(eni.account, eni.region, carried)].append(eni.private_ip)
            self._index = index
        return self._index.get((group.account, group.region, group.id), [])


def _peers(rule: SecurityGroupRule, members: Members) -> list[str]:
    if rule.cidr_ipv4 or rule.cidr_ipv6:
        return [rule.cidr_ipv4 or rule.cidr_ipv6 or ""]
    ref_id = rule.referenced_group_id
    if not ref_id:
        return []
    return [f"{address}/32" for address in members.of(ref_id)]


def effective_rules(
    uow: UnitOfWork, group_ids: Iterable[str], members: Members | None = None
) -> list[EffectiveRule]:
    """The rules of these groups (an interface's groups), referenced groups expanded.
    `members`: the index to expand references with (a plan passes one for all its calls).

    It reads every account's records: the plan covers the whole store."""
    wanted = list(dict.fromkeys(group_ids))
    groups = uow.get_many(SecurityGroup, wanted)
    members = members or Members(uow)
    return [
        EffectiveRule(
            group.id,
            rule.rule_id,
            rule.is_egress,
            rule.ip_protocol,
            rule.from_port,
            rule.to_port,
            tuple(_peers(rule, members)),
            rule.prefix_list_id,
        )
        for group in (groups[g] for g in wanted if g in groups)
        for rule in group.rules
    ]
