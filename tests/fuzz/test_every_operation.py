"""Property-based requests over every operation privlink implements (issue 13).

For each (service, operation) in the registry, hypothesis draws inputs from the
operation's botocore input shape (shapes.py), sends what botocore's serializer makes of
them and a deliberately broken variant (wire.py), and checks each answer (checks.py):
never a 5xx other than 501 NotImplemented, every error well-formed in the protocol's
shape, every answer readable by botocore's parser, 2xx ones as the operation's output.

Bounded by default (PRIVLINK_FUZZ_EXAMPLES=2 examples per operation, two requests each);
the longer run is documented in the README:

    PRIVLINK_FUZZ_EXAMPLES=30 PRIVLINK_FUZZ_KEEP_GOING=1 PRIVLINK_FUZZ_REPORT=/tmp/fuzz.jsonl \\
        .venv/bin/pytest -n 2 -m fuzz tests/fuzz

PRIVLINK_FUZZ_KEEP_GOING=1 records every problem of an operation before failing (instead
of stopping and shrinking at the first); PRIVLINK_FUZZ_REPORT appends one JSON line per
operation (requests sent, statuses, problems).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import httpx
import pytest
from botocore.model import OperationModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privlink.config import Settings
from privlink.wiring import registry
from tests.fuzz import checks, shapes, wire
from tests.harness import Server

EXAMPLES = int(os.environ.get("PRIVLINK_FUZZ_EXAMPLES", "2"))
KEEP_GOING = os.environ.get("PRIVLINK_FUZZ_KEEP_GOING") == "1"
REPORT = os.environ.get("PRIVLINK_FUZZ_REPORT")
OPERATIONS = registry(Settings(state_dir=Path(tempfile.mkdtemp()))).implemented()


@cache
def _model(service: str) -> Any:
    """The model speaking the protocol botocore's clients pick (CloudWatch: json)."""
    model = botocore.session.get_session().get_service_model(service)
    if model.metadata.get("protocols"):
        model.metadata["protocol"] = model.resolved_protocol
    return model


@cache
def _inputs(service: str, name: str, pool: tuple[str, ...]) -> st.SearchStrategy[Any]:
    shape = _model(service).operation_model(name).input_shape
    return shapes.for_shape(shape, pool) if shape is not None else st.just({})


def _authorization(operation: OperationModel, account: str) -> str:
    """A SigV4 header that names the account, region and service (privlink's default mode
    reads them and does not check the signature)."""
    scope = f"{account}/20260101/us-east-1/{operation.service_model.signing_name}/aws4_request"
    return f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=00"


def _send(client: httpx.Client, request: wire.Wire) -> httpx.Response:
    return client.request(
        request.method, request.url, headers=request.headers, content=request.body
    )


def _exchange(
    client: httpx.Client,
    operation: OperationModel,
    request: wire.Wire,
    statuses: Counter[int],
) -> list[str]:
    try:
        response = _send(client, request)
    except (httpx.LocalProtocolError, UnicodeEncodeError):
        statuses[0] += 1  # not even expressible as HTTP: httpx refuses to send it
        return []
    statuses[response.status_code] += 1
    if not request.valid_http:  # the HTTP server refused it; privlink never saw it
        return [] if response.status_code == 400 else [f"HTTP {response.status_code}"]
    found = checks.problems(operation, response.status_code, response.headers, response.content)
    body = request.body[:200]
    return [f"{request.method} {request.url[:200]} {body!r}: {p}" for p in found]


@pytest.mark.fuzz
@pytest.mark.parametrize("service,name", OPERATIONS, ids=[f"{s}.{n}" for s, n in OPERATIONS])
def test_every_answer_is_well_formed(
    server: Server, fuzz_account: str, pool: list[str], service: str, name: str
) -> None:
    operation = _model(service).operation_model(name)
    inputs = _inputs(service, name, tuple(pool))
    statuses: Counter[int] = Counter()
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(params=inputs, seed=st.integers(0, 2**32))
    def exchange(params: dict[str, Any], seed: int) -> None:
        rnd = random.Random(seed)
        clean = wire.build(operation, params, server.url)
        clean.headers["Authorization"] = _authorization(operation, fuzz_account)
        broken = wire.build(operation, params, server.url)
        broken.headers = dict(clean.headers)
        if operation.service_model.protocol == "json" and rnd.random() < 0.2:
            wire.mutate_json_target(broken, rnd)
        else:
            wire.mutate(broken, operation.service_model.protocol, rnd)
        with httpx.Client(timeout=60) as client:
            problems = _exchange(client, operation, clean, statuses)
            problems += _exchange(client, operation, broken, statuses)
        found.extend(problems)
        assert KEEP_GOING or not problems, "\n".join(problems)

    try:
        exchange()
    finally:
        if REPORT:
            line = {"operation": f"{service}.{name}", "statuses": statuses, "problems": found}
            with open(REPORT, "a") as report:
                report.write(json.dumps(line) + "\n")
    assert not found, "\n".join(found[:20])
