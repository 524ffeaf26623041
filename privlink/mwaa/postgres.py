"""The environment's private PostgreSQL cluster: Airflow's metadata database.

MWAA keeps the metadata database in an Aurora PostgreSQL cluster that the
environment reaches through the database VPC endpoint on 5432. Here each
environment gets its own cluster under its state dir (initdb once), listening on
the address the caller gives, with password authentication for every TCP client (the
clients will be in other namespaces) and trust only on the local socket. The server
refuses to run as root, so as root it runs as the `postgres` user that Debian's
postgresql package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from privlink.mwaa.processes import wrap
from privlink.mwaa.spec import EnvironmentSpec

DATABASE = "airflow"
ROLE = "airflow"
# Seconds a component waits for the database to answer: a network that drops the traffic
# (a security group without the rule MWAA needs) fails in bounded time, not after TCP's ~2 min.
CONNECT_TIMEOUT = 3
HBA = """\
# written by privlink.mwaa: trust on the local socket, passwords over TCP
local all all trust
host all all 0.0.0.0/0 scram-sha-256
host all all ::/0 scram-sha-256
"""


def bin_dir() -> Path:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (scripts/install installs them)")
    return found[-1]


def server_user() -> str | None:
    """The user the server runs as: `postgres` when we are root, else ourselves (None)."""
    return "postgres" if os.geteuid() == 0 else None


def _run_as_server_user(argv: list[str]) -> None:
    done = subprocess.run(wrap(argv, None, server_user()), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr.strip() or done.stdout}")


def initialize(spec: EnvironmentSpec) -> None:
    """Create the cluster once: superuser `airflow` with the spec's password."""
    layout = spec.layout
    if (layout.pgdata / "PG_VERSION").exists():
        return
    user = server_user()
    for folder in (layout.pgdata, layout.pg_socket_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        if user is not None:
            shutil.chown(folder, user, user)
    if user is not None:
        # the server user must be able to traverse to its data directory
        spec.state_dir.chmod(spec.state_dir.stat().st_mode | 0o011)
        reach = subprocess.run(wrap(["test", "-w", str(layout.pgdata)], None, user))
        if reach.returncode != 0:
            raise RuntimeError(
                f"user {user} cannot reach {layout.pgdata}: every parent directory of the "
                "state dir must be traversable by others (chmod o+x)"
            )
    with tempfile.NamedTemporaryFile("w", suffix=".pw", delete=False) as pwfile:
        pwfile.write(spec.secrets.db_password + "\n")
    try:
        if user is not None:
            uid = pwd.getpwnam(user).pw_uid
            os.chown(pwfile.name, uid, -1)
        _run_as_server_user(
            [
                str(bin_dir() / "initdb"),
                "-D", str(layout.pgdata),
                "-U", ROLE,
                f"--pwfile={pwfile.name}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E", "UTF8",
            ]
        )  # fmt: skip
    finally:
        os.unlink(pwfile.name)
    (layout.pgdata / "pg_hba.conf").write_text(HBA)


def server_argv(spec: EnvironmentSpec) -> list[str]:
    layout = spec.layout
    return [
        str(bin_dir() / "postgres"),
        "-D", str(layout.pgdata),
        "-c", f"listen_addresses={spec.database.host}",
        "-p", str(spec.database.port),
        "-k", str(layout.pg_socket_dir),
        "-c", "shared_buffers=32MB",
        "-c", "max_connections=200",
    ]  # fmt: skip


def is_ready(spec: EnvironmentSpec) -> bool:
    """True once the server accepts connections on its socket."""
    done = subprocess.run(
        [str(bin_dir() / "pg_isready"), "-q", "-h", str(spec.layout.pg_socket_dir),
         "-p", str(spec.database.port), "-U", ROLE],
        capture_output=True,
    )  # fmt: skip
    return done.returncode == 0


def ensure_database(spec: EnvironmentSpec) -> None:
    """Create Airflow's database on the running server unless it exists."""
    psql = [
        str(bin_dir() / "psql"), "-h", str(spec.layout.pg_socket_dir),
        "-p", str(spec.database.port), "-U", ROLE, "-d", "postgres", "-tA", "-c",
    ]  # fmt: skip
    found = subprocess.run(
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if found.stdout.strip() != "1":
        subprocess.run([*psql, f"CREATE DATABASE {DATABASE}"], capture_output=True, check=True)


def sqlalchemy_url(spec: EnvironmentSpec) -> str:
    """How Airflow's components reach the database (its endpoint address when given)."""
    where = spec.database_address or spec.database
    return (
        f"postgresql+psycopg2://{ROLE}:{spec.secrets.db_password}"
        f"@{where.host}:{where.port}/{DATABASE}?connect_timeout={CONNECT_TIMEOUT}"
    )


def _client(spec: EnvironmentSpec, tool: str) -> list[str]:
    """A client tool on the server's local socket, as the `airflow` superuser."""
    return [str(bin_dir() / tool), "-h", str(spec.layout.pg_socket_dir),
            "-p", str(spec.database.port), "-U", ROLE]  # fmt: skip


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-500:]}")


def dump(spec: EnvironmentSpec, path: Path) -> None:
    """A snapshot of Airflow's database while it runs (pg_dump is one consistent read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _run([*_client(spec, "pg_dump"), "-Fc", "-f", str(path), DATABASE])


def restore(spec: EnvironmentSpec, path: Path) -> None:
    """Airflow's database as the snapshot has it (nothing may be connected but stragglers,
    which FORCE ends)."""
    psql = [*_client(spec, "psql"), "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c"]
    _run([*psql, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"])
    _run([*psql, f"CREATE DATABASE {DATABASE}"])
    _run([*_client(spec, "pg_restore"), "-d", DATABASE, "--no-owner", str(path)])
