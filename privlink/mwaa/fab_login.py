"""Airflow 2 sessions for the console-SSO page: a Flask-AppBuilder login done for the user.

Airflow 2's UI authenticates with Flask-AppBuilder's session cookie, and FAB only
issues one through its login form. So, for a verified web token, the front makes sure
a FAB user named after the token's AirflowIdentity exists with the token's role
(`users create` through the warm CLI, idempotent), logs in with a password derived from
the environment's token secret (never stored, the same on every login), and hands the
resulting session cookie to the browser.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import httpx

from privlink.mwaa.cli import run_command

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def password_for(token_secret: str, identity: str) -> str:
    return hmac.new(token_secret.encode(), f"fab:{identity}".encode(), hashlib.sha256).hexdigest()


async def ensure_user(cli_socket: Path, identity: str, role: str, password: str) -> None:
    email = hashlib.sha256(identity.encode()).hexdigest()[:16] + "@privlink.invalid"
    result = await run_command(cli_socket, [
        "users", "create", "--username", identity, "--password", password, "--role", role,
        "--firstname", identity[:64], "--lastname", "MWAA", "--email", email,
    ])  # fmt: skip
    if result.exit_code != 0:
        raise RuntimeError(f"users create failed: {result.stderr.decode(errors='replace')}")


async def session_cookie(client: httpx.AsyncClient, identity: str, password: str) -> str | None:
    """The `session` cookie of a fresh FAB login, or None if the login was refused."""
    page = await client.get("/login/")
    found = CSRF.search(page.text)
    if found is None:
        return None
    answer = await client.post(
        "/login/",
        data={"username": identity, "password": password, "csrf_token": found.group(1)},
        cookies=page.cookies,
        follow_redirects=False,
    )
    if answer.status_code != 302 or "/login" in answer.headers.get("location", ""):
        return None
    return answer.cookies.get("session")
