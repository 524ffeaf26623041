"""Network ACL operations and the effective-rules query the data plane enforces.

Every VPC has one default ACL (allow everything both ways, then the
catch-all deny 32767), made with the VPC. Every subnet is associated with
exactly one ACL: the default one when it is made, another after
ReplaceNetworkAclAssociation. Rules are numbered per direction and
evaluated lowest number first; the first match decides (stateless, so both
directions are checked separately).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import AclAssociation, AclEntry, NetworkAcl, Subnet, Vpc
from privlink.services.ec2.resource_kinds import require
from privlink.store.unit import UnitOfWork

CATCH_ALL = 32767  # the rule number of the deny-all entry every ACL ends with
MAX_RULE = 32766
PROTOCOL_NUMBERS = {"all": "-1", "tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58"}
PORTED = ("6", "17")


@dataclass(frozen=True)
class EntrySpec:
    """One Create/ReplaceNetworkAclEntry request, typed."""

    rule_number: int
    egress: bool
    protocol: str
    rule_action: str
    cidr: str | None
    from_port: int | None = None
    to_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True)
class EffectiveAcl:
    """What a subnet's traffic is checked against, each direction in evaluation order."""

    acl_id: str
    ingress: tuple[AclEntry, ...]
    egress: tuple[AclEntry, ...]


def _catch_all(egress: bool) -> AclEntry:
    return AclEntry(
        rule_number=CATCH_ALL, egress=egress, protocol="-1", rule_action="deny", cidr="0.0.0.0/0"
    )


def _allow_all(egress: bool) -> AclEntry:
    return AclEntry(
        rule_number=100, egress=egress, protocol="-1", rule_action="allow", cidr="0.0.0.0/0"
    )


def _new(scope: Scope, vpc: Vpc, entries: list[AclEntry], **kwargs: object) -> NetworkAcl:
    acl = NetworkAcl(
        id=scope.new_id("acl"),
        account=scope.account,
        region=scope.region,
        vpc_id=vpc.id,
        entries=entries,
        **kwargs,  # type: ignore[arg-type]
    )
    scope.add(acl)
    return acl


def create_default_acl(scope: Scope, vpc: Vpc) -> NetworkAcl:
    """The VPC's default ACL: allow all in and out (rule 100), then deny (32767)."""
    entries = [_allow_all(True), _catch_all(True), _allow_all(False), _catch_all(False)]
    return _new(scope, vpc, entries, is_default=True)


def create_network_acl(
    scope: Scope, vpc_id: str, tags: Mapping[str, str] | None = None
) -> NetworkAcl:
    """A new ACL denies everything until rules are added, as on AWS."""
    vpc = require(scope, Vpc, vpc_id)
    return _new(scope, vpc, [_catch_all(True), _catch_all(False)], tags=dict(tags or {}))


def default_acl(scope: Scope, vpc_id: str) -> NetworkAcl | None:
    return next((a for a in scope.list(NetworkAcl, parent=vpc_id) if a.is_default), None)


def associate_default(scope: Scope, subnet: Subnet) -> None:
    """A new subnet starts with its VPC's default ACL."""
    acl = default_acl(scope, subnet.vpc_id)
    if acl is not None:
        association = AclAssociation(association_id=scope.new_id("aclassoc"), subnet_id=subnet.id)
        acl.associations.append(association)
        scope.put(acl)


def forget_subnet(scope: Scope, subnet: Subnet) -> None:
    """A deleted subnet leaves its ACL's associations."""
    for acl in scope.list(NetworkAcl, parent=subnet.vpc_id):
        kept = [a for a in acl.associations if a.subnet_id != subnet.id]
        if len(kept) != len(acl.associations):
            acl.associations = kept
            scope.put(acl)


def delete_network_acl(scope: Scope, acl_id: str) -> None:
    acl = require(scope, NetworkAcl, acl_id)
    if acl.is_default:
        raise errors.InvalidParameterValue.because(f"cannot delete default network ACL {acl.id}")
    if acl.associations:
        raise errors.DependencyViolation("networkAcl", acl.id)
    scope.delete(acl)


def delete_vpc_acls(scope: Scope, vpc_id: str) -> None:
    """DeleteVpc takes its default ACL along (others block it: see dependencies)."""
    for acl in scope.list(NetworkAcl, parent=vpc_id):
        scope.delete(acl)


# --- entries ------------------------------------------------------------------------------
def _invalid(value: object, parameter: str, why: str = "") -> errors.AwsError:
    return errors.InvalidParameterValue.because(
        f"Value ({value}) for parameter {parameter} is invalid.{' ' + why if why else ''}"
    )


