"""Permissions as callers state them, and the stored rules they become.

AWS stores one rule per (protocol, ports, peer). A `Permission` is one
protocol and port range with its peers, as IpPermissions carry it;
`build_rules` validates it exactly as AWS does (protocol names and numbers,
port and ICMP ranges, CIDRs, referenced groups) and makes the rules. Every
caller goes through it: the API handlers and other services that open a
port for a customer.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.records import SecurityGroup, SecurityGroupRule
from privlink.services.ec2.security.queries import group_named

MAX_RULES = 60  # per direction per group, AWS's default quota
_NUMBERED = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_PORTED = ("tcp", "udp")
_ICMP = ("icmp", "icmpv6")
ALL = "-1"
NO_PEER = (
    "missing mandatory parameter: exactly one of remote-security-group, remote-ip-range, "
    "remote-ipv6-range, or prefix-list-id must be present"
)

PeerKind = Literal["cidr_ipv4", "cidr_ipv6", "prefix_list_id", "group"]


@dataclass(frozen=True)
class Peer:
    """Who a rule admits: a CIDR, a prefix list, or a security group (by id or by name)."""

    kind: PeerKind
    value: str = ""  # the CIDR, the prefix list id or the group id
    group_name: str | None = None  # a group in the rule's own VPC, by name
    owner: str | None = None  # the referenced group's account (default: the caller's)
    description: str | None = None

    @classmethod
    def cidr(cls, cidr: str, description: str | None = None) -> Peer:
        return cls("cidr_ipv6" if ":" in cidr else "cidr_ipv4", cidr, description=description)

    @classmethod
    def group(cls, group_id: str, owner: str | None = None) -> Peer:
        return cls("group", group_id, owner=owner)


@dataclass(frozen=True)
class Permission:
    """One protocol and port range (ICMP: type and code) open to some peers."""

    protocol: str | int | None
    from_port: int | None = None
    to_port: int | None = None
    peers: tuple[Peer, ...] = ()

    @classmethod
    def tcp(cls, port: int, *peers: Peer, to_port: int | None = None) -> Permission:
        return cls("tcp", port, port if to_port is None else to_port, peers)


# --- validation --------------------------------------------------------------------------
def protocol(value: Any) -> str:
    """AWS's stored form: tcp/udp/icmp/icmpv6 by name (numbers 6/17/1/58 too), -1, or 0-255."""
    if value is None or str(value).strip() == "":
        raise errors.ParameterMissing("ipProtocol")
    text = str(value).strip().lower()
    if text == ALL or text in _PORTED or text in _ICMP:
        return text
    if text.isascii() and text.isdigit() and int(text) <= 255:
        return _NUMBERED.get(str(int(text)), str(int(text)))
    raise errors.InvalidParameterValue.because(
        f"Invalid value '{value}' for IP protocol. Unknown protocol."
    )


def _tcp_udp_ports(from_port: int | None, to_port: int | None) -> tuple[int, int]:
    if from_port is None or to_port is None:
        raise errors.InvalidParameterValue.because(
            "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."
        )
    for port in (from_port, to_port):
        if not 0 <= port <= 65535:
            raise errors.InvalidPermissionMalformed.because(f"TCP/UDP port ({port}) out of range")
    if from_port > to_port:
        raise errors.InvalidParameterValue.because(
            f"Invalid TCP/UDP port range: from port {from_port} is greater than to port {to_port}"
        )
    return from_port, to_port


def _icmp_type_code(icmp_type: int | None, code: int | None) -> tuple[int, int]:
    if icmp_type is None or code is None:
        raise errors.InvalidParameterValue.because(
            "Invalid value 'Must specify both from and to ports with ICMP.' for portRange."
        )
    for what, number in (("type", icmp_type), ("code", code)):
        if not -1 <= number <= 255:
            raise errors.InvalidPermissionMalformed.because(f"ICMP {what} ({number}) out of range")
    if icmp_type == -1 and code != -1:
        raise errors.InvalidParameterValue.because(
            f"Invalid ICMP code ({code}): the code must be -1 when the type is -1"
        )
    return icmp_type, code


