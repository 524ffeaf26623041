"""The MWAA web front: the HTTPS server behind an environment's web-server host name.

MWAA's web server answers three kinds of requests, and so does this front:
- POST /aws_mwaa/cli with a CLI token: run an Airflow CLI command, answer base64
  stdout/stderr (the warm fork server runs it; cli.py);
- /aws_mwaa/aws-console-sso?login=true#<web token>: log a browser into the Airflow UI.
  The token travels in the URL fragment, which browsers never send, so the page hands
  it over with a little JavaScript (a form POST back to the same path); the front
  checks it and, for Airflow 3, sets the `_token` cookie Airflow's UI adopts, holding
  a JWT signed with the environment's jwt_secret;
- anything else: proxied unchanged to Airflow's API server / webserver, so `GET /` and
  the health endpoint behave as Airflow makes them.

Run as `python -m privlink.mwaa.front STATE_DIR` (the runner starts it); it reads the
environment's spec from the state dir.
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import sys
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from privlink.mwaa import fab_login, tokens
from privlink.mwaa.cli import CliRefused, parse_command, run_command
from privlink.mwaa.spec import EnvironmentSpec

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CLI_PATH = "/aws_mwaa/cli"
SSO_PATH = "/aws_mwaa/aws-console-sso"
SESSION_LIFETIME = 12 * 3600  # the Airflow session a web login opens
HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade",
     b"proxy-authorization", b"proxy-authenticate", b"host", b"content-length"}
)  # fmt: skip
# MWAA's roles (the web token's) -> the simple auth manager's roles (Airflow 3).
AIRFLOW3_ROLES = {"Admin": "ADMIN", "Op": "OP", "User": "USER", "Viewer": "VIEWER"}

SSO_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Signing in to Apache Airflow</title></head>
<body><p id="status">Signing in to Apache Airflow...</p>
<form id="login" method="post" action="{action}">
<input type="hidden" name="token" id="token"></form>
<script>
  var token = window.location.hash.substring(1);
  if (token) {{
    document.getElementById("token").value = token;
    document.getElementById("login").submit();
  }} else {{
    document.getElementById("status").textContent = "No login token in the URL.";
  }}
</script></body></html>
"""


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def respond(
    send: Send, status: int, body: bytes, content_type: str, headers: list[tuple[bytes, bytes]]
) -> None:
    head = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": head + headers})
    await send({"type": "http.response.body", "body": body})


async def respond_json(send: Send, status: int, document: dict[str, Any]) -> None:
    await respond(send, status, json.dumps(document).encode(), "application/json", [])


