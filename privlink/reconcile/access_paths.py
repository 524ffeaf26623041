"""Store -> plan data for Client VPN endpoints (the plan builder's part for them), and
their public names: `*.cvpn-endpoint-ID.prod.clientvpn.REGION.amazonaws.com` answers the
endpoint's public address on privlink's resolvers (the exported configuration dials a
random label under that name: remote-random-hostname)."""

from __future__ import annotations

from collections.abc import Callable

from privlink.dataplane import plan as p
from privlink.dataplane.access import ClientVpnNet, public_pair
from privlink.services.ec2.vpn.queries import ServedEndpoint, served
from privlink.store.unit import UnitOfWork

EgressRules = Callable[[list[str]], tuple[p.SgRule, ...]]


def _net(served: ServedEndpoint, egress: EgressRules) -> ClientVpnNet | None:
    endpoint = served.endpoint
    if endpoint.vpc_id is None:
        return None
    return ClientVpnNet(
        endpoint_id=endpoint.id,
        vpc_id=endpoint.vpc_id,
        client_cidr=endpoint.client_cidr,
        transport="tcp" if endpoint.transport == "tcp" else "udp",
        port=endpoint.vpn_port,
        server_certificate=served.server_certificate,
        server_key=served.server_key,
        client_ca=served.client_ca,
        enis=tuple(
            p.EniNet(eni.id, eni.subnet_id, eni.availability_zone, eni.private_ip)
            for eni in served.interfaces
        ),
        egress=egress(endpoint.group_ids),
        authorized=served.authorized,
        routes=served.routes,
        split_tunnel=endpoint.split_tunnel,
        dns_servers=tuple(endpoint.dns_servers),
        cut=served.cut,
    )


def client_vpn_nets(uow: UnitOfWork, egress: EgressRules) -> tuple[ClientVpnNet, ...]:
    """Every served endpoint; `egress` gives a set of groups' outbound rules."""
    nets = (_net(s, egress) for s in served(uow))
    return tuple(n for n in nets if n is not None)


def public_records(uow: UnitOfWork) -> list[p.DnsRecord]:
    """The served endpoints' public names (a wildcard each) and addresses."""
    return [
        p.DnsRecord(s.endpoint.dns_name, (public_pair(s.endpoint.id)[1],), wildcard=True)
        for s in served(uow)
    ]