def _entry(spec: EntrySpec) -> AclEntry:
    """The stored rule a request describes, checked as AWS checks it."""
    if not 1 <= spec.rule_number <= MAX_RULE:
        raise _invalid(spec.rule_number, "ruleNumber", "Rule number must be between 1 and 32766.")
    protocol = PROTOCOL_NUMBERS.get(spec.protocol.lower(), spec.protocol)
    if protocol != "-1" and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
        raise _invalid(spec.protocol, "protocol")
    if spec.rule_action not in ("allow", "deny"):
        raise _invalid(spec.rule_action, "ruleAction")
    if not spec.cidr:
        raise errors.ParameterMissing("cidrBlock")
    try:
        cidr = str(ipaddress.IPv4Network(spec.cidr, strict=False))
    except ValueError as exc:
        raise errors.InvalidCidrBlock(spec.cidr, "cidrBlock") from exc
    entry = AclEntry(
        rule_number=spec.rule_number,
        egress=spec.egress,
        protocol=protocol,
        rule_action=spec.rule_action,
        cidr=cidr,
    )
    if protocol in PORTED:
        if spec.from_port is None or spec.to_port is None:
            raise errors.ParameterMissing("portRange")
        if not 0 <= spec.from_port <= spec.to_port <= 65535:
            raise _invalid(f"{spec.from_port}-{spec.to_port}", "portRange")
        entry.from_port, entry.to_port = spec.from_port, spec.to_port
    elif protocol == "1":
        if spec.icmp_type is None or spec.icmp_code is None:
            raise errors.ParameterMissing("icmpTypeCode")
        entry.icmp_type, entry.icmp_code = spec.icmp_type, spec.icmp_code
    return entry


def _position(acl: NetworkAcl, rule_number: int, egress: bool) -> int | None:
    for index, entry in enumerate(acl.entries):
        if (entry.rule_number, entry.egress) == (rule_number, egress):
            return index
    return None


def _ordered(entries: list[AclEntry]) -> list[AclEntry]:
    """Egress rules first, each direction by rule number (as DescribeNetworkAcls lists them)."""
    return sorted(entries, key=lambda e: (not e.egress, e.rule_number))


def create_entry(scope: Scope, acl_id: str, spec: EntrySpec) -> AclEntry:
    acl = require(scope, NetworkAcl, acl_id)
    entry = _entry(spec)
    if _position(acl, spec.rule_number, spec.egress) is not None:
        raise errors.NetworkAclEntryAlreadyExists(str(spec.rule_number))
    acl.entries = _ordered([*acl.entries, entry])
    scope.put(acl)
    return entry


def replace_entry(scope: Scope, acl_id: str, spec: EntrySpec) -> AclEntry:
    acl = require(scope, NetworkAcl, acl_id)
    entry = _entry(spec)
    index = _position(acl, spec.rule_number, spec.egress)
    if index is None:
        raise errors.InvalidNetworkAclEntryNotFound(str(spec.rule_number))
    acl.entries[index] = entry
    scope.put(acl)
    return entry


def delete_entry(scope: Scope, acl_id: str, rule_number: int, egress: bool) -> None:
    acl = require(scope, NetworkAcl, acl_id)
    index = _position(acl, rule_number, egress) if rule_number != CATCH_ALL else None
    if index is None:
        raise errors.InvalidNetworkAclEntryNotFound(str(rule_number))
    del acl.entries[index]
    scope.put(acl)


# --- associations -------------------------------------------------------------------------
def replace_association(scope: Scope, association_id: str, acl_id: str) -> str:
    """Move a subnet to another ACL of its VPC; the association gets a new id (returned)."""
    found = next(
        (
            (acl, a)
            for acl in scope.list(NetworkAcl)
            for a in acl.associations
            if a.association_id == association_id
        ),
        None,
    )
    target = require(scope, NetworkAcl, acl_id)
    if found is None:
        raise errors.InvalidAssociationIDNotFound(association_id)
    current, association = found
    if current.vpc_id != target.vpc_id:
        raise errors.InvalidParameterValue.because(
            f"Network ACL {target.id} and association {association_id} belong to different "
            "networks"
        )
    current.associations.remove(association)
    scope.put(current)
    if target.id == current.id:
        target = current
    moved = AclAssociation(association_id=scope.new_id("aclassoc"), subnet_id=association.subnet_id)
    target.associations.append(moved)
    scope.put(target)
    return moved.association_id


# --- the read model -----------------------------------------------------------------------
def effective_acl(uow: UnitOfWork, subnet_id: str) -> EffectiveAcl | None:
    """The ACL a subnet's traffic meets, rules in evaluation order (None: no such subnet).

    Works for any account (the data plane reads every account's subnets).
    """
    subnet = uow.get(Subnet, subnet_id)
    if subnet is None:
        return None
    acls = uow.list(NetworkAcl, subnet.account, subnet.region, parent=subnet.vpc_id)
    acl = next((a for a in acls if any(x.subnet_id == subnet_id for x in a.associations)), None)
    acl = acl or next((a for a in acls if a.is_default), None)
    if acl is None:
        return None
    ordered = sorted(acl.entries, key=lambda e: e.rule_number)
    return EffectiveAcl(
        acl.id,
        tuple(e for e in ordered if not e.egress),
        tuple(e for e in ordered if e.egress),
    )
