"""Where an environment's runtime keeps its state, and calls into a running runtime.

The runtime's spec is saved in its state dir when it first starts
(privlink.mwaa.spec), so InvokeRestApi can reach Airflow's REST API from the
spec alone, in the namespace the API server runs in. That call is slow I/O, so
InvokeRestApi's handler defers it (privlink.api.Deferred): it runs on the
gateway's I/O pool after the transaction, never on the store thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from privlink import errors
from privlink.mwaa.rest import invoke_rest_api
from privlink.mwaa.spec import SPEC_FILE, EnvironmentSpec
from privlink.services.mwaa.records import Environment


def runtime_dir(root: Path, env: Environment) -> Path:
    """The environment's state dir under privlink's: one per ARN (names are reused)."""
    digest = hashlib.sha256(f"{env.arn}#{env.created_at}".encode()).hexdigest()[:16]
    return root / "mwaa" / f"{env.name}-{digest}"


@dataclass(frozen=True)
class RestCall:
    """One InvokeRestApi request: Path is relative to Airflow's REST API root."""

    method: str
    path: str
    query: Any = None
    body: Any = None


def answer(root: Path, env: Environment, call: RestCall) -> dict[str, Any]:
    """InvokeRestApi's output from Airflow's answer (runs outside the store: the gateway's
    I/O pool). 4xx/5xx become RestApiClientException / RestApiServerException carrying
    Airflow's status and document, as the model defines; InternalServerException when the
    runtime cannot be reached at all."""
    folder = runtime_dir(root, env)
    if not (folder / SPEC_FILE).exists():
        raise errors.MwaaInternal.because("The environment's web server is not running.")
    spec = EnvironmentSpec.load(folder)
    try:
        status, document = invoke_rest_api(spec, call.method, call.path, call.query, call.body)
    except (httpx.HTTPError, OSError) as exc:
        raise errors.MwaaInternal.because(f"The web server did not answer: {exc}") from exc
    if status >= 400:
        error = errors.RestApiClientException if status < 500 else errors.RestApiServerException
        raised = error.because(f"Airflow answered {status}")
        raised.details = {"RestApiStatusCode": status, "RestApiResponse": document}  # type: ignore[attr-defined]
        raise raised
    return {"RestApiStatusCode": status, "RestApiResponse": document}
