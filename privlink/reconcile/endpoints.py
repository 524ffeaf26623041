"""The endpoint controller: the lifecycle steps that take time on AWS.

* pending  -> available  once the endpoint is realised (READY from the
  readiness check), -> failed with LastError when it never will be (FAILED);
  not yet (None): look again later, backing off;
* deleting -> deleted    after tearing down its interfaces and private names;
* deleted  -> gone       after a retention period (AWS keeps showing deleted
  endpoints for a while).

Readiness comes from privlink/reconcile/progress.py: without a data plane
everything is ready at once (`always_ready`); with one, the data-plane
controller's Progress records say how far each endpoint got. The controller
also watches Progress records, so a path being applied wakes it at once; the
backoff only bounds how often it looks when nothing tells it.

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
from privlink.reconcile.progress import Progress, Readiness, Stage, always_ready
from privlink.services.privatelink import lifecycle
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store import Store

log = logging.getLogger("privlink.reconcile.endpoints")

# Endpoints stepped per run, at most: the rest wait for the next run, which comes right
# after the API calls queued meanwhile (the store thread serves both; 2,000 endpoints
# turning available at once held it 1.6 s in one run).
BATCH = 200
# LastError.Code of an endpoint the data plane could not realise.
PROVISIONING_FAILED = "Server.InternalError"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    # Not ready yet: look again after retry_first, doubling up to retry_max.
    retry_first: float = 0.05
    retry_max: float = 2.0

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

    def retry(self, attempts: int) -> float:
        return min(self.retry_max, self.retry_first * 2 ** min(attempts, 32))


TRANSITIONAL = frozenset(
    {lifecycle.State.PENDING, lifecycle.State.DELETING, lifecycle.State.DELETED}
)


class EndpointController:
    name = "vpc-endpoints"
    kinds = frozenset({VpcEndpoint.kind, Progress.kind})

    def __init__(
        self,
        readiness: Readiness = always_ready,
        timings: Timings | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.readiness = readiness
        self.timings = timings or Timings.from_env()
        self.clock = clock
        # Endpoints mid-transition (pending, deleting, deleted): the only ones a partial run
        # must revisit besides those that changed.
        self.in_flight: set[str] = set()
        # Changed endpoints a run left for the next (BATCH): stepped first, at once.
        self.urgent: set[str] = set()
        # Pending endpoints that were not ready yet: how often they were asked (backoff).
        self.not_ready: dict[str, int] = {}

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        hooks: list[Callable[[], Any]] = []
        waits: list[float] = []
        with store.unit() as uow:
            if changed is None:
                endpoints = uow.list(VpcEndpoint)
            else:
                endpoints = list(uow.get_many(VpcEndpoint, changed | self.in_flight).values())
            # What changed goes first; only that is worth an immediate next run (the rest
            # are retries, which keep their backoff: re-running at once while thousands
            # are pending would hold the store thread without pause).
            urgent = self.urgent | (changed if changed is not None else {e.id for e in endpoints})
            endpoints.sort(key=lambda e: e.id not in urgent)
            endpoints, rest = endpoints[:BATCH], endpoints[BATCH:]
            self.in_flight -= {e.id for e in endpoints}
            self.in_flight |= {e.id for e in rest}
            self.urgent = {e.id for e in rest if e.id in urgent}
            if self.urgent:
                waits.append(0.0)  # the next run, right after the API calls queued meanwhile
            for endpoint in endpoints:
                scope = Scope.of(endpoint, uow, now=self.clock)
                wait = self._step(scope, endpoint)
                if endpoint.state != lifecycle.State.PENDING:
                    self.not_ready.pop(endpoint.id, None)
                if wait is not None:
                    waits.append(wait)
                    self.in_flight.add(endpoint.id)
                elif endpoint.state in TRANSITIONAL and uow.get(VpcEndpoint, endpoint.id):
                    self.in_flight.add(endpoint.id)
                hooks.extend(scope.after_commit)
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("after-commit hook failed")
        return min(waits) if waits else None

    def _step(self, scope: Scope, endpoint: VpcEndpoint) -> float | None:
        state = endpoint.state
        if state == lifecycle.State.PENDING:
            return self._after(scope, endpoint, self.timings.pending, self._provision)
        if state == lifecycle.State.DELETING:
            return self._after(scope, endpoint, self.timings.deleting, lifecycle.tear_down)
        if state == lifecycle.State.DELETED:
            return self._after(scope, endpoint, self.timings.deleted_retention, lifecycle.forget)
        return None

    def _after(
        self,
        scope: Scope,
        endpoint: VpcEndpoint,
        dwell: float,
        action: Callable[[Scope, VpcEndpoint], float | None],
    ) -> float | None:
        """Run `action` once the endpoint has been in its state for `dwell` seconds."""
        since = dt.datetime.fromisoformat(endpoint.state_since)
        remaining = dwell - (scope.now() - since).total_seconds()
        if remaining > 0:
            return remaining
        return action(scope, endpoint)

    def _provision(self, scope: Scope, endpoint: VpcEndpoint) -> float | None:
        outcome = self.readiness(scope.uow, endpoint)
        if outcome is None:
            return self._not_ready(endpoint)
        stage, reason = outcome
        if stage == Stage.FAILED:
            lifecycle.provisioning_failed(scope, endpoint, PROVISIONING_FAILED, reason)
        elif stage == Stage.READY:
            lifecycle.provisioned(scope, endpoint)
        else:  # a check that reports RETRYING instead of None: not ready yet
            return self._not_ready(endpoint)
        return None

    def _not_ready(self, endpoint: VpcEndpoint) -> float:
        attempts = self.not_ready.get(endpoint.id, 0)
        self.not_ready[endpoint.id] = attempts + 1
        return self.timings.retry(attempts)
