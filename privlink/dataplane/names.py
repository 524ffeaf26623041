"""Kernel names derived from resource IDs, all starting with "plk".

Deriving names (rather than remembering them) lets a restarted driver find its own objects
and lets the orphan sweep delete whatever carries our prefix but belongs to no resource.

- Namespaces: "plk-" + the resource id when it is a plain "<kind>-<hex>" id
  (plk-vpc-0a1b..., plk-i-0a1b..., plk-vpce-0a1b...); NLBs are named by ARN, so they get
  "plk-nlb-" + 12 hash characters. Namespace names have no 15-character limit.
- Links: "plk" + 8 hex of a hash of the owning id + a short role suffix, within the
  15-character IFNAMSIZ limit. The role suffix says which end of which pair a link is.
- The nftables table in every namespace we manage is `inet plk`.
- Transit /31s between an endpoint namespace and an NLB namespace come from 169.254.0.0/17:
  AWS forbids 169.254.0.0/16 in VPCs, so they can never collide with VPC addresses.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable

PREFIX = "plk"
IFNAMSIZ = 15
NFT_FAMILY = "inet"
NFT_TABLE = "plk"
INSTANCE_IFNAME = "plk-eth0"  # the instance's only interface, inside its own namespace

_PLAIN_ID = re.compile(r"^([a-z]+)-([0-9a-z]{1,40})$")
_TRANSIT_NET = ipaddress.ip_network("169.254.0.0/17")
_TRANSIT_SLOTS = _TRANSIT_NET.num_addresses // 2


def _digest(key: str, length: int) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:length]


def is_ours(name: str) -> bool:
    return name.startswith(PREFIX)


def _netns(kind: str, resource_id: str) -> str:
    match = _PLAIN_ID.match(resource_id)
    if match and match.group(1) == kind:
        return f"{PREFIX}-{resource_id}"
    return f"{PREFIX}-{kind}-{_digest(resource_id, 12)}"


def vpc_netns(vpc_id: str) -> str:
    """The VPC router namespace."""
    return _netns("vpc", vpc_id)


def instance_netns(instance_id: str) -> str:
    return _netns("i", instance_id)


def endpoint_netns(endpoint_id: str) -> str:
    return _netns("vpce", endpoint_id)


def nlb_netns(nlb_id: str) -> str:
    return f"{PREFIX}-nlb-{_digest(nlb_id, 12)}"


def link(owner: str, role: str) -> str:
    """A link name: plk + 8 hash chars of `owner` + `role` (at most 4 characters)."""
    if not 1 <= len(role) <= IFNAMSIZ - len(PREFIX) - 8:
        raise ValueError(f"role {role!r} too long")
    return f"{PREFIX}{_digest(owner, 8)}{role}"


def subnet_bridge(subnet_id: str) -> str:
    return link(subnet_id, "br")


def instance_port(instance_id: str) -> str:
    """Router-side end of the instance's veth (a port of the subnet bridge)."""
    return link(instance_id, "i")


def eni_port(eni_id: str) -> str:
    """Router-side end of an endpoint ENI's veth (a port of the subnet bridge)."""
    return link(eni_id, "b")


def eni_link(eni_id: str) -> str:
    """The ENI itself, inside the endpoint namespace; holds the ENI address."""
    return link(eni_id, "e")


def transit_endpoint_side(eni_id: str) -> str:
    return link(eni_id, "x")


def transit_nlb_side(eni_id: str) -> str:
    return link(eni_id, "t")


def nlb_node_port(nlb_id: str, subnet_id: str) -> str:
    """Router-side end of an NLB node's veth (a port of the provider subnet bridge)."""
    return link(f"{nlb_id}|{subnet_id}", "m")


def nlb_node_link(nlb_id: str, subnet_id: str) -> str:
    """The NLB node interface inside the NLB namespace; holds the node address."""
    return link(f"{nlb_id}|{subnet_id}", "n")


def transit_addresses(eni_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(endpoint side, NLB side) /31 addresses for each ENI that reaches one NLB.

    The slot comes from a hash of the ENI id, so it is stable across runs; collisions
    inside one NLB are resolved by probing in sorted id order (rare: 16384 slots).
    """
    taken: set[int] = set()
    result: dict[str, tuple[str, str]] = {}
    for eni_id in sorted(set(eni_ids)):
        slot = int(_digest(eni_id, 8), 16) % _TRANSIT_SLOTS
        while slot in taken:
            slot = (slot + 1) % _TRANSIT_SLOTS
        taken.add(slot)
        base = _TRANSIT_NET.network_address + 2 * slot
        result[eni_id] = (str(base), str(base + 1))
    return result