def ports(proto: str, from_port: int | None, to_port: int | None) -> tuple[int | None, int | None]:
    """Port range for TCP/UDP, type and code for ICMP; None for protocols without ports."""
    if proto in _PORTED:
        return _tcp_udp_ports(from_port, to_port)
    if proto in _ICMP:
        return _icmp_type_code(from_port, to_port)
    return None, None


def _cidr(value: str, version: int) -> str:
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        net = None
    if net is None or net.version != version or "/" not in value:
        raise errors.InvalidParameterValue.because(f"CIDR block {value} is malformed")
    return str(net)


# What AWS accepts in a VPC security group's and a rule's description (its error lists it).
DESCRIPTION_CHARACTERS = re.compile(r"[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*")


def _description(peer: Peer) -> str | None:
    if peer.description is not None and len(peer.description) > 255:
        raise errors.InvalidParameterValue.because(
            "Invalid rule description. Descriptions can be up to 255 characters long."
        )
    if peer.description is not None and not DESCRIPTION_CHARACTERS.fullmatch(peer.description):
        raise errors.InvalidParameterValue.because(
            "Invalid rule description. Valid descriptions are strings less than 256 characters "
            "from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
        )
    return peer.description


def _referenced(scope: Scope, group: SecurityGroup, peer: Peer) -> SecurityGroup:
    """The group a peer names. Another account's group is named by id and owner."""
    if peer.value:
        owner = peer.owner or scope.account
        ref = scope.acting_as(owner).get(SecurityGroup, peer.value)
        if ref is None:
            raise errors.InvalidGroupNotFound(peer.value)
    elif peer.group_name:
        found = group_named(scope, group.vpc_id, peer.group_name)
        if found is None:
            raise errors.InvalidGroupNameNotFound(peer.group_name, "VPC", group.vpc_id)
        ref = found
    else:
        raise errors.ParameterMissing("groupId or groupName in UserIdGroupPairs")
    if ref.account == scope.account and ref.vpc_id != group.vpc_id:
        raise errors.InvalidParameterValue.because(
            "You have specified two resources that belong to different networks."
        )
    return ref


def _peer_fields(scope: Scope, group: SecurityGroup, peer: Peer) -> dict[str, Any]:
    """The stored rule's peer columns, validated."""
    description = _description(peer)
    if peer.kind == "cidr_ipv4":
        return {"cidr_ipv4": _cidr(peer.value, 4), "description": description}
    if peer.kind == "cidr_ipv6":
        return {"cidr_ipv6": _cidr(peer.value, 6), "description": description}
    if peer.kind == "prefix_list_id":
        check_id(peer.value, "pl", errors.InvalidPrefixListIdMalformed)
        return {"prefix_list_id": peer.value, "description": description}
    ref = _referenced(scope, group, peer)
    return {
        "referenced_group_id": ref.id,
        "referenced_group_owner": ref.account,
        "description": description,
    }


def build_rules(
    scope: Scope, group: SecurityGroup, permissions: Iterable[Permission], egress: bool
) -> list[SecurityGroupRule]:
    """One rule per peer of each permission, validated as AWS validates them."""
    rules: list[SecurityGroupRule] = []
    for permission in permissions:
        proto = protocol(permission.protocol)
        low, high = ports(proto, permission.from_port, permission.to_port)
        if not permission.peers:
            raise errors.InvalidParameterValue.because(NO_PEER)
        rules += [
            SecurityGroupRule(
                rule_id=scope.new_id("sgr"),
                is_egress=egress,
                ip_protocol=proto,
                from_port=low,
                to_port=high,
                **_peer_fields(scope, group, peer),
            )
            for peer in permission.peers
        ]
    return rules


def duplicate_text(rule: SecurityGroupRule) -> str:
    """How InvalidPermission.Duplicate names a rule."""
    peer = rule.cidr_ipv4 or rule.cidr_ipv6 or rule.prefix_list_id or rule.referenced_group_id or ""
    proto = "ALL" if rule.ip_protocol == ALL else rule.ip_protocol.upper()
    if rule.from_port is None:
        return f"peer: {peer}, {proto}, ALLOW"
    return f"peer: {peer}, {proto}, from port: {rule.from_port}, to port: {rule.to_port}, ALLOW"
