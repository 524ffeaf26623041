"""HAProxy configuration for load balancers, rendered from plan data. Pure: no I/O.

One HAProxy serves one load balancer (an ALB, or the TLS listeners of an NLB) inside its
namespace. `HaproxySpec` says what it serves; `render` turns it into the configuration
text and the files it reads (certificates, fixed-response bodies), all under one
directory. Target health is HAProxy's own checks, read back with `parse_stat`.

ALB semantics rendered here: X-Forwarded-For (appended, `option forwardfor`),
X-Forwarded-Proto and X-Forwarded-Port set for the target; HTTP(S) health checks with
AWS's matcher turned into a status regex; redirects with #{protocol}, #{host}, #{port},
#{path} and #{query} kept unless replaced; fixed responses answered by HAProxy itself.
An NLB TLS listener is `mode tcp` with `ssl` on the bind line and TCP checks.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from privlink.dataplane.alb import HttpCheck, TlsTermination

Mode = Literal["http", "tcp"]

# HAProxy check_status -> ELB reason for an unhealthy target, and its description
_TIMEOUTS = ("L4TOUT", "L6TOUT", "L7TOUT")


@dataclass(frozen=True)
class Backend:
    name: str
    target_group_id: str
    targets: tuple[tuple[str, int], ...]  # (ip, port)
    check: HttpCheck | None  # None: TCP connect checks (NLB)
    tls: bool = False  # TLS towards the targets (HTTPS / TLS target groups)
    # TCP checks (interval, timeout, rise, fall); None: not checked, always healthy
    tcp_check: tuple[float, float, int, int] | None = (10.0, 5.0, 3, 3)


@dataclass(frozen=True)
class Frontend:
    port: int
    protocol: str  # http | https | tls
    backend: str | None = None  # forward
    tls: TlsTermination | None = None
    redirect: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class HaproxySpec:
    key: str  # process key (haproxy-<hash>)
    owner: str  # the load balancer's id, for error reports
    netns: str
    mode: Mode
    frontends: tuple[Frontend, ...]
    backends: tuple[Backend, ...]
    idle_timeout: int = 60


def key_for(lb_id: str) -> str:
    return f"haproxy-{hashlib.sha256(lb_id.encode()).hexdigest()[:12]}"


def backend_name(target_group_id: str) -> str:
    return f"tg-{hashlib.sha256(target_group_id.encode()).hexdigest()[:12]}"


def server_name(ip: str, port: int) -> str:
    return f"{ip}:{port}"


def status_regex(matcher: str) -> str:
    """AWS's HttpCode ("200", "200,302", "200-299") as an anchored regex of codes."""
    codes: list[str] = []
    for part in matcher.split(","):
        low, _, high = part.partition("-")
        codes.extend(str(c) for c in range(int(low), int(high or low) + 1))
    return "^(" + "|".join(dict.fromkeys(codes)) + ")$"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cert_file(arn: str) -> str:
    return f"cert-{hashlib.sha256(arn.encode()).hexdigest()[:12]}.pem"


def _bind(front: Frontend) -> str:
    line = f"    bind :{front.port}"
    if front.tls is not None:
        crts = " ".join(f"crt {_cert_file(c.arn)}" for c in front.tls.certificates)
        line += f" ssl {crts} ssl-min-ver {front.tls.min_tls}"
        if front.protocol == "https":
            line += " alpn http/1.1"
    return line


def _redirect(front: Frontend) -> list[str]:
    """AWS RedirectConfig -> one HAProxy redirect (with and without a query string)."""
    config = dict(front.redirect)
    scheme = config["Protocol"].replace("#{protocol}", front.protocol).lower()
    host = config["Host"].replace("#{host}", "%[req.hdr(host),field(1,:)]")
    port = config["Port"].replace("#{port}", str(front.port))
    path = config["Path"].replace("/#{path}", "%[path]").replace("#{path}", "%[path,regsub(^/,)]")
    code = config["StatusCode"].removeprefix("HTTP_")
    default = (scheme, port) in (("http", "80"), ("https", "443"))
    base = f"{scheme}://{host}{'' if default else ':' + port}{path}"
    query = config["Query"].replace("#{query}", "%[query]")
    return [
        f"    http-request redirect location {_quote(base + '?' + query)} code {code}"
        " if { query -m found }",
        f"    http-request redirect location {_quote(base)} code {code}",
    ]


def _fixed(front: Frontend, files: dict[str, str], root: Path) -> list[str]:
    config = dict(front.fixed)
    line = f"    http-request return status {config['StatusCode']}"
    line += f" content-type {_quote(config.get('ContentType') or 'text/plain')}"
    body = config.get("MessageBody")
    if body:
        name = f"body-{front.port}.txt"
        files[name] = body
        line += f" file {root / name}"
    return [line]


