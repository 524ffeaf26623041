"""MWAA's short-lived tokens and the JWTs Airflow 3 accepts: pure functions, no I/O.

CreateCliToken and CreateWebLoginToken hand out opaque tokens valid for 60 seconds
that the environment's web front accepts (POST /aws_mwaa/cli, the console-SSO
page). Here they are HMAC-signed claims with a per-environment secret, so the MWAA
API service can mint them and the front can check them with no shared state but
that secret. Airflow 3 itself trusts any JWT signed with its `[api_auth] jwt_secret`:
`airflow_jwt` is how the front turns a verified web token into an Airflow session and
how the runtime calls Airflow's REST API.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

TOKEN_LIFETIME = 60  # seconds; CreateCliToken / CreateWebLoginToken (spec section 7)
Kind = Literal["cli", "web"]


class TokenError(Exception):
    """A token the front refuses: `reason` is 'malformed', 'forged', 'expired' or 'wrong'."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"token {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    kind: Kind
    environment: str
    expires: int
    identity: str  # the Airflow user name (web tokens); "" for CLI tokens
    role: str  # the Airflow role the user gets (web tokens); "" for CLI tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, message: bytes, digest: str = "sha256") -> bytes:
    return hmac.new(key, message, digest).digest()


def _mint(secret: str, claims: dict[str, Any]) -> str:
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(_sign(secret.encode(), body.encode()))}"


def mint_cli_token(secret: str, environment: str, now: float) -> str:
    """A CLI token for `environment`, valid TOKEN_LIFETIME seconds from `now`."""
    claims = {"k": "cli", "e": environment, "x": int(now) + TOKEN_LIFETIME}
    return _mint(secret, claims | {"n": secrets.token_hex(8)})


def mint_web_token(
    secret: str, environment: str, identity: str, now: float, role: str = "Admin"
) -> str:
    """A web login token: who logs in (AirflowIdentity) and with which Airflow role."""
    claims = {"k": "web", "e": environment, "x": int(now) + TOKEN_LIFETIME, "i": identity}
    return _mint(secret, claims | {"r": role, "n": secrets.token_hex(8)})


def verify(secret: str, environment: str, token: str, kind: Kind, now: float) -> Claims:
    """The claims of a token of `kind` minted for `environment`; TokenError otherwise."""
    body, _, signature = token.strip().partition(".")
    if not body or not signature:
        raise TokenError("malformed")
    try:
        given = _unb64(signature)
        claims = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError("malformed") from exc
    if not hmac.compare_digest(given, _sign(secret.encode(), body.encode())):
        raise TokenError("forged")
    if not isinstance(claims, dict) or claims.get("k") != kind or claims.get("e") != environment:
        raise TokenError("wrong")
    if now >= int(claims.get("x", 0)):
        raise TokenError("expired")
    return Claims(kind, environment, int(claims["x"]), claims.get("i", ""), claims.get("r", ""))


def airflow_jwt(jwt_secret: str, user: str, role: str, now: float, lifetime: int) -> str:
    """A JWT Airflow 3's API server accepts (HS512 over `[api_auth] jwt_secret`, audience
    'apache-airflow', the simple auth manager's claims `sub` and `role`)."""
    header = _b64(json.dumps({"alg": "HS512", "typ": "JWT"}, separators=(",", ":")).encode())
    issued = int(now)
    claims = {
        "sub": user,
        "role": role,
        "aud": "apache-airflow",
        "iat": issued,
        "nbf": issued,
        "exp": issued + lifetime,
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    return f"{header}.{payload}.{_b64(_sign(jwt_secret.encode(), signing_input, 'sha512'))}"