class Front:
    """The ASGI application; `clock` is injectable so token expiry can be reasoned about."""

    def __init__(self, spec: EnvironmentSpec, clock: Callable[[], float] = time.time) -> None:
        self.spec = spec
        self.clock = clock
        self.upstream = spec.web.url()
        # The proxy relays each browser's own cookies: its client must keep none.
        no_jar = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.client = httpx.AsyncClient(base_url=self.upstream, timeout=120.0, cookies=no_jar)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == CLI_PATH:
            await self.cli(scope, receive, send)
        elif path == SSO_PATH:
            await self.sso(scope, receive, send)
        else:
            await self.proxy(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- /aws_mwaa/cli -------------------------------------------------------------------

    async def cli(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        if scope["method"] != "POST":
            await respond_json(send, 405, {"message": "Method Not Allowed"})
            return
        headers = dict(scope["headers"])
        scheme, _, token = headers.get(b"authorization", b"").decode().partition(" ")
        if scheme.lower() != "bearer" or not token:
            await respond_json(send, 401, {"message": "Unauthorized"})
            return
        try:
            tokens.verify(self.spec.secrets.token_secret, self.spec.name, token, "cli",
                          self.clock())  # fmt: skip
            argv = parse_command(body.decode(errors="replace"))
        except tokens.TokenError:
            await respond_json(send, 403, {"message": "Forbidden"})
            return
        except CliRefused as exc:
            await respond_json(send, 400, {"message": str(exc)})
            return
        result = await run_command(self.spec.layout.cli_socket, argv)
        await respond_json(send, 200, result.mwaa_json())

    # -- /aws_mwaa/aws-console-sso -------------------------------------------------------

    async def sso(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        if scope["method"] == "GET":
            page = SSO_PAGE.format(action=html.escape(SSO_PATH + "?login=true"))
            await respond(send, 200, page.encode(), "text/html; charset=utf-8", [])
            return
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        token = (form.get("token") or [""])[0]
        try:
            claims = tokens.verify(self.spec.secrets.token_secret, self.spec.name, token, "web",
                                   self.clock())  # fmt: skip
        except tokens.TokenError:
            await respond(send, 403, b"Forbidden: the login token is invalid or expired.\n",
                          "text/plain", [])  # fmt: skip
            return
        cookie = await (self._airflow3_cookie if self.spec.major >= 3 else self._fab_cookie)(claims)
        if cookie is None:
            await respond(send, 403, b"Forbidden: Airflow refused the login.\n", "text/plain", [])
            return
        await respond(send, 303, b"", "text/plain",
                      [(b"location", b"/"), (b"set-cookie", cookie.encode())])  # fmt: skip

    async def _airflow3_cookie(self, claims: tokens.Claims) -> str | None:
        """Airflow 3's UI adopts a JWT found in its `_token` cookie."""
        role = AIRFLOW3_ROLES.get(claims.role, "VIEWER")
        jwt = tokens.airflow_jwt(self.spec.secrets.jwt_secret, claims.identity, role,
                                 self.clock(), SESSION_LIFETIME)  # fmt: skip
        return f"_token={jwt}; Path=/; Secure; SameSite=Lax"

    async def _fab_cookie(self, claims: tokens.Claims) -> str | None:
        """Airflow 2: a Flask-AppBuilder session for the identity (fab_login.py)."""
        password = fab_login.password_for(self.spec.secrets.token_secret, claims.identity)
        await fab_login.ensure_user(self.spec.layout.cli_socket, claims.identity,
                                    claims.role or "Viewer", password)  # fmt: skip
        async with httpx.AsyncClient(base_url=self.upstream, timeout=60.0) as client:
            session = await fab_login.session_cookie(client, claims.identity, password)
        return None if session is None else f"session={session}; Path=/; Secure; HttpOnly"

    # -- everything else -----------------------------------------------------------------

    async def proxy(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in HOP_BY_HOP]
        host = dict(scope["headers"]).get(b"host", b"")
        if not any(k.lower() == b"accept-encoding" for k, _ in headers):
            # The body is relayed raw: never let the client library ask for an encoding
            # the browser or curl did not (httpx would send "gzip, deflate").
            headers.append((b"accept-encoding", b"identity"))
        client = scope.get("client") or ("", 0)
        headers += [
            (b"x-forwarded-proto", b"https"),
            (b"x-forwarded-host", host),
            (b"x-forwarded-for", str(client[0]).encode()),
        ]
        target = scope["raw_path"].decode() or "/"
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode()
        request = self.client.build_request(scope["method"], target, headers=headers, content=body)
        try:
            answer = await self.client.send(request, stream=True)
        except httpx.HTTPError:
            await respond(send, 502, b"Bad Gateway\n", "text/plain", [])
            return
        try:
            out = [(k, v) for k, v in answer.headers.raw if k.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": answer.status_code,
                        "headers": out})  # fmt: skip
            async for chunk in answer.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await answer.aclose()


def main(argv: list[str]) -> None:
    spec = EnvironmentSpec.load(Path(argv[1]))
    uvicorn.run(
        Front(spec),
        host=spec.front.host,
        port=spec.front.port,
        ssl_certfile=str(spec.tls_cert),
        ssl_keyfile=str(spec.tls_key),
        log_level="warning",
        lifespan="on",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main(sys.argv)