def _frontend(spec: HaproxySpec, front: Frontend, files: dict[str, str], root: Path) -> list[str]:
    lines = [f"frontend listener-{front.port}", _bind(front)]
    if spec.mode == "http":
        scheme = "https" if front.protocol == "https" else "http"
        lines += [
            "    option forwardfor",
            f"    http-request set-header X-Forwarded-Proto {scheme}",
            f"    http-request set-header X-Forwarded-Port {front.port}",
        ]
        if front.redirect:
            lines += _redirect(front)
        elif front.fixed:
            lines += _fixed(front, files, root)
    if front.backend:
        lines.append(f"    default_backend {front.backend}")
    return lines


def _checks(backend: Backend) -> tuple[list[str], str]:
    """(backend lines, server options) of the backend's health checks."""
    check = backend.check
    if check is not None:
        lines = [
            "    option httpchk",
            f"    http-check send meth GET uri {check.path} ver HTTP/1.0",
            f"    http-check expect rstatus {status_regex(check.matcher)}",
            f"    timeout check {int(check.timeout * 1000)}ms",
        ]
        options = f"check inter {int(check.interval * 1000)}ms"
        options += f" rise {check.healthy_threshold} fall {check.unhealthy_threshold}"
        if check.port:
            options += f" port {check.port}"
        if check.protocol == "https":
            options += " check-ssl" + ("" if backend.tls else " verify none")
        return lines, options
    if backend.tcp_check is None:
        return [], ""
    inter, timeout, rise, fall = backend.tcp_check
    return (
        [f"    timeout check {int(timeout * 1000)}ms"],
        f"check inter {int(inter * 1000)}ms rise {rise} fall {fall}",
    )


def _backend(backend: Backend) -> list[str]:
    lines, options = _checks(backend)
    tls = " ssl verify none" if backend.tls else ""
    servers = [
        f"    server {server_name(ip, port)} {ip}:{port}{tls} {options}".rstrip()
        for ip, port in backend.targets
    ]
    return [f"backend {backend.name}", "    balance roundrobin", *lines, *servers]


def render(spec: HaproxySpec, root: Path) -> tuple[str, dict[str, str]]:
    """(configuration text, {file name under root: content}) for `spec`."""
    files: dict[str, str] = {}
    for front in spec.frontends:
        for cert in front.tls.certificates if front.tls else ():
            files[_cert_file(cert.arn)] = cert.pem
    lines = [
        "# written by privlink; changes are overwritten",
        "global",
        f"    stats socket {root / 'stats.sock'} mode 600 level admin expose-fd listeners",
        f"    crt-base {root}",
        "    tune.ssl.default-dh-param 2048",
        "defaults",
        f"    mode {spec.mode}",
        "    timeout connect 5s",
        f"    timeout client {spec.idle_timeout}s",
        f"    timeout server {spec.idle_timeout}s",
        "    timeout http-request 60s",
        "    default-server init-addr none",
    ]
    for front in spec.frontends:
        lines += _frontend(spec, front, files, root)
    for backend in spec.backends:
        lines += _backend(backend)
    return "\n".join(lines) + "\n", files


@dataclass(frozen=True)
class ServerHealth:
    """One target as HAProxy's checks see it, in ELB's words."""

    backend: str
    ip: str
    port: int
    state: str  # initial | healthy | unhealthy
    reason: str | None
    description: str


def _health(row: dict[str, str]) -> tuple[str, str | None, str]:
    check = (row.get("check_status") or "").strip("* ")
    status = row.get("status") or ""
    if check in ("", "INI") or status.startswith("no check"):
        return "initial", "Elb.InitialHealthChecking", "Initial health checks in progress"
    if status.startswith("UP"):
        return "healthy", None, ""
    if check == "L7STS":
        code = row.get("check_code") or "?"
        return (
            "unhealthy",
            "Target.ResponseCodeMismatch",
            f"Health checks failed with these codes: [{code}]",
        )
    if check in _TIMEOUTS:
        return "unhealthy", "Target.Timeout", "Request timed out"
    return "unhealthy", "Target.FailedHealthChecks", "Health checks failed"


def parse_stat(text: str) -> list[ServerHealth]:
    """`show stat` CSV -> the health of every server (BACKEND/FRONTEND rows skipped)."""
    body = text.lstrip("# ")
    found = []
    for row in csv.DictReader(io.StringIO(body)):
        name = row.get("svname") or ""
        match = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+)", name)
        if match is None:
            continue
        state, reason, description = _health(row)
        found.append(
            ServerHealth(row["pxname"], match[1], int(match[2]), state, reason, description)
        )
    return found
