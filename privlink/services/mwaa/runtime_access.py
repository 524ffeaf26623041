"""Where an environment's runtime keeps its state, and calls into a running runtime.

The runtime's spec is saved in its state dir when it first starts
(privlink.mwaa.spec), so InvokeRestApi can reach Airflow's REST API from the
spec alone, in the namespace the API server runs in.
"""

from __future__ import annotations

import hashlib
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


def rest_call(
    root: Path, env: Environment, method: str, path: str, query: Any, body: Any
) -> tuple[int, Any]:
    """(status, document) of one Airflow REST API call; InternalServerException when the
    runtime cannot be reached at all."""
    folder = runtime_dir(root, env)
    if not (folder / SPEC_FILE).exists():
        raise errors.MwaaInternal.because("The environment's web server is not running.")
    spec = EnvironmentSpec.load(folder)
    try:
        return invoke_rest_api(spec, method, path, query, body)
    except (httpx.HTTPError, OSError) as exc:
        raise errors.MwaaInternal.because(f"The web server did not answer: {exc}") from exc
