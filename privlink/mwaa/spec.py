"""What one MWAA environment's runtime is: a frozen spec, persisted in its state dir.

The MWAA API service decides names, versions, addresses and secrets; the runtime
only realises them. The spec is written to `<state_dir>/environment.json` on first
start, so after privlink is killed the runtime can find, adopt or replace every
process of the environment from the state dir alone (`EnvironmentSpec.load`).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent  # the checkout (scripts/install-airflow)
# The Airflow lines this runtime knows how to run; which versions are installed
# (scripts/install-airflow) is found out when one starts (runner.StartError otherwise).
RUNNABLE_MAJORS = (2, 3)
SPEC_FILE = "environment.json"

# Components per Airflow major version, in start order (stopped in reverse).
COMPONENTS_3 = ("postgres", "api-server", "scheduler", "dag-processor", "triggerer")
COMPONENTS_2 = ("postgres", "webserver", "scheduler", "triggerer")
AUXILIARY = ("forkserver", "front")  # the warm CLI and the MWAA web front


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def url(self, scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class Secrets:
    token_secret: str  # signs the CLI / web login tokens (privlink.mwaa.tokens)
    jwt_secret: str  # Airflow 3 [api_auth] jwt_secret
    fernet_key: str  # Airflow's encryption of connections and variables
    web_secret_key: str  # Airflow's [api] / [webserver] secret_key (sessions)
    db_password: str  # the metadata database's `airflow` role
    admin_password: str  # the runtime's own Airflow admin (2.x REST API, simple auth)

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            token_secret=secrets.token_hex(24),
            jwt_secret=secrets.token_hex(24),
            fernet_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            web_secret_key=secrets.token_hex(24),
            db_password=secrets.token_hex(16),
            admin_password=secrets.token_hex(16),
        )


@dataclass(frozen=True)
class EnvironmentSpec:
    """Everything needed to run one environment; `netns` maps a component name
    (see COMPONENTS_3 / COMPONENTS_2 / AUXILIARY) to the network namespace it runs in."""

    name: str
    airflow_version: str
    state_dir: Path
    dags_folder: Path
    database: Endpoint  # where PostgreSQL listens (later: behind the database endpoint)
    web: Endpoint  # Airflow's api-server (3.x) / webserver (2.x), plain HTTP
    front: Endpoint  # the MWAA web front, HTTPS
    tls_cert: Path
    tls_key: Path
    secrets: Secrets
    # How Airflow's components reach the database and the API server when that differs
    # from where they listen (an endpoint's address); None: the listening address.
    database_address: Endpoint | None = None
    web_address: Endpoint | None = None
    netns: Mapping[str, str] = field(default_factory=dict)
    configuration: Mapping[str, str] = field(default_factory=dict)  # "section.key": value
    airflow_root: Path = ROOT / ".airflow"

    def __post_init__(self) -> None:
        major = self.airflow_version.split(".")[0]
        if not major.isdigit() or int(major) not in RUNNABLE_MAJORS:
            raise ValueError(f"unsupported Airflow version {self.airflow_version}")

    @property
    def major(self) -> int:
        return int(self.airflow_version.split(".")[0])

    @property
    def components(self) -> tuple[str, ...]:
        return (COMPONENTS_3 if self.major >= 3 else COMPONENTS_2) + AUXILIARY

    @property
    def web_component(self) -> str:
        """The component serving Airflow's UI and REST API."""
        return "api-server" if self.major >= 3 else "webserver"

    @property
    def venv(self) -> Path:
        return self.airflow_root / self.airflow_version

    @property
    def layout(self) -> Layout:
        return Layout(self.state_dir)

    def save(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / SPEC_FILE
        path.write_text(json.dumps(_to_jsonable(self), indent=2, sort_keys=True))
        path.chmod(0o600)

    @classmethod
    def load(cls, state_dir: Path) -> EnvironmentSpec:
        raw = json.loads((state_dir / SPEC_FILE).read_text())
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if f.name in ("database", "web", "front", "database_address", "web_address"):
                value = Endpoint(**value) if value is not None else None
            elif f.name == "secrets":
                value = Secrets(**value)
            elif f.name in ("state_dir", "dags_folder", "tls_cert", "tls_key", "airflow_root"):
                value = Path(value)
            values[f.name] = value
        return cls(**values)


def _to_jsonable(spec: EnvironmentSpec) -> dict[str, Any]:
    raw = asdict(spec)
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in raw.items()}


@dataclass(frozen=True)
class Layout:
    """Where an environment keeps its files under the state dir."""

    state_dir: Path

    @property
    def pgdata(self) -> Path:
        return self.state_dir / "pgdata"

    @property
    def pg_socket_dir(self) -> Path:
        return self.state_dir / "pgsock"

    @property
    def airflow_home(self) -> Path:
        return self.state_dir / "airflow"

    @property
    def task_logs(self) -> Path:
        """Airflow's base_log_folder: one file per task try, read by tasklogs.py."""
        return self.state_dir / "task-logs"

    @property
    def run_dir(self) -> Path:
        """Pidfiles, one per component."""
        return self.state_dir / "run"

    @property
    def logs(self) -> Path:
        """stdout/stderr of each component."""
        return self.state_dir / "logs"

    @property
    def snapshots(self) -> Path:
        """Dumps of the metadata database an update takes first (CREATING_SNAPSHOT)."""
        return self.state_dir / "snapshots"

    @property
    def cli_socket(self) -> Path:
        return self.state_dir / "run" / "cli.sock"
