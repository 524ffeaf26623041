"""Client VPN connections: what the endpoint's server reports, and terminating them.

The Client VPN controller hands `record_sessions` the sessions the endpoint's OpenVPN
server lists; a session becomes a connection record (`active`), its counters follow, and
one the server no longer lists is `terminated` with its end time. TerminateClientVpn-
Connections marks connections `terminating`; the data plane cuts them (the plan carries
their server keys) and the next report finds them gone. Ended connections stay visible
for an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.vpn.endpoints import require_endpoint
from privlink.services.ec2.vpn.records import ClientVpnConnection, ClientVpnEndpoint

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
VISIBLE_AFTER_END = dt.timedelta(hours=1)
LIVE = ("active", "terminating")


@dataclass(frozen=True)
class Session:
    """One client session as the server lists it."""

    server_key: str  # the server's own id for it (OpenVPN's client id)
    common_name: str
    client_ip: str
    connected_since: dt.datetime
    bytes_received: int  # from the client: the endpoint's ingress
    bytes_sent: int


@dataclass(frozen=True)
class StatusChange:
    connection_id: str
    previous: str
    current: str


def _connection_id(endpoint_id: str, session: Session) -> str:
    seed = f"{endpoint_id}/{session.server_key}/{session.connected_since.isoformat()}"
    return "cvpn-connection-" + hashlib.sha256(seed.encode()).hexdigest()[:17]


def record_sessions(scope: Scope, endpoint: ClientVpnEndpoint, sessions: Iterable[Session]) -> None:
    """Bring the endpoint's connection records in line with the server's list."""
    known = {c.id: c for c in scope.list(ClientVpnConnection, parent=endpoint.id)}
    seen: set[str] = set()
    now = scope.now().strftime(TIME_FORMAT)
    for session in sessions:
        connection_id = _connection_id(endpoint.id, session)
        seen.add(connection_id)
        connection = known.get(connection_id)
        if connection is None:
            connection = ClientVpnConnection(
                id=connection_id,
                account=endpoint.account,
                region=endpoint.region,
                endpoint_id=endpoint.id,
                common_name=session.common_name,
                client_ip=session.client_ip,
                established_time=session.connected_since.strftime(TIME_FORMAT),
                server_key=session.server_key,
                ingress_bytes=session.bytes_received,
                egress_bytes=session.bytes_sent,
            )
            scope.add(connection)
            continue
        if (connection.ingress_bytes, connection.egress_bytes) == (
            session.bytes_received,
            session.bytes_sent,
        ):
            continue
        connection.ingress_bytes = session.bytes_received
        connection.egress_bytes = session.bytes_sent
        scope.put(connection)
    for connection in known.values():
        if connection.id not in seen and connection.status in LIVE:
            connection.status = "terminated"
            connection.end_time = now
            scope.put(connection)


def forget_ended(scope: Scope, endpoint: ClientVpnEndpoint) -> None:
    for connection in scope.list(ClientVpnConnection, parent=endpoint.id):
        if connection.end_time is None:
            continue
        ended = dt.datetime.strptime(connection.end_time, TIME_FORMAT).replace(tzinfo=dt.UTC)
        if scope.now() - ended > VISIBLE_AFTER_END:
            scope.delete(connection)


def terminate_connections(
    scope: Scope, endpoint_id: str, connection_id: str | None, username: str | None
) -> list[StatusChange]:
    """Mark the connection (or every live one of a user) `terminating`."""
    endpoint = require_endpoint(scope, endpoint_id)
    if not connection_id and not username:
        raise errors.ParameterMissing("ConnectionId")
    connections = scope.list(ClientVpnConnection, parent=endpoint.id)
    if connection_id:
        chosen = [c for c in connections if c.id == connection_id]
        if not chosen:
            raise errors.InvalidClientVpnConnectionIdNotFound(connection_id)
    else:
        chosen = [c for c in connections if c.common_name == username and c.status in LIVE]
        if not chosen:
            raise errors.InvalidClientVpnConnectionUserNotFound(username or "")
    changes = []
    scope.put(endpoint)  # the data plane re-plans on endpoint changes: it cuts these
    for connection in chosen:
        previous = connection.status
        if previous == "active":
            connection.status = "terminating"
            scope.put(connection)
        changes.append(StatusChange(connection.id, previous, connection.status))
    return changes


def to_cut(scope: Scope, endpoint: ClientVpnEndpoint) -> list[str]:
    """Server keys of the endpoint's connections being terminated (for the data plane)."""
    return [
        c.server_key
        for c in scope.list(ClientVpnConnection, parent=endpoint.id)
        if c.status == "terminating"
    ]
