"""The `privlink` command: up, env, exec, down, status, reset, az."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import resource
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from privlink.config import Settings, default_state_dir

DEFAULT_URL = "http://127.0.0.1:4566"
DEFAULT_DNS_PORT = 4553


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        return _up(args)
    if args.command == "env":
        return _env(args)
    if args.command == "exec":
        if args.internet:  # no instance: the first word is the command's
            return _exec(None, [args.instance_id, *args.argv] if args.instance_id else [])
        return _exec(args.instance_id, args.argv)
    if args.command == "down":
        return _down(args.state_dir)
    if args.command == "status":
        return _status(args.url)
    if args.command == "az":
        return _az(args)
    if args.command == "reset":
        _call(args.url, "POST", "/_privlink/reset")
        print("privlink state emptied")
        return 0
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="privlink", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _up_arguments(sub.add_parser("up", help="run privlink in the foreground (Ctrl-C stops it)"))

    env = sub.add_parser("env", help="print the exports that point the AWS CLI and SDKs here")
    env.add_argument("--url", default=DEFAULT_URL)
    env.add_argument("--region", default="us-east-1")
    env.add_argument("--access-key", default="test")
    env.add_argument("--state-dir", type=Path, default=default_state_dir())
    env.add_argument(
        "--dns-port", type=int, default=DEFAULT_DNS_PORT, help="the host resolver's port"
    )

    run = sub.add_parser(
        "exec",
        help="run a command inside an instance's network, or on privlink's internet (as root)",
    )
    run.add_argument(
        "--internet",
        action="store_true",
        help="run it on a computer on privlink's internet (public addresses and names)",
    )
    run.add_argument("instance_id", nargs="?")
    run.add_argument("argv", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")

    down = sub.add_parser("down", help="stop the privlink started with `privlink up`")
    down.add_argument("--state-dir", type=Path, default=default_state_dir())

    for name, text in (("status", "show what is running"), ("reset", "empty all state")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--url", default=os.environ.get("PRIVLINK_URL", DEFAULT_URL))
    _az_arguments(sub.add_parser("az", help="list availability zones; fail or restore one"))
    return parser


def _az_arguments(az: argparse.ArgumentParser) -> None:
    az.add_argument("--url", default=os.environ.get("PRIVLINK_URL", DEFAULT_URL))
    az.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
        help="list only this region's zones (default: $AWS_REGION; unset: every region)",
    )
    az_sub = az.add_subparsers(dest="az_command")
    for name, text in (
        ("fail", "a zonal outage: the zone's interfaces, targets, nodes and instances stop"),
        ("restore", "end the zone's outage"),
    ):
        az_sub.add_parser(name, help=text).add_argument("zone", help="zone name or ID")


def _up_arguments(up: argparse.ArgumentParser) -> None:
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=4566)
    up.add_argument(
        "--https-port",
        type=int,
        default=4567,
        help="HTTPS listener (local CA) that interface endpoints to AWS services reach; 0 = off",
    )
    up.add_argument(
        "--dns-port",
        type=int,
        default=DEFAULT_DNS_PORT,
        help="host-side resolver on 127.0.0.1 for endpoint names (--dataplane linux); 0 = off",
    )
    up.add_argument("--database", help="SQLAlchemy URL (default: SQLite under --state-dir)")
    up.add_argument("--state-dir", type=Path, default=default_state_dir())
    up.add_argument("--dataplane", choices=["linux", "none"], default="none")
    up.add_argument("--region", default="us-east-1", help="region for unsigned requests")
    up.add_argument(
        "--strict-key",
        action="append",
        default=[],
        metavar="AKID:SECRET",
        help="verify SigV4 signatures; only these keys are accepted (repeatable)",
    )
    up.add_argument(
        "--admin-key",
        metavar="AKID",
        help="strict mode: the access key id (one of --strict-key) allowed on /_privlink/ routes",
    )
    up.add_argument("--log-level", default="info")


def _open_files_limit() -> None:
    """Raise the soft RLIMIT_NOFILE to the hard one (as systemd and Go's runtime do for
    servers): a data-plane pass holds two netlink sockets per namespace it converges,
    thousands on a first apply, and a default soft limit of 1,024 failed it with EMFILE."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            wanted = 1 << 20 if hard == resource.RLIM_INFINITY else hard
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))


def _collector() -> None:
    """Collect cyclic garbage less often. Every data-plane pass and every API call leave
    many objects alive for a while (plans, kernel specs, parsed records), and with
    CPython's default thresholds (700, 10, 10) a full collection, which stops every thread
    for ~100 ms at 500 endpoints, ran every 2-3 s: one in four plans took 130 ms instead
    of 25. Young collections stay cheap at 20,000 objects (~1 ms)."""
    gc.set_threshold(20_000, 20, 20)


