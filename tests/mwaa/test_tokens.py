"""The token module the MWAA API service and the web front share (pure functions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from privlink.mwaa.tokens import (
    TOKEN_LIFETIME,
    TokenError,
    airflow_jwt,
    mint_cli_token,
    mint_web_token,
    verify,
)

SECRET = "s3cret"
NOW = 1_700_000_000.0


def test_cli_token_round_trip_and_60_second_life() -> None:
    token = mint_cli_token(SECRET, "Env", NOW)
    assert verify(SECRET, "Env", token, "cli", NOW).kind == "cli"
    assert verify(SECRET, "Env", token, "cli", NOW + TOKEN_LIFETIME - 1).environment == "Env"
    with pytest.raises(TokenError) as caught:
        verify(SECRET, "Env", token, "cli", NOW + TOKEN_LIFETIME)
    assert caught.value.reason == "expired"
    assert mint_cli_token(SECRET, "Env", NOW) != token  # each token is unique


def test_web_token_carries_identity_and_role() -> None:
    token = mint_web_token(SECRET, "Env", "assumed-role/Admin/alice", NOW, role="Viewer")
    claims = verify(SECRET, "Env", token, "web", NOW)
    assert (claims.identity, claims.role) == ("assumed-role/Admin/alice", "Viewer")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (mint_cli_token("other", "Env", NOW), "forged"),
        (mint_cli_token(SECRET, "Other", NOW), "wrong"),
        (mint_web_token(SECRET, "Env", "u", NOW), "wrong"),
        ("no-dot", "malformed"),
        ("!!!.???", "malformed"),
        ("", "malformed"),
    ],
    ids=["other-secret", "other-environment", "web-for-cli", "no-dot", "bad-base64", "empty"],
)
def test_refused_tokens_say_why(token: str, reason: str) -> None:
    with pytest.raises(TokenError) as caught:
        verify(SECRET, "Env", token, "cli", NOW)
    assert caught.value.reason == reason


def test_tampered_claims_are_forged() -> None:
    body, _, signature = mint_cli_token(SECRET, "Env", NOW).partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["x"] += 3600
    raw = json.dumps(claims).encode()
    longer = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    with pytest.raises(TokenError) as caught:
        verify(SECRET, "Env", f"{longer}.{signature}", "cli", NOW)
    assert caught.value.reason == "forged"


def test_airflow_jwt_is_hs512_with_airflows_claims() -> None:
    jwt = airflow_jwt("jwt-secret", "alice", "ADMIN", NOW, 300)
    header, payload, signature = jwt.split(".")

    def decode(part: str) -> dict[str, object]:
        return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))

    assert decode(header) == {"alg": "HS512", "typ": "JWT"}
    claims = decode(payload)
    assert claims["sub"] == "alice" and claims["role"] == "ADMIN"
    assert claims["aud"] == "apache-airflow" and claims["exp"] == int(NOW) + 300
    expected = hmac.new(b"jwt-secret", f"{header}.{payload}".encode(), hashlib.sha512).digest()
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected
