"""The endpoint controller: the lifecycle steps that take time on AWS.

* pending  -> available  once the endpoint is ready (a pluggable check), or
  -> failed when the check raises ProvisioningFailed;
* deleting -> deleted    after tearing down its interfaces and private names;
* deleted  -> gone       after a retention period (AWS keeps showing deleted
  endpoints for a while).

"Ready" defaults to "always" (control-plane-only mode). A data plane makes it
mean "traffic flows" by setting `runtime.endpoint_readiness` before the
controllers are built (privlink.app does, with --dataplane linux); the check runs on the store
thread inside the controller's transaction and must not block.

Minimum dwell times keep each state observable, as on AWS; they come from
PRIVLINK_ENDPOINT_PENDING_SECONDS, PRIVLINK_ENDPOINT_DELETING_SECONDS and
PRIVLINK_ENDPOINT_DELETED_RETENTION_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.privatelink import interfaces as interfaces
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink import notifications as endpoint_notifications
from privlink.services.privatelink.records import VpcEndpoint
from privlink.services.privatelink.validation import release_private_names
from privlink.store import Store
from privlink.store.unit import UnitOfWork

log = logging.getLogger("privlink.reconcile.endpoints")

Readiness = Callable[[UnitOfWork, VpcEndpoint], bool]
NOT_READY_RETRY = 1.0


class ProvisioningFailed(Exception):
    """Raised by a readiness check: the endpoint will never work (-> failed, LastError)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def always_ready(uow: UnitOfWork, endpoint: VpcEndpoint) -> bool:
    """Control-plane-only mode: an accepted endpoint is available once provisioned."""
    return True


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Timings:
    pending: float = 1.0
    deleting: float = 1.0
    deleted_retention: float = 5.0

    @classmethod
    def from_env(cls, pending: float | None = None) -> Timings:
        """`pending` overrides the default dwell (0 when a data plane decides readiness:
        then "pending" lasts exactly as long as installing the path takes)."""
        return cls(
            pending=_seconds(
                "PRIVLINK_ENDPOINT_PENDING_SECONDS", cls.pending if pending is None else pending
            ),
            deleting=_seconds("PRIVLINK_ENDPOINT_DELETING_SECONDS", cls.deleting),
            deleted_retention=_seconds(
                "PRIVLINK_ENDPOINT_DELETED_RETENTION_SECONDS", cls.deleted_retention
            ),
        )


TRANSITIONAL = frozenset(
    {lifecycle.State.PENDING, lifecycle.State.DELETING, lifecycle.State.DELETED}
)


class EndpointController:
    name = "vpc-endpoints"
    kinds = frozenset({VpcEndpoint.kind})

    def __init__(
        self,
        timings: Timings | None = None,
        check: Readiness | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.timings = timings or Timings.from_env()
        self.check = check
        self.clock = clock
        # Endpoints mid-transition (pending, deleting, deleted): the only ones a partial run
        # must revisit besides those that changed.
        self.in_flight: set[str] = set()

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        hooks: list[Callable[[], Any]] = []
        waits: list[float] = []
        with store.unit() as uow:
            if changed is None:
                endpoints = uow.list(VpcEndpoint)
            else:
                endpoints = list(uow.get_many(VpcEndpoint, changed | self.in_flight).values())
            self.in_flight -= {e.id for e in endpoints}
            for endpoint in endpoints:
                ctx = Scope.of(endpoint, uow, now=self.clock)
                wait = self._step(ctx, endpoint)
                if wait is not None:
                    waits.append(wait)
                    self.in_flight.add(endpoint.id)
                elif endpoint.state in TRANSITIONAL and uow.get(VpcEndpoint, endpoint.id):
                    self.in_flight.add(endpoint.id)
                hooks.extend(ctx.after_commit)
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")
        return min(waits) if waits else None

    def _step(self, ctx: Scope, endpoint: VpcEndpoint) -> float | None:
        state = endpoint.state
        if state == lifecycle.State.PENDING:
            return self._provision(ctx, endpoint)
        if state == lifecycle.State.DELETING:
            return self._after(ctx, endpoint, self.timings.deleting, self._tear_down)
        if state == lifecycle.State.DELETED:
            return self._after(ctx, endpoint, self.timings.deleted_retention, self._forget)
        return None

    def _elapsed(self, ctx: Scope, endpoint: VpcEndpoint) -> float:
        since = dt.datetime.fromisoformat(endpoint.state_since)
        return (ctx.now() - since).total_seconds()

    def _after(
        self,
        ctx: Scope,
        endpoint: VpcEndpoint,
        dwell: float,
        action: Callable[[Scope, VpcEndpoint], None],
    ) -> float | None:
        remaining = dwell - self._elapsed(ctx, endpoint)
        if remaining > 0:
            return remaining
        action(ctx, endpoint)
        return None

    def _provision(self, ctx: Scope, endpoint: VpcEndpoint) -> float | None:
        remaining = self.timings.pending - self._elapsed(ctx, endpoint)
        if remaining > 0:
            return remaining
        check = self.check or always_ready
        try:
            ready = check(ctx.uow, endpoint)
        except ProvisioningFailed as failure:
            endpoint.last_error_code = failure.code
            endpoint.last_error_message = failure.message
            common.move(ctx, endpoint, lifecycle.Trigger.PROVISION_FAILED)
            return None
        if not ready:
            return NOT_READY_RETRY
        endpoint.last_error_code = endpoint.last_error_message = None
        common.move(ctx, endpoint, lifecycle.Trigger.PROVISIONED)
        return None

    def _tear_down(self, ctx: Scope, endpoint: VpcEndpoint) -> None:
        for eni_id in endpoint.interfaces.values():
            interfaces.delete(ctx.uow, eni_id)
        endpoint.interfaces = {}
        release_private_names(ctx.uow, endpoint)
        common.move(ctx, endpoint, lifecycle.Trigger.TORN_DOWN)

    def _forget(self, ctx: Scope, endpoint: VpcEndpoint) -> None:
        endpoint_notifications.forget_endpoint(ctx, endpoint.id)
        ctx.uow.delete(endpoint)
