"""Reads of Client VPN endpoints for the data plane: what each endpoint's server serves.

An endpoint is served while it has a target network and is not being deleted. Its
certificates are read from ACM in its own account and region; the client CA is the
client root certificate's chain (the certificate itself when it was imported alone):
the CA a client certificate must chain to, as on AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import queries as acm_queries
from privlink.services.ec2.records import NetworkInterface
from privlink.services.ec2.vpn import connections
from privlink.services.ec2.vpn.records import DELETING, ClientVpnEndpoint
from privlink.store.unit import UnitOfWork


@dataclass(frozen=True)
class ServedEndpoint:
    endpoint: ClientVpnEndpoint
    server_certificate: str  # PEM, the certificate then its chain
    server_key: str
    client_ca: str
    interfaces: tuple[NetworkInterface, ...]
    authorized: tuple[str, ...]  # destinations every client may reach
    routes: tuple[str, ...]
    cut: tuple[str, ...]  # server keys of connections being terminated


def served(uow: UnitOfWork) -> list[ServedEndpoint]:
    out = []
    for endpoint in uow.list(ClientVpnEndpoint):
        if endpoint.status == DELETING or not endpoint.target_networks:
            continue
        scope = Scope.of(endpoint, uow)
        try:
            server = acm_queries.certificate_by_arn(scope, endpoint.server_certificate_arn)
            root = acm_queries.certificate_by_arn(scope, endpoint.client_root_certificate_arn)
        except errors.AwsError:
            continue  # a certificate gone (it cannot be while in use): nothing to serve
        enis = uow.get_many(
            NetworkInterface, [n.network_interface_id for n in endpoint.target_networks]
        )
        out.append(
            ServedEndpoint(
                endpoint=endpoint,
                server_certificate=server.full_chain_pem,
                server_key=server.private_key_pem,
                client_ca=root.chain_pem or root.certificate_pem,
                interfaces=tuple(enis[i] for i in sorted(enis)),
                authorized=tuple(
                    r.destination_cidr for r in endpoint.authorization_rules if r.access_all
                ),
                routes=tuple(dict.fromkeys(r.destination_cidr for r in endpoint.routes)),
                cut=tuple(connections.to_cut(scope, endpoint)),
            )
        )
    return out
