"""The client configuration an endpoint exports: an OpenVPN profile as AWS writes it.

It names the endpoint's host name with `remote-random-hostname` (the client dials a random
label under it; privlink's resolvers answer every name under it), carries the server
certificate's chain as `<ca>` and nothing of the client's: the user appends `<cert>` and
`<key>` blocks with their own client certificate and key, as AWS's guide says.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.acm import queries as acm_queries
from privlink.services.ec2.vpn.endpoints import require_endpoint


def client_configuration(scope: Scope, endpoint_id: str) -> str:
    endpoint = require_endpoint(scope, endpoint_id)
    server = acm_queries.certificate_by_arn(scope, endpoint.server_certificate_arn)
    ca = server.chain_pem or server.certificate_pem
    return "\n".join(
        [
            "client",
            "dev tun",
            f"proto {endpoint.transport}",
            f"remote {endpoint.dns_name} {endpoint.vpn_port}",
            "remote-random-hostname",
            "resolv-retry infinite",
            "nobind",
            "persist-key",
            "persist-tun",
            "remote-cert-tls server",
            "cipher AES-256-GCM",
            "verb 3",
            "<ca>",
            ca.strip(),
            "</ca>",
            "",
            "",
            "reneg-sec 0",
            "",
        ]
    )
