"""The data-plane controller: store -> plan -> driver, and what happened back to the store.

Planning runs on the store thread (it reads records); applying runs on a
worker thread of its own, because kernel work (namespaces, nftables,
dnsmasq restarts) can take long and must not stall API calls. The worker
always applies the newest plan and skips stale ones.

Everything the data plane learns travels back through the store, on the
store thread, as records other controllers read:
- progress (reconcile/progress.py): per endpoint and instance, `ready` once a
  plan with its path was applied without error for it, `retrying` after a
  temporary failure (re-applied with exponential backoff), `failed` after a
  permanent one or after MAX_ATTEMPTS temporary ones, with the reason;
- target health: what the driver's health checks observe is written to the
  target groups (DescribeTargetHealth shows it).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from privlink.dataplane import Dataplane
from privlink.dataplane.plan import DataplanePlan
from privlink.reconcile.plan_builder import NO_API, LocalApi, build_plan
from privlink.reconcile.progress import Progress, Stage
from privlink.services.ec2.records import Instance
from privlink.services.elbv2.operations import set_target_health
from privlink.services.elbv2.queries import target_group_by_arn
from privlink.store import Store
from privlink.store.unit import UnitOfWork

log = logging.getLogger("privlink.reconcile.dataplane")

HEALTH_SYNC_SECONDS = 2.0
# Temporary failures are retried after 1, 2, 4, ... seconds (at most BACKOFF_CAP); after
# MAX_ATTEMPTS in a row the resource is given up on and fails with the last reason.
BACKOFF_CAP = 30.0
MAX_ATTEMPTS = 8
WATCHED = frozenset(
    {
        "vpc",
        "subnet",
        "route-table",  # routes; gateway endpoints reach the subnets their tables route
        "network-acl",
        "vpc-peering-connection",
        "internet-gateway",
        "elastic-ip",
        "nat-gateway",
        "security-group",
        "instance",
        "network-interface",
        "vpc-endpoint",
        "vpc-endpoint-service",
        "elbv2-load-balancer",
        "elbv2-target-group",
        "elbv2-listener",
        "client-vpn-endpoint",
        "flow-log",  # which interfaces count flows
        "zone-outage",  # privlink az fail / restore
    }
)


@dataclass(frozen=True)
class Outcome:
    """What one apply did for the resources whose realisation is tracked."""

    tracked: frozenset[str]  # active endpoints and instances of the applied plan
    errors: dict[str, str]
    permanent: frozenset[str]


class PlanWorker:
    """Applies the newest submitted plan on its own thread; keeps the newest outcome."""

    def __init__(self, driver: Dataplane, on_applied: Callable[[], None]) -> None:
        self.driver = driver
        self.on_applied = on_applied
        self._pending: DataplanePlan | None = None
        self._last: DataplanePlan | None = None
        self._outcome: Outcome | None = None
        self._last_outcome: Outcome | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="privlink-dataplane", daemon=True)
        self._thread.start()

    def submit(self, plan: DataplanePlan, force: bool = False) -> None:
        """Apply `plan` next (unless it is the plan last realised in full, and not forced)."""
        with self._cond:
            if plan == self._last and self._pending is None and not force:
                # Nothing to apply, but whoever asked still hears how it stands.
                self._outcome = self._last_outcome
                skipped = True
            else:
                self._pending = plan
                self._cond.notify()
                skipped = False
        if skipped:
            self.on_applied()

    def take_outcome(self) -> Outcome | None:
        """The outcome of the newest apply not yet taken (None: nothing new)."""
        with self._cond:
            outcome, self._outcome = self._outcome, None
            return outcome

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                plan, self._pending = self._pending, None
            assert plan is not None
            outcome = self._apply(plan)
            with self._cond:
                self._outcome = self._last_outcome = outcome
            self.on_applied()

    def _apply(self, plan: DataplanePlan) -> Outcome:
        tracked = frozenset(
            [e.endpoint_id for e in plan.endpoints if e.active]
            + [i.instance_id for i in plan.instances]
        )
        started = time.monotonic()
        try:
            report = self.driver.apply(plan)
        except Exception as exc:  # the whole pass failed: every resource retries
            log.exception("data plane apply failed; retrying")
            self._last = None
            return Outcome(tracked, {rid: f"apply failed: {exc}" for rid in tracked}, frozenset())
        log.debug(
            "applied plan in %.0f ms: %d changes",
            (time.monotonic() - started) * 1000,
            len(report.changes),
        )
        for resource, error in report.errors.items():
            log.warning("data plane could not realise %s: %s", resource, error)
        # Only a fully realised plan may be skipped as "already applied".
        self._last = plan if report.ok else None
        return Outcome(tracked, dict(report.errors), frozenset(report.permanent))


class DataplaneController:
    name = "dataplane"
    kinds = WATCHED

    def __init__(
        self,
        driver: Dataplane,
        on_applied: Callable[[], None],
        *,
        api: LocalApi = NO_API,
        host_dns_port: int = 0,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`on_applied` wakes this controller after each apply (so progress is recorded at
        once); `api`: privlink's HTTPS API on 127.0.0.1, where endpoints to the AWS
        services it serves end; `host_dns_port`: the host-side resolver (0 = none)."""
        self.driver = driver
        self.api = api
        self.host_dns_port = host_dns_port
        self.clock = clock
        self.worker = PlanWorker(driver, on_applied)
        self._retry_at: dt.datetime | None = None

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        """Record the newest apply's outcome; rebuild and submit the plan when a watched
        record changed, on a full resync (changed is None, which also makes the driver look
        again at everything) or when a retry is due; carry target health back. The plan
        does not depend on health (the driver applies health itself), so the 2 s health
        timer never rebuilds it."""
        if changed is None:
            self.driver.resync()
        now = self.clock()
        retry_due = self._retry_at is not None and now >= self._retry_at
        with store.unit() as uow:
            outcome = self.worker.take_outcome()
            if outcome is not None:
                self._retry_at = record_outcome(uow, outcome, now)
            plan = None
            if changed is None or changed or retry_due:
                forget_progress(uow, changed or set())
                plan = build_plan(uow, api=self.api, host_dns_port=self.host_dns_port)
            self._sync_health(uow)
        if plan is not None:
            self.worker.submit(plan, force=retry_due)
        if retry_due:
            self._retry_at = None
        if self._retry_at is None:
            return HEALTH_SYNC_SECONDS
        return min(HEALTH_SYNC_SECONDS, max(0.05, (self._retry_at - now).total_seconds()))

    def _sync_health(self, uow: UnitOfWork) -> None:
        for health in self.driver.target_health():
            tg = target_group_by_arn(uow, health.target_group_id)
            if tg is None:
                continue
            for target in tg.targets:
                ip = target.id if tg.target_type == "ip" else _instance_ip(uow, target.id)
                if ip == health.ip and target.port == health.port:
                    set_target_health(
                        uow,
                        tg.id,
                        target.id,
                        target.port,
                        health.state.value,
                        reason=health.code or _reason(health.state.value),
                        description=health.reason or None,
                    )

    def stop(self) -> None:
        self.worker.stop()


