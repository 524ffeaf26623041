"""A warm Airflow CLI: imports Airflow once, then forks one child per command.

A cold `airflow dags list` spends 3.6-4.8 s importing Airflow and building its
argument parser before doing a few milliseconds of work. MWAA's /aws_mwaa/cli must
answer faster than that, so this server (run by the environment's own Airflow
virtual environment, never by privlink's: it imports only the standard library and
Airflow) pays the imports once and forks a child per request. The child runs the
command with its stdout and stderr on memory files and answers with both.

Protocol on the unix socket: one JSON line {"argv": [...]} in, one JSON line
{"stdout": base64, "stderr": base64, "exit": int} out, then the connection closes.

Usage: python forkserver.py SOCKET_PATH
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import traceback
from argparse import ArgumentParser
from typing import Any

# Command modules Airflow loads lazily; importing them before forking is the point.
WARM_MODULES = (
    "airflow.cli.commands.dag_command",
    "airflow.cli.commands.task_command",
    "airflow.cli.commands.variable_command",
    "airflow.cli.commands.connection_command",
    "airflow.cli.commands.pool_command",
    "airflow.models.dagbag",
    "airflow.models.dagrun",
    "airflow.models.taskinstance",
)


def preload() -> ArgumentParser:
    """Import Airflow and what the common commands need; return the CLI's parser.

    One throwaway command then loads what Airflow otherwise loads on first use in each
    process (provider metadata, the migration scripts it checks the schema against:
    0.8 s of every cold command); its database connections are closed before any fork,
    so no child shares a connection with another."""
    from airflow import settings
    from airflow.cli import cli_parser
    from airflow.configuration import write_default_airflow_configuration_if_needed

    write_default_airflow_configuration_if_needed()
    for name in WARM_MODULES:
        importlib.import_module(name)
    parser = cli_parser.get_parser()
    saved = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        run(parser, ["variables", "list"])
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)
    if settings.engine is not None:
        settings.engine.dispose()
    return parser


def run(parser: ArgumentParser, argv: list[str]) -> int:
    """What `airflow ARGV` does, as an exit status (argparse errors exit 2)."""
    try:
        args = parser.parse_args(argv)
        args.func(args)
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        return int(exc.code or 0)
    except Exception:  # noqa: BLE001 - reported to the caller like the CLI reports it
        traceback.print_exc()
        return 1
    return 0


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def handle(conn: socket.socket, parser: ArgumentParser) -> None:
    """In the forked child: read the command, run it with fds 1 and 2 on memory files."""
    with conn, conn.makefile("rb") as reader:
        request: dict[str, Any] = json.loads(reader.readline() or b"{}")
        out, err = os.memfd_create("stdout"), os.memfd_create("stderr")
        os.dup2(out, 1)
        os.dup2(err, 2)
        code = run(parser, [str(a) for a in request.get("argv", [])])
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        answer = {
            "stdout": base64.b64encode(_read_all(out)).decode(),
            "stderr": base64.b64encode(_read_all(err)).decode(),
            "exit": code,
        }
        conn.sendall(json.dumps(answer).encode() + b"\n")


def serve(path: str) -> None:
    parser = preload()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o600)
    server.listen(32)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    print(f"forkserver ready on {path}", flush=True)
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # commands wait for their own
            server.close()
            status = 0
            try:
                handle(conn, parser)
            except BaseException:  # noqa: BLE001 - a child must never return into the loop
                status = 1
            finally:
                os._exit(status)
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
