"""One settings object for a running privlink."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_state_dir() -> Path:
    """$PRIVLINK_STATE_DIR, else /var/lib/privlink for root (the daemons privlink runs as
    other users, such as MWAA's PostgreSQL, must be able to traverse it; /root is 0700),
    else ~/.privlink."""
    if "PRIVLINK_STATE_DIR" in os.environ:
        return Path(os.environ["PRIVLINK_STATE_DIR"])
    if os.geteuid() == 0:
        return Path("/var/lib/privlink")
    return Path.home() / ".privlink"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    # The HTTPS listener beside the API (`privlink up --https-port`, local CA); interface
    # endpoints to the AWS services privlink serves end at 127.0.0.1:https_port. 0 = none
    # (the default here: only `privlink up` starts one).
    https_port: int = 0
    # The host-side resolver on 127.0.0.1 (linux data plane only): endpoint-specific public
    # names, NXDOMAIN for the rest. 0 = off.
    dns_port: int = 4553
    state_dir: Path = field(default_factory=default_state_dir)
    database_url: str | None = None  # SQLite under state_dir when None
    dataplane: str = "none"  # "linux" | "none"
    default_region: str = "us-east-1"
    # Strict mode: access key id -> secret; SigV4 signatures are verified when non-empty.
    strict_keys: dict[str, str] = field(default_factory=dict)
    # Strict mode: the one access key id allowed on privlink's own /_privlink/ routes
    # (status, reset, faults, SNS inboxes); None: only /_privlink/health answers.
    admin_key: str | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.state_dir / 'privlink.db'}"
