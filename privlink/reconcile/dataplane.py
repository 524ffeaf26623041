"""The data-plane controller: store -> plan -> driver, and target health back.

Planning runs on the store thread (it reads records); applying runs on a
worker thread of its own, because kernel work (namespaces, nftables,
dnsmasq restarts) can take long and must not stall API calls. The worker
always applies the newest plan and skips stale ones.

It closes two loops with the rest of the control plane:
- endpoint readiness: an endpoint is ready (pending -> available) once a
  plan with its path active was applied without error for it; an endpoint
  that gets no path by design (an AWS service privlink does not serve) is
  ready at once, as in control-plane-only mode;
- target health: what the driver's health checks observe is written to the
  target groups (DescribeTargetHealth shows it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from privlink.dataplane import Dataplane
from privlink.dataplane.plan import DataplanePlan
from privlink.reconcile.plan_builder import build_plan, expects_path
from privlink.services.elbv2.operations import set_target_health
from privlink.services.elbv2.queries import target_group_by_arn
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store import Store
from privlink.store.unit import UnitOfWork

log = logging.getLogger("privlink.reconcile.dataplane")

HEALTH_SYNC_SECONDS = 2.0
WATCHED = frozenset(
    {
        "vpc",
        "subnet",
        "security-group",
        "instance",
        "network-interface",
        "vpc-endpoint",
        "vpc-endpoint-service",
        "elbv2-load-balancer",
        "elbv2-target-group",
        "elbv2-listener",
    }
)


class PlanWorker:
    """Applies the newest submitted plan on its own thread."""

    def __init__(self, driver: Dataplane, on_applied: Callable[[], None]) -> None:
        self.driver = driver
        self.on_applied = on_applied
        self.ready_endpoints: frozenset[str] = frozenset()
        self._pending: DataplanePlan | None = None
        self._last: DataplanePlan | None = None
        # The last apply raised or could not realise everything: resubmit on the next tick.
        self.needs_retry = False
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="privlink-dataplane", daemon=True)
        self._thread.start()

    def submit(self, plan: DataplanePlan) -> None:
        with self._cond:
            if plan == self._last and self._pending is None:
                return
            self._pending = plan
            self._cond.notify()

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
            started = time.monotonic()
            try:
                report = self.driver.apply(plan)
            except Exception:
                log.exception("data plane apply failed; retrying")
                self._last, self.needs_retry = None, True
                continue
            log.debug(
                "applied plan in %.0f ms: %d changes",
                (time.monotonic() - started) * 1000,
                len(report.changes),
            )
            for resource, error in report.errors.items():
                log.warning("data plane could not realise %s: %s", resource, error)
            # Only a fully realised plan may be skipped as "already applied".
            self._last = plan if report.ok else None
            self.needs_retry = not report.ok
            self.ready_endpoints = frozenset(
                e.endpoint_id
                for e in plan.endpoints
                if e.active and e.endpoint_id not in report.errors
            )
            self.on_applied()


class DataplaneController:
    name = "dataplane"
    kinds = WATCHED

    def __init__(
        self,
        driver: Dataplane,
        on_applied: Callable[[], None],
        *,
        https_port: int | None = None,
        host_dns_port: int = 0,
    ) -> None:
        """`https_port`: privlink's HTTPS API on 127.0.0.1, where endpoints to the AWS
        services it serves end; `host_dns_port`: the host-side resolver (0 = none)."""
        self.driver = driver
        self.https_port = https_port
        self.host_dns_port = host_dns_port
        self.worker = PlanWorker(driver, on_applied)

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        """Rebuild and submit the whole plan when a watched record changed (or on a full
        resync: changed is None, which also makes the driver look again at everything);
        otherwise only carry target health back. The plan does not depend on health (the
        driver applies health itself), so the 2 s health timer never rebuilds it."""
        if changed is None:
            self.driver.resync()
        with store.unit() as uow:
            plan = None
            if changed is None or changed or self.worker.needs_retry:
                plan = build_plan(uow, https_port=self.https_port, host_dns_port=self.host_dns_port)
            self._sync_health(uow)
        if plan is not None:
            self.worker.submit(plan)
        return HEALTH_SYNC_SECONDS

    def ready(self, uow: UnitOfWork, endpoint: VpcEndpoint) -> bool:
        """The endpoint controller's readiness check: its path is in the kernel (or it
        will never have one, and waiting would leave it pending forever)."""
        if not expects_path(endpoint, self.https_port):
            return True
        return endpoint.id in self.worker.ready_endpoints

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
                        reason=_reason(health.state.value),
                        description=health.reason or None,
                    )

    def stop(self) -> None:
        self.worker.stop()


def _instance_ip(uow: UnitOfWork, instance_id: str) -> str | None:
    from privlink.services.ec2.records import Instance

    instance = uow.get(Instance, instance_id)
    return instance.private_ip if instance else None


def _reason(state: str) -> str | None:
    return {
        "initial": "Elb.InitialHealthChecking",
        "unhealthy": "Target.FailedHealthChecks",
    }.get(state)
