"""The endpoint proxy's configuration: one typed structure for the driver and the proxy.

The driver renders a `ProxySpec` to JSON in the endpoint's state directory and
signals the proxy process, which parses the same file back into a `ProxySpec`.
Both sides use `dumps`/`loads` here, so a field added on one side cannot be
forgotten on the other, and a malformed file fails loudly at load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProxyListener:
    ip: str
    port: int
    source_ip: str  # the address upstream flows leave from; "" = let the kernel choose
    targets: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ProxySpec:
    endpoint_id: str
    listen_netns: str
    connect_netns: str  # "" = the driver's own namespace (the host: 127.0.0.1 only)
    listeners: tuple[ProxyListener, ...]


def dumps(spec: ProxySpec) -> str:
    """Stable JSON (sorted keys): equal specs give equal bytes, so the file's hash
    is the config's generation."""
    return json.dumps(
        {
            "endpoint_id": spec.endpoint_id,
            "listen_netns": spec.listen_netns,
            "connect_netns": spec.connect_netns,
            "listeners": [
                {
                    "ip": li.ip,
                    "port": li.port,
                    "source_ip": li.source_ip,
                    "targets": [list(t) for t in li.targets],
                }
                for li in spec.listeners
            ],
        },
        indent=1,
        sort_keys=True,
    )


def loads(raw: str | bytes) -> ProxySpec:
    data: dict[str, Any] = json.loads(raw)
    return ProxySpec(
        endpoint_id=str(data["endpoint_id"]),
        listen_netns=str(data["listen_netns"]),
        connect_netns=str(data["connect_netns"]),
        listeners=tuple(
            ProxyListener(
                ip=str(li["ip"]),
                port=int(li["port"]),
                source_ip=str(li["source_ip"]),
                targets=tuple((str(ip), int(port)) for ip, port in li["targets"]),
            )
            for li in data["listeners"]
        ),
    )
