"""Plan data for the ways into a VPC from outside it: Client VPN endpoints. Frozen
data, no I/O (see plan.py; a bastion is an InstanceNet with `ssh_key`).

A Client VPN endpoint is an OpenVPN server in a namespace of its own, attached to each
associated subnet by an interface (the association's ENI): clients' traffic leaves
through it with the ENI's address as its source (SNAT, as AWS does), filtered by the
endpoint's security groups' outbound rules and its authorization rules (no rule, nothing
reachable). Its public side is an address on privlink's internet when the plan has one.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # plan.py imports this module for its field types
    from privlink.dataplane.plan import DataplanePlan, EniNet, SgRule

# Client VPN endpoints' public /31s (privlink's internet side | the endpoint's address).
PUBLIC_RANGE = ipaddress.IPv4Network("198.18.128.0/17")


@dataclass(frozen=True)
class ClientVpnNet:
    endpoint_id: str
    vpc_id: str
    client_cidr: str
    transport: Literal["udp", "tcp"]
    port: int
    server_certificate: str  # PEM: the certificate, then its chain
    server_key: str  # PEM
    client_ca: str  # PEM: what a client certificate must chain to
    enis: tuple[EniNet, ...]
    egress: tuple[SgRule, ...]  # the endpoint's security groups' outbound rules
    authorized: tuple[str, ...] = ()  # destinations all clients may reach
    routes: tuple[str, ...] = ()  # destinations pushed to clients (split tunnel)
    split_tunnel: bool = False
    dns_servers: tuple[str, ...] = ()
    cut: tuple[str, ...] = ()  # server keys of sessions being terminated

    @property
    def public_pair(self) -> tuple[str, str]:
        return public_pair(self.endpoint_id)

    @property
    def public_ip(self) -> str:
        return self.public_pair[1]


def public_pair(endpoint_id: str) -> tuple[str, str]:
    """(internet side, endpoint side) of an endpoint's public /31, derived from its id
    (stable across restarts; 16384 slots)."""
    slots = PUBLIC_RANGE.num_addresses // 2
    slot = int(hashlib.sha256(endpoint_id.encode()).hexdigest(), 16) % slots
    base = int(PUBLIC_RANGE.network_address) + 2 * slot
    return str(ipaddress.IPv4Address(base)), str(ipaddress.IPv4Address(base + 1))


def problems(plan: DataplanePlan) -> Iterator[tuple[str, str]]:
    """(resource id, problem) for Client VPN data the kernel would refuse."""
    vpcs = {v.vpc_id: v for v in plan.vpcs}
    for vpn in plan.client_vpns:
        vpc = vpcs.get(vpn.vpc_id)
        if vpc is None:
            yield vpn.endpoint_id, f"unknown vpc {vpn.vpc_id}"
            continue
        try:
            clients = ipaddress.IPv4Network(vpn.client_cidr)
            for cidr in vpn.authorized + vpn.routes:
                ipaddress.IPv4Network(cidr)
        except ValueError as exc:
            yield vpn.endpoint_id, f"bad cidr: {exc}"
            continue
        if clients.overlaps(ipaddress.IPv4Network(vpc.cidr)):
            yield vpn.endpoint_id, f"client cidr {clients} overlaps {vpc.cidr}"
        if not vpn.enis:
            yield vpn.endpoint_id, "no target network"
        if not 0 < vpn.port < 65536:
            yield vpn.endpoint_id, f"bad port {vpn.port}"
        subnets = {s.subnet_id for s in vpc.subnets}
        for eni in vpn.enis:
            if eni.subnet_id not in subnets:
                yield vpn.endpoint_id, f"subnet {eni.subnet_id} is not in {vpn.vpc_id}"


def kept(plan: DataplanePlan, bad: set[str], vpcs: set[str]) -> tuple[ClientVpnNet, ...]:
    """The Client VPN endpoints of `plan` that survive `bad` (and whose VPC remains)."""
    return tuple(v for v in plan.client_vpns if v.endpoint_id not in bad and v.vpc_id in vpcs)