def _up(args: argparse.Namespace) -> int:
    import uvloop

    from privlink.app import Runtime

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _open_files_limit()
    _collector()
    strict = dict(item.split(":", 1) for item in args.strict_key)
    settings = Settings(
        host=args.host,
        port=args.port,
        https_port=args.https_port,
        dns_port=args.dns_port,
        state_dir=args.state_dir,
        database_url=args.database,
        dataplane=args.dataplane,
        default_region=args.region,
        strict_keys=strict,
        admin_key=args.admin_key,
    )
    from privlink.dataplane.linux.hostlock import DataplaneBusy

    try:
        runtime = Runtime(settings)
    except DataplaneBusy as busy:
        print(f"privlink: {busy}", file=sys.stderr)
        return 1
    if settings.dataplane == "none":
        logging.getLogger("privlink").info(
            "data plane: none (control plane only; no namespaces, no traffic)"
        )
    pid_file = settings.state_dir / "privlink.pid"
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{os.getpid()}\n")
    try:
        uvloop.run(_serve(runtime, args))
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after shutdown
        pass
    finally:
        pid_file.unlink(missing_ok=True)
    return 0


def _follower_class() -> Any:
    import uvicorn

    class Follower(uvicorn.Server):
        """Serves beside the main server; signals are the main server's business."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Follower


async def _serve(runtime: Any, args: argparse.Namespace) -> None:
    """The HTTP API and, beside it, the same app over HTTPS with the local CA's certificate."""
    import uvicorn

    from privlink import tls
    from privlink.wiring import endpoint_prefixes

    _Follower = _follower_class()
    common = dict(log_level=args.log_level, access_log=False, loop="uvloop", http="httptools")
    servers = [
        uvicorn.Server(
            uvicorn.Config(runtime, host=args.host, port=args.port, lifespan="on", **common)
        )
    ]
    if args.https_port:
        prefixes = endpoint_prefixes(runtime.registry)
        files = tls.ensure(args.state_dir, prefixes)
        config = uvicorn.Config(
            runtime,
            host=args.host,
            port=args.https_port,
            lifespan="off",
            ssl_certfile=str(files.cert),
            ssl_keyfile=str(files.key),
            **common,
        )
        config.load()  # makes config.ssl; names the static certificate misses are minted
        assert config.ssl is not None
        config.ssl.sni_callback = tls.name_certificates(args.state_dir, prefixes).sni_callback
        servers.append(_Follower(config))
    # The first server owns the lifespan; the others follow it so Ctrl-C stops all.
    main_server, *others = servers
    tasks = [asyncio.create_task(s.serve()) for s in others]
    try:
        await main_server.serve()
    finally:
        for server in others:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)


def _env(args: argparse.Namespace) -> int:
    exports = {
        "AWS_ENDPOINT_URL": args.url,
        "AWS_DEFAULT_REGION": args.region,
        "AWS_REGION": args.region,
        "AWS_ACCESS_KEY_ID": args.access_key,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
    }
    ca = args.state_dir / "tls" / "ca.pem"
    if ca.exists():
        exports["AWS_CA_BUNDLE"] = str(ca)
    for key, value in exports.items():
        print(f"export {key}={value}")
    if args.dns_port:
        print(
            "# endpoint names from the host (privlink up --dataplane linux): "
            f"dig @127.0.0.1 -p {args.dns_port} NAME"
        )
    return 0


def _exec(instance_id: str | None, argv: list[str]) -> int:
    """Replace this process with the command, inside the instance's namespace (or, with no
    instance, privlink's internet: plk-inet, the computer on it).

    `ip netns exec` also bind-mounts the namespace's /etc/netns/NAME/resolv.conf,
    so the command resolves through its VPC's resolver, as on the instance (on the
    internet: a resolver that knows privlink's public names).
    """
    from privlink.dataplane import names

    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(
            "usage: privlink exec INSTANCE_ID -- COMMAND [ARGS...]\n"
            "       privlink exec --internet -- COMMAND [ARGS...]",
            file=sys.stderr,
        )
        return 2
    namespace = names.instance_netns(instance_id) if instance_id else names.INTERNET_NETNS
    if not Path("/run/netns", namespace).exists():
        what = f"instance {instance_id}" if instance_id else "privlink's internet"
        print(
            f"{what} has no network here: is it running, and is privlink up "
            "with --dataplane linux?",
            file=sys.stderr,
        )
        return 1
    os.execvp("ip", ["ip", "netns", "exec", namespace, *argv])
    return 127  # not reached


