"""The data plane's view of security groups: allow rules with referenced groups expanded.

A packet filter knows addresses, not groups: a rule admitting "members of
sg-web" becomes one /32 per private address of every interface carrying
sg-web. Read on the store thread by the plan builder.
"""

from __future__ import annotations

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


def group_members(uow: UnitOfWork, group: SecurityGroup) -> list[str]:
    """Private addresses of the interfaces that carry a group."""
    return [
        eni.private_ip
        for eni in uow.list(NetworkInterface, group.account, group.region)
        if group.id in eni.group_ids
    ]


def _peers(uow: UnitOfWork, rule: SecurityGroupRule, members: dict[str, list[str]]) -> list[str]:
    if rule.cidr_ipv4 or rule.cidr_ipv6:
        return [rule.cidr_ipv4 or rule.cidr_ipv6 or ""]
    ref_id = rule.referenced_group_id
    if not ref_id:
        return []
    if ref_id not in members:
        ref = uow.get(SecurityGroup, ref_id)
        members[ref_id] = group_members(uow, ref) if ref else []
    return [f"{address}/32" for address in members[ref_id]]


def effective_rules(uow: UnitOfWork, group_ids: Iterable[str]) -> list[EffectiveRule]:
    """The rules of these groups (an interface's groups), referenced groups expanded.

    It reads every account's records: the plan covers the whole store."""
    wanted = list(dict.fromkeys(group_ids))
    groups = uow.get_many(SecurityGroup, wanted)
    members: dict[str, list[str]] = {}
    return [
        EffectiveRule(
            group.id,
            rule.rule_id,
            rule.is_egress,
            rule.ip_protocol,
            rule.from_port,
            rule.to_port,
            tuple(_peers(uow, rule, members)),
            rule.prefix_list_id,
        )
        for group in (groups[g] for g in wanted if g in groups)
        for rule in group.rules
    ]
