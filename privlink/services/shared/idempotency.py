"""ClientToken idempotency, once for every service that takes a ClientToken.

AWS answers a retried create (same ClientToken, same parameters) with the
resource the first call made, and refuses the same token with other
parameters. The token is kept in the store's unique names, so it is claimed
in the same transaction as the resource: a failed call leaves no token.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from privlink import errors
from privlink.api import Scope


def _token_scope(scope: Scope, operation: str) -> str:
    return f"client-token:{scope.account}:{scope.region}:{operation}"


def _fingerprint(params: Mapping[str, Any]) -> str:
    body = {k: v for k, v in params.items() if k not in ("ClientToken", "DryRun")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def replayed(scope: Scope, operation: str, params: Mapping[str, Any]) -> str | None:
    """The resource an earlier call with this ClientToken made; None for a new token.

    The same token with other parameters is IdempotentParameterMismatch, as on AWS.
    """
    token = params.get("ClientToken")
    if not token:
        return None
    owner = scope.uow.name_owner(_token_scope(scope, operation), token)
    if owner is None:
        return None
    resource_id, _, fingerprint = owner.partition(" ")
    if fingerprint != _fingerprint(params):
        raise errors.IdempotentParameterMismatch.because(
            f"The client token '{token}' has already been used with different parameters."
        )
    return resource_id


def remember_token(
    scope: Scope, operation: str, params: Mapping[str, Any], resource_id: str
) -> None:
    """Record that this call's ClientToken made `resource_id` (no token: nothing to keep)."""
    token = params.get("ClientToken")
    if token:
        scope.uow.claim_name(
            _token_scope(scope, operation), token, f"{resource_id} {_fingerprint(params)}"
        )