def _down(state_dir: Path) -> int:
    """Ctrl-C for a privlink running elsewhere: SIGINT to the PID it recorded, then wait."""
    pid_file = state_dir / "privlink.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        print(f"no privlink is running for {state_dir}", file=sys.stderr)
        return 1
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        print("privlink was not running (stale pid file removed)")
        return 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not _running(pid):
            print("privlink stopped")
            return 0
        time.sleep(0.05)
    print(f"privlink (pid {pid}) did not stop within 60 s", file=sys.stderr)
    return 1


def _running(pid: int) -> bool:
    """Alive and not a zombie: whoever started privlink (a shell script, a test harness)
    may not have reaped it yet, and an exited process has stopped whatever its parent."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][:1] != "Z"
    except (FileNotFoundError, IndexError):  # no /proc (not Linux): the signal said alive
        return True


def _call(url: str, method: str, path: str, body: bytes = b"") -> Any:
    request = urllib.request.Request(
        url + path,
        method=method,
        data=body if method == "POST" else None,
        headers=_signed_headers(url + path, method, body),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:  # privlink answered: say what it said
        try:
            reason = json.loads(exc.read()).get("error") or exc.reason
        except ValueError:
            reason = exc.reason
        print(f"privlink: {reason}", file=sys.stderr)
        raise SystemExit(2 if 400 <= exc.code < 500 else 1) from exc
    except urllib.error.URLError as exc:
        print(f"privlink is not reachable at {url}: {exc.reason}", file=sys.stderr)
        raise SystemExit(1) from exc


def _signed_headers(url: str, method: str, body: bytes = b"") -> dict[str, str]:
    """SigV4 headers from the environment's credentials (a strict-mode server needs its
    admin key on /_privlink/ routes); none when no credentials are set."""
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not key or not secret:
        return {}
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials(key, secret), "privlink", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _status(url: str) -> int:
    data = _call(url, "GET", "/_privlink/status")
    rows = [
        ("endpoint", data["endpoint"]),
        ("version", data["version"]),
        ("database", data["database"]),
        ("data plane", data["dataplane"]),
    ]
    if data.get("https_port"):
        host = data["endpoint"].split("://", 1)[-1].rpartition(":")[0]
        rows.append(("https", f"https://{host}:{data['https_port']} (local CA)"))
    if data.get("host_resolver"):
        host, _, port = data["host_resolver"].rpartition(":")
        rows.append(("host resolver", f"dig @{host} -p {port} NAME"))
    width = max(len(k) for k in list(dict(rows)) + list(data["resources"]))
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print()
    print(f"{'resource':<{width}}  count")
    for kind, count in sorted(data["resources"].items()):
        print(f"{kind:<{width}}  {count}")
    _print_usage(data.get("privatelink_usage") or {})
    _print_environments(data.get("mwaa_environments") or [])
    return 0


def _az(args: argparse.Namespace) -> int:
    """`privlink az`: zone states; `az fail ZONE` / `az restore ZONE` change one (exit 2 for
    a zone privlink does not know, as for any usage error)."""
    if args.az_command:
        body = json.dumps({"zone": args.zone}).encode()
        state = _call(args.url, "POST", f"/_privlink/az/{args.az_command}", body)
        print(f"{state['name']} ({state['zone_id']})  {state['state']}")
        return 0
    states = [
        s for s in _call(args.url, "GET", "/_privlink/az") if args.region in (None, s["region"])
    ]
    print("zone          zone id       state")
    for state in states:
        since = f"  since {state['since']}" if state.get("since") else ""
        print(f"{state['name']:<13} {state['zone_id']:<13} {state['state']}{since}")
    return 0


def _print_environments(environments: list[dict[str, str]]) -> None:
    """MWAA environments: where, their state (with a failure's error code), the web host."""
    if not environments:
        return
    print()
    print("MWAA environments (account/region  name  status  Airflow  web server)")
    for env in environments:
        status = env["status"] + (f" ({env['error']})" if env.get("error") else "")
        print(f"  {env['account']}/{env['region']}  {env['name']}  {status}  "
              f"{env['airflow_version']}  {env['webserver']}")  # fmt: skip


def _print_usage(usage: dict[str, Any]) -> None:
    """PrivateLink usage in its pricing units: endpoint-hours per AZ, GB processed."""
    if not usage:
        return
    print()
    print("PrivateLink usage (account/region: endpoint-hours per AZ; GB processed)")
    for where, used in usage.items():
        zones = ", ".join(f"{az} {h}" for az, h in used["endpoint_hours_by_az"].items())
        print(f"  {where}  endpoint-hours {used['endpoint_hours']} ({zones or 'none'})", end="")
        print(f"; GB processed {used['gb_processed']:.6f}".rstrip("0").rstrip("."))


if __name__ == "__main__":
    sys.exit(main())
