"""Client VPN endpoints, from the plan: a namespace and an OpenVPN server each. Pure: no
I/O (the server's status file is read by vpn_status.py).

    privlink's internet (plk-inet) ──/31── plk-cvpn-<hash>: OpenVPN on PUBLIC:port
                                            tun cvpn0 (the client CIDR)
                                            │ veth per association (its ENI's address)
                                            ▼
                                       the VPC router's subnet bridge

Client traffic comes out of the tunnel, passes the authorization rules (destination in
an authorized CIDR) and the endpoint's security groups' outbound rules, and leaves
through the ENI of its subnet with the ENI's address as its source (masquerade), so the
VPC sees the endpoint's interface, as on AWS, and a rule naming the endpoint's security
group admits its clients. Nothing in the VPC can open a connection to a client. The
server listens on every address of its namespace but the filter admits the tunnel port
only from the public side, never from the ENIs.

The tun device is named without our prefix (it lives only in this namespace, and the
link sweep must not take it from OpenVPN).
"""

from __future__ import annotations

import hashlib
import ipaddress

from privlink.dataplane import names
from privlink.dataplane.access import ClientVpnNet
from privlink.dataplane.linux import rulesets
from privlink.dataplane.linux.daemons import DaemonSpec
from privlink.dataplane.linux.spec import (
    FORWARDING,
    LinkSpec,
    NamespaceSpec,
    Parts,
    RouteSpec,
    VethPeer,
)
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.vpn_status import STATUS, directory

TUN = "cvpn0"
MANAGEMENT = "management.sock"
READY = "Initialization Sequence Completed"


def netns(endpoint_id: str) -> str:
    return f"{names.PREFIX}-cvpn-{hashlib.sha256(endpoint_id.encode()).hexdigest()[:12]}"


def build(parts: Parts, plan: DataplanePlan, vpn: ClientVpnNet) -> None:
    ns = netns(vpn.endpoint_id)
    vpc = plan.vpc(vpn.vpc_id)
    router_ns = names.vpc_netns(vpc.vpc_id)
    for eni in vpn.enis:
        address = f"{eni.ip}/{vpc.subnet(eni.subnet_id).prefixlen}"
        parts.add_eni(eni.eni_id, eni.subnet_id, router_ns, ns, address, vpn.endpoint_id)
    first = vpc.subnet(sorted(vpn.enis, key=lambda e: e.subnet_id)[0].subnet_id)
    # The VPC (and the endpoint's other routes) through the first subnet's router address;
    # everything else, the server's answers to its clients among it, to privlink's internet.
    routes = [RouteSpec(cidr, first.gateway) for cidr in sorted(set(vpn.routes) | {vpc.cidr})]
    if plan.internet is not None:
        inet_side, mine = vpn.public_pair
        parts.add_link(
            ns,
            LinkSpec(
                names.link(vpn.endpoint_id, "pub"),
                "veth",
                VethPeer(names.link(vpn.endpoint_id, "pubi"), names.INTERNET_NETNS),
                addresses=(f"{mine}/31",),
                owner=vpn.endpoint_id,
            ),
        )
        parts.add_link(
            names.INTERNET_NETNS,
            LinkSpec(
                names.link(vpn.endpoint_id, "pubi"),
                "peer",
                addresses=(f"{inet_side}/31",),
                owner=vpn.endpoint_id,
            ),
        )
        routes.append(RouteSpec("0.0.0.0/0", inet_side))
    ruleset = _ruleset(vpn, [names.eni_link(e.eni_id) for e in vpn.enis])
    parts.drafts.append(
        NamespaceSpec(ns, vpn.endpoint_id, FORWARDING, routes=tuple(routes), ruleset=ruleset)
    )
    server = daemon(vpn, ns)
    parts.spec.daemons[server.key] = server


def _ruleset(vpn: ClientVpnNet, enis: list[str]) -> str:
    """Tunnel port from the public side only; client traffic: authorized destinations
    and the security groups' outbound rules, then SNAT to the ENI's address."""
    outbound = [r for r in (rulesets.sg_rule(rule, "daddr") for rule in vpn.egress) if r]
    authorized = _networks(vpn.authorized)
    eni_set = "{ " + ", ".join(f'"{e}"' for e in sorted(enis)) + " }"
    return "\n".join(
        [
            "# client vpn",
            "chain vpn_in {",
            "  type filter hook input priority filter; policy drop;",
            "  ct state established,related accept",
            '  iifname "lo" accept',
            f'  iifname != {eni_set} iifname != "{TUN}" {vpn.transport} dport {vpn.port} accept',
            "}",
            "chain vpn_forward {",
            "  type filter hook forward priority filter; policy drop;",
            "  ct state established,related accept",
            *(
                [f'  iifname "{TUN}" oifname {eni_set} ip daddr {authorized} jump sg_out']
                if authorized
                else []
            ),
            "}",
            "chain sg_out {",
            *(f"  {r} accept" for r in outbound),
            "}",
            "chain nat_post {",
            "  type nat hook postrouting priority srcnat; policy accept;",
            f'  iifname "{TUN}" oifname {eni_set} masquerade',
            "}",
        ]
    )


def _networks(cidrs: tuple[str, ...]) -> str:
    nets = list(ipaddress.collapse_addresses(ipaddress.IPv4Network(c) for c in cidrs))
    if not nets:
        return ""
    if any(n.prefixlen == 0 for n in nets):
        return "0.0.0.0/0"
    return "{ " + ", ".join(str(n) for n in nets) + " }"


def server_config(vpn: ClientVpnNet) -> str:
    clients = ipaddress.IPv4Network(vpn.client_cidr)
    proto = "udp4" if vpn.transport == "udp" else "tcp4-server"
    pushed = (
        [
            f'push "route {n.network_address} {n.netmask}"'
            for n in map(ipaddress.IPv4Network, vpn.routes)
        ]
        if vpn.split_tunnel
        else ['push "redirect-gateway def1"']
    )
    return "\n".join(
        [
            f"proto {proto}",
            f"port {vpn.port}",
            f"dev {TUN}",
            "dev-type tun",
            "topology subnet",
            f"server {clients.network_address} {clients.netmask}",
            "ca {dir}/client-ca.pem",
            "cert {dir}/server.pem",
            "key {dir}/server.key",
            "dh none",
            "verify-client-cert require",
            "data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
            "duplicate-cn",
            "keepalive 10 60",
            "reneg-sec 0",
            "persist-key",
            f"status {{dir}}/{STATUS} 1",
            "status-version 2",
            f"management {{dir}}/{MANAGEMENT} unix",
            *pushed,
            *(f'push "dhcp-option DNS {server}"' for server in vpn.dns_servers),
            "verb 3",
            "",
        ]
    )


def daemon(vpn: ClientVpnNet, ns: str) -> DaemonSpec:
    return DaemonSpec(
        kind="openvpn",
        owner=vpn.endpoint_id,
        netns=ns,
        directory=directory(vpn.endpoint_id),
        argv=("openvpn", "--config", "{dir}/server.conf"),
        files=(
            ("server.conf", server_config(vpn), 0o600),
            ("client-ca.pem", vpn.client_ca, 0o600),
            ("server.pem", vpn.server_certificate, 0o600),
            ("server.key", vpn.server_key, 0o600),
        ),
        ready=READY,
        control_socket=MANAGEMENT,
        control=tuple(f"client-kill {key}" for key in vpn.cut),
    )