def record_outcome(uow: UnitOfWork, outcome: Outcome, now: dt.datetime) -> dt.datetime | None:
    """Write one Progress per tracked resource; drop those of resources no longer planned.
    Returns when the earliest retry is due (None: nothing to retry)."""
    known = {p.id: p for p in uow.list(Progress)}
    retry_at: dt.datetime | None = None
    for rid in outcome.tracked:
        before = known.get(rid)
        after = _progress(rid, before, outcome, now)
        if after.stage == Stage.RETRYING and after.retry_at:
            due = dt.datetime.fromisoformat(after.retry_at)
            retry_at = due if retry_at is None else min(retry_at, due)
        if before is None:
            uow.add(after)
        elif before != after:
            uow.put(after)
    for rid, stale in known.items():
        if rid not in outcome.tracked:
            uow.delete(stale)
    return retry_at


def _progress(rid: str, before: Progress | None, outcome: Outcome, now: dt.datetime) -> Progress:
    error = outcome.errors.get(rid)
    if error is None:
        return _made(rid, Stage.READY)
    if before is not None and before.stage == Stage.FAILED:
        return before  # failed stays failed until the resource changes
    if rid in outcome.permanent:
        return _made(rid, Stage.FAILED, reason=error)
    attempts = (before.attempts if before and before.stage == Stage.RETRYING else 0) + 1
    if attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {attempts} attempts: {error}"
        return _made(rid, Stage.FAILED, reason=reason, attempts=attempts)
    delay = min(BACKOFF_CAP, 2.0 ** (attempts - 1))
    due = (now + dt.timedelta(seconds=delay)).isoformat()
    return _made(rid, Stage.RETRYING, reason=error, attempts=attempts, retry_at=due)


def _made(
    rid: str, stage: Stage, reason: str = "", attempts: int = 0, retry_at: str | None = None
) -> Progress:
    """Progress is the data plane's, not an account's: it carries no account or region."""
    return Progress(
        id=rid,
        account="-",
        region="-",
        stage=stage,
        reason=reason,
        attempts=attempts,
        retry_at=retry_at,
    )


def forget_progress(uow: UnitOfWork, changed: set[str]) -> None:
    """A changed resource is realised anew: its old progress no longer says anything."""
    for progress in uow.get_many(Progress, changed).values():
        uow.delete(progress)


def _instance_ip(uow: UnitOfWork, instance_id: str) -> str | None:
    instance = uow.get(Instance, instance_id)
    return instance.private_ip if instance else None


def _reason(state: str) -> str | None:
    return {
        "initial": "Elb.InitialHealthChecking",
        "unhealthy": "Target.FailedHealthChecks",
    }.get(state)
