"""The Client VPN controller: endpoint lifecycle steps and the connections servers report.

* target networks `associating` -> `associated`, routes and rules become active, and the
  endpoint `pending-associate` -> `available` once a network is associated;
* `deleting` -> gone (certificates released, connections forgotten);
* with the Linux data plane, each served endpoint's OpenVPN status file (rewritten every
  second) becomes its connection records: new sessions `active`, counters updated,
  sessions gone `terminated`. It polls every POLL seconds while any endpoint is served.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from privlink.api import Scope
from privlink.dataplane import vpn_status
from privlink.services.ec2.vpn import connections, endpoints
from privlink.services.ec2.vpn.records import DELETING, ClientVpnConnection, ClientVpnEndpoint
from privlink.store import Store

POLL = 1.0


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClientVpnController:
    name = "client-vpn"
    kinds = frozenset({ClientVpnEndpoint.kind, ClientVpnConnection.kind})

    def __init__(
        self, status_dir: Path | None = None, clock: Callable[[], dt.datetime] = _utc_now
    ) -> None:
        """`status_dir`: the Linux data plane's state dir (None: no servers to read)."""
        self.status_dir = status_dir
        self.clock = clock

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        polling = False
        with store.unit() as uow:
            for endpoint in uow.list(ClientVpnEndpoint):
                scope = Scope.of(endpoint, uow, now=self.clock)
                if endpoint.status == DELETING:
                    endpoints.finish_deletion(scope, endpoint)
                    continue
                endpoints.settle(scope, endpoint)
                polling |= self._sessions(scope, endpoint)
                connections.forget_ended(scope, endpoint)
        return POLL if polling else None

    def _sessions(self, scope: Scope, endpoint: ClientVpnEndpoint) -> bool:
        """Record what the endpoint's server reports; whether it is served here."""
        if self.status_dir is None or not endpoint.target_networks:
            return False
        found = vpn_status.sessions(self.status_dir, endpoint.id)
        if found is None:
            return True  # not started yet: look again soon
        connections.record_sessions(
            scope,
            endpoint,
            [
                connections.Session(
                    server_key=s.client_id,
                    common_name=s.common_name,
                    client_ip=s.virtual_address,
                    connected_since=s.connected_since,
                    bytes_received=s.bytes_received,
                    bytes_sent=s.bytes_sent,
                )
                for s in found
            ],
        )
        return True
