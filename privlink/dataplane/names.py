"""Kernel names derived from resource IDs, all starting with "plk".

Deriving names (rather than remembering them) lets a restarted driver find its own objects
and lets the orphan sweep delete whatever carries our prefix but belongs to no resource.

- Namespaces: "plk-" + the resource id when it is a plain "<kind>-<hex>" id
  (plk-vpc-0a1b..., plk-i-0a1b..., plk-vpce-0a1b...); NLBs are named by ARN, so they get
  "plk-nlb-" + 12 hash characters. Namespace names have no 15-character limit.
- Links: "plk" + 8 hex of a hash of the owning id + a short role suffix, within the
  15-character IFNAMSIZ limit. The role suffix says which end of which pair a link is.
- The nftables table in every namespace we manage is `inet plk`.
- The /31s of peering links (169.254.192.0/19) and of the links from VPC routers to
  privlink's internet (169.254.224.0/19) come from 169.254.0.0/16, which AWS forbids in
  VPCs, so they can never collide with VPC addresses; they sit above 169.254.169.0/24
  (the VPC resolver).
- A route table is a kernel table in its VPC's router, numbered from a hash of its id; an
  endpoint ENI in its NLB's namespace has a slot from a hash of its id there too: its
  conntrack zone, and its route table and packet mark (ROUTE_TABLE_BASE + slot).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping

PREFIX = "plk"
IFNAMSIZ = 15
NFT_FAMILY = "inet"
NFT_TABLE = "plk"
INSTANCE_IFNAME = "plk-eth0"  # the instance's only interface, inside its own namespace

_PLAIN_ID = re.compile(r"^([a-z]+)-([0-9a-z]{1,40})$")
INTERNET_NETNS = f"{PREFIX}-inet"  # privlink's internet, and the computer on it
_PEERING_NET = ipaddress.IPv4Network("169.254.192.0/19")
_INTERNET_NET = ipaddress.IPv4Network("169.254.224.0/19")
INTERNET_LINKS = str(_INTERNET_NET)
ROUTE_TABLE_BASE = 1000  # kernel tables 1000 .. 1000 + 2**20 hold route tables
_ROUTE_TABLE_SLOTS = 1 << 20
_ENI_SLOTS = 65534  # conntrack zones are 16 bits; 0 is the default zone, 65535 kept free


@functools.lru_cache(maxsize=1 << 16)
def _digest(key: str, length: int) -> str:
    """Kept: every plan derives every name again (a few per resource, ~2 us each)."""
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
    """The ENI itself, inside its NLB's namespace (or its own, for an endpoint to a
    service privlink implements); holds the ENI address."""
    return link(eni_id, "e")


def eni_mac(eni_id: str) -> str:
    """The hardware address of an ENI's link: locally administered, from a hash of its id.
    The PROXY v2 program knows an ENI by it in any namespace (ifindexes repeat)."""
    return _mac(eni_id)


def instance_mac(instance_id: str) -> str:
    """The hardware address of an instance's link, as eni_mac: the subnet shortcut
    (subnet_shortcut.py) sends frames for it straight to it."""
    return _mac(instance_id)


def nlb_node_mac(nlb_id: str, subnet_id: str) -> str:
    """The hardware address of an NLB node's link (nlb_node_link), as eni_mac."""
    return _mac(f"{nlb_id}|{subnet_id}")


@functools.lru_cache(maxsize=1 << 16)
def _mac(owner: str) -> str:
    digest = hashlib.sha256(f"mac|{owner}".encode()).digest()
    return ":".join(f"{b:02x}" for b in (0x02, *digest[:5]))


def nlb_node_port(nlb_id: str, subnet_id: str) -> str:
    """Router-side end of an NLB node's veth (a port of the provider subnet bridge)."""
    return link(f"{nlb_id}|{subnet_id}", "m")


def nlb_node_link(nlb_id: str, subnet_id: str) -> str:
    """The NLB node interface inside the NLB namespace; holds the node address."""
    return link(f"{nlb_id}|{subnet_id}", "n")


def nat_netns(nat_id: str) -> str:
    return _netns("nat", nat_id)


def nat_port(nat_id: str) -> str:
    """Router-side end of a NAT gateway's veth (a port of its subnet's bridge)."""
    return link(nat_id, "q")


def peering_link(peering_id: str, vpc_id: str) -> str:
    """A peering connection's end in `vpc_id`'s router."""
    return link(f"{peering_id}|{vpc_id}", "p")


def internet_port(vpc_id: str) -> str:
    """The VPC router's link to privlink's internet (its internet gateway)."""
    return link(vpc_id, "g")


def internet_link(vpc_id: str) -> str:
    """The internet's end of a VPC router's link, inside plk-inet."""
    return link(vpc_id, "w")


def _slots(keys: Iterable[str], size: int, kept: Mapping[str, int] | None = None) -> dict[str, int]:
    """A stable slot per key from a hash of it; collisions are resolved by probing in
    sorted key order (rare with these sizes). Keys in `kept` keep their slot there."""
    wanted = set(keys)
    result: dict[str, int] = {}
    taken: set[int] = set()
    for key, slot in sorted((kept or {}).items()):
        if key in wanted and 0 <= slot < size and slot not in taken:
            result[key] = slot
            taken.add(slot)
    for key in sorted(wanted - set(result)):
        slot = int(_digest(key, 8), 16) % size
        while slot in taken:
            slot = (slot + 1) % size
        taken.add(slot)
        result[key] = slot
    return result


def _pairs(keys: Iterable[str], net: ipaddress.IPv4Network) -> dict[str, tuple[str, str]]:
    base = net.network_address
    return {
        key: (str(base + 2 * slot), str(base + 2 * slot + 1))
        for key, slot in _slots(keys, net.num_addresses // 2).items()
    }


def peering_addresses(peering_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(requester side, accepter side) /31 addresses of each peering link."""
    return _pairs(peering_ids, _PEERING_NET)


def internet_addresses(vpc_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(router side, internet side) /31 addresses of each VPC's internet link."""
    return _pairs(vpc_ids, _INTERNET_NET)


def eni_slots(eni_ids: Iterable[str], kept: Mapping[str, int] | None = None) -> dict[str, int]:
    """The slot (1 .. 65534) of each endpoint ENI in one NLB's namespace: its conntrack
    zone, its route table and its mark. An ENI in `kept` (the slots of the last pass)
    keeps its slot: one that moved would lose its open flows (their zone and mark)."""
    before = {k: slot - 1 for k, slot in (kept or {}).items()}
    return {key: 1 + slot for key, slot in _slots(eni_ids, _ENI_SLOTS, before).items()}


def route_tables(table_ids: Iterable[str]) -> dict[str, int]:
    """The kernel table number of each route table of one VPC."""
    return {
        key: ROUTE_TABLE_BASE + slot for key, slot in _slots(table_ids, _ROUTE_TABLE_SLOTS).items()
    }
