"""The data-plane controller: store -> plan -> driver, and what happened back to the store.

The store thread (which runs every API call) never waits for the data plane: it
neither builds plans nor touches the driver's lock. It only records what the last
apply did and asks for a new plan; the data-plane worker thread then builds the plan
from a snapshot of the store (Store.snapshot: read-only, consistent, lock-free to read)
and applies it, so kernel work and planning never stall API calls. Planning keeps the
parts of the last plan whose records did not change (pieces.py): a change costs what it
touches. Requests made while the worker is busy collapse into one: it always plans from
the newest state. An unchanged plan is not applied again.

Everything the data plane learns travels back through the store, on the store thread,
as records other controllers read:
- progress (reconcile/progress.py): per endpoint and instance, `ready` once a
  plan with its path was applied without error for it, `retrying` after a
  temporary failure (re-applied with exponential backoff), `failed` after a
  permanent one or after MAX_ATTEMPTS temporary ones, with the reason;
- target health: what the driver's health checks observe is written to the
  target groups (DescribeTargetHealth shows it). The driver publishes it without a
  lock, and only what changed since the last sync is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from privlink.dataplane import Dataplane, TargetHealth
from privlink.dataplane.plan import DataplanePlan
from privlink.reconcile.pieces import Pieces
from privlink.reconcile.plan_builder import NO_API, LocalApi, build_plan
from privlink.reconcile.progress import Outcome, ProgressBook
from privlink.services.ec2.records import Instance
from privlink.services.elbv2.operations import set_target_health
from privlink.services.elbv2.queries import target_group_by_arn
from privlink.services.elbv2.records import TargetGroup
from privlink.store import Store
from privlink.store.unit import Parsed, UnitOfWork

log = logging.getLogger("privlink.reconcile.dataplane")

HEALTH_SYNC_SECONDS = 2.0
PLAN_RETRY_SECONDS = 1.0  # after planning itself failed (a bug): try again
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


Planner = Callable[[], DataplanePlan]


@dataclass(frozen=True)
class _Request:
    planner: Planner
    generation: int
    force: bool


class PlanWorker:
    """Plans and applies on its own thread, always from the newest request; keeps the
    newest outcome for the store thread to record."""

    def __init__(self, driver: Dataplane, on_applied: Callable[[], None]) -> None:
        self.driver = driver
        self.on_applied = on_applied
        self._pending: _Request | None = None
        self._last: DataplanePlan | None = None
        self._outcome: Outcome | None = None
        self._last_outcome: Outcome | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="privlink-dataplane", daemon=True)
        self._thread.start()

    def request(self, planner: Planner, generation: int, force: bool = False) -> None:
        """Plan with `planner` and apply the plan (unless it is the plan last realised in
        full, and not forced). A request not yet started is replaced, keeping `force`."""
        with self._cond:
            force = force or (self._pending is not None and self._pending.force)
            self._pending = _Request(planner, generation, force)
            self._cond.notify()

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
                request, self._pending = self._pending, None
            assert request is not None
            outcome = self._serve(request)
            if outcome is None:
                continue
            with self._cond:
                self._outcome = self._last_outcome = outcome
            self.on_applied()

    def _serve(self, request: _Request) -> Outcome | None:
        started = time.monotonic()
        try:
            plan = request.planner()
        except Exception:  # a planning bug: keep the thread, try again shortly
            log.exception("building the data-plane plan failed; retrying")
            time.sleep(PLAN_RETRY_SECONDS)
            with self._cond:
                if self._pending is None:
                    self._pending = request
            return None
        planned_ms = (time.monotonic() - started) * 1000
        if plan == self._last and not request.force and self._last_outcome is not None:
            # Nothing to apply, but whoever asked still hears how it stands.
            return replace(self._last_outcome, generation=request.generation)
        return self._apply(plan, request.generation, planned_ms)

    def _apply(self, plan: DataplanePlan, generation: int, planned_ms: float) -> Outcome:
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
            errors = {rid: f"apply failed: {exc}" for rid in tracked}
            return Outcome(tracked, errors, frozenset(), generation)
        slowest = sorted(report.phases.items(), key=lambda kv: -kv[1])[:4]
        log.info(  # one line per apply: what the data plane costs, visible by default
            "applied plan in %.0f ms: %d changes (planned in %.0f ms)%s",
            (time.monotonic() - started) * 1000,
            len(report.changes),
            planned_ms,
            "".join(f"; {phase} {ms:.0f} ms" for phase, ms in slowest if ms >= 20),
        )
        if report.changes and log.isEnabledFor(logging.DEBUG):
            log.debug("changes: %s", "; ".join(report.changes[:50]))
        for resource, error in report.errors.items():
            log.warning("data plane could not realise %s: %s", resource, error)
        # Only a fully realised plan may be skipped as "already applied".
        self._last = plan if report.ok else None
        return Outcome(tracked, dict(report.errors), frozenset(report.permanent), generation)


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
        self.book = ProgressBook()
        self._generation = 0
        self._retry_at: dt.datetime | None = None
        self._health: frozenset[TargetHealth] = frozenset()  # as last written
        self._started = False  # the first (full) run has been made
        self.parsed = Parsed()  # records parsed for the last plan (worker thread only)
        self.pieces = Pieces()  # its parts, rebuilt where what they read changed (same)

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        """Record the newest apply's outcome; ask the worker for a new plan when a watched
        record changed, on a full resync (changed is None, which also makes the driver look
        again at everything) or when a retry is due; carry target health back. The plan
        does not depend on health (the driver applies health itself), so the 2 s health
        timer never asks for one."""
        if changed is None:
            if self._started:  # a new driver trusts only what it adopted (memory.py)
                self.driver.resync()
            self.book.reload()
            self._health = frozenset()
        else:  # a re-registered target starts without a report: write it again
            self._health = frozenset(h for h in self._health if h.target_group_id not in changed)
        self._started = True
        now = self.clock()
        retry_due = self._retry_at is not None and now >= self._retry_at
        replan = changed is None or bool(changed) or retry_due
        with store.unit() as uow:
            outcome = self.worker.take_outcome()
            if outcome is not None:
                self._retry_at = self.book.record(uow, outcome, now)
            if replan:
                self._generation += 1
                self.book.forget(uow, changed or (), self._generation)
            _checking(uow, changed)
            self._sync_health(uow)
        if replan:
            self.worker.request(self._planner(store), self._generation, force=retry_due)
        if retry_due:
            self._retry_at = None
        if self._retry_at is None:
            return HEALTH_SYNC_SECONDS
        return min(HEALTH_SYNC_SECONDS, max(0.05, (self._retry_at - now).total_seconds()))

    def _planner(self, store: Store) -> Planner:
        """Builds the plan on the worker thread, from the state committed by then."""

        def plan() -> DataplanePlan:
            try:
                built = build_plan(
                    store.snapshot(self.parsed),
                    api=self.api,
                    host_dns_port=self.host_dns_port,
                    pieces=self.pieces,
                )
            except Exception:
                self.pieces.forget()  # half a plan's parts: trust none of them
                raise
            self.parsed.turn()
            self.pieces.turn()
            return built

        return plan

    def _sync_health(self, uow: UnitOfWork) -> None:
        """Write what changed since the last sync (the driver's reading takes no lock)."""
        current = frozenset(self.driver.target_health())
        for health in current - self._health:
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
        self._health = current

    def stop(self) -> None:
        self.worker.stop()


def _checking(uow: UnitOfWork, changed: set[str] | None) -> None:
    """Targets nobody has reported on yet are `initial` (Elb.InitialHealthChecking), as
    on AWS right after RegisterTargets: the data plane checks them, so the control-plane
    rule (unreported = healthy) must not answer while the first apply is still running."""
    groups = (
        uow.list(TargetGroup)
        if changed is None
        else list(uow.get_many(TargetGroup, changed).values())
    )
    for tg in groups:
        for target in tg.targets:
            if target.report is None and target.draining_until is None:
                set_target_health(uow, tg.id, target.id, target.port, "initial", _reason("initial"))


def _instance_ip(uow: UnitOfWork, instance_id: str) -> str | None:
    instance = uow.get(Instance, instance_id)
    return instance.private_ip if instance else None


def _reason(state: str) -> str | None:
    return {
        "initial": "Elb.InitialHealthChecking",
        "unhealthy": "Target.FailedHealthChecks",
    }.get(state)
