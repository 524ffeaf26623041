"""What a Client VPN endpoint's OpenVPN server reports: its sessions, from the status
file it rewrites every second (status-version 2) in its directory under the Linux data
plane's state dir. Plain file reading, so the Client VPN controller can use it without
the Linux driver."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

STATUS = "status"


def directory(endpoint_id: str) -> str:
    """The endpoint server's directory, relative to the data plane's state dir."""
    return f"clientvpn/{endpoint_id}"


@dataclass(frozen=True)
class VpnSession:
    """One CLIENT_LIST line of the server's status file."""

    client_id: str
    common_name: str
    real_address: str
    virtual_address: str
    bytes_received: int
    bytes_sent: int
    connected_since: dt.datetime


def sessions(state_dir: Path, endpoint_id: str) -> list[VpnSession] | None:
    """The endpoint's sessions as its server last wrote them (every second); None when
    it has no status file (not running here)."""
    try:
        text = (state_dir / directory(endpoint_id) / STATUS).read_text()
    except FileNotFoundError:
        return None
    found = []
    for line in text.splitlines():
        fields = line.split(",")
        if fields[0] != "CLIENT_LIST" or len(fields) < 11:
            continue
        try:
            found.append(
                VpnSession(
                    client_id=fields[10],
                    common_name=fields[1],
                    real_address=fields[2],
                    virtual_address=fields[3],
                    bytes_received=int(fields[5]),
                    bytes_sent=int(fields[6]),
                    connected_since=dt.datetime.fromtimestamp(int(fields[8]), dt.UTC),
                )
            )
        except ValueError:
            continue
    return found
