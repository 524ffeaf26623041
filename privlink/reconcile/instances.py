"""The instance controller: the lifecycle steps that take time on AWS.

* pending       -> running     once the instance is ready (a pluggable check);
* pending       -> terminated  when the check says the launch failed
  (StateReason Server.InternalError with the reason, as AWS shows a failed launch);
* shutting-down -> terminated.

"Ready" defaults to "always" (control-plane-only mode). With a data plane,
readiness comes from its Progress records (`progress.from_store`): an
instance runs once its namespace and address are in place. Changes to
instances and to Progress records wake it; instances still waiting are
revisited on a short timer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from privlink.api import Scope
from privlink.reconcile import progress
from privlink.services.ec2.compute import instances
from privlink.services.ec2.records import Instance
from privlink.store import Store

NOT_READY_RETRY = 1.0


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InstanceController:
    name = "instances"
    kinds = frozenset({Instance.kind, progress.Progress.kind})

    def __init__(
        self,
        readiness: progress.Readiness = progress.always_ready,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.readiness = readiness
        self.clock = clock
        # Instances still pending on readiness: revisited besides those that changed.
        self.waiting: set[str] = set()

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        with store.unit() as uow:
            if changed is None:
                found = uow.list(Instance)
            else:
                found = list(uow.get_many(Instance, changed | self.waiting).values())
            self.waiting -= {i.id for i in found}
            for instance in found:
                scope = Scope.of(instance, uow, now=self.clock)
                if not self._step(scope, instance):
                    self.waiting.add(instance.id)
        return NOT_READY_RETRY if self.waiting else None

    def _step(self, scope: Scope, instance: Instance) -> bool:
        """Move the instance on if it can; False while it waits for readiness."""
        if instance.state == "shutting-down":
            instances.finish_termination(scope, instance)
        elif instance.state == "pending":
            verdict = self.readiness(scope.uow, instance)
            if verdict is None:
                return False
            stage, reason = verdict
            if stage == progress.Stage.FAILED:
                instances.fail_launch(scope, instance, reason or "Internal error on launch")
            elif stage == progress.Stage.READY:
                instances.mark_running(scope, instance)
            else:
                return False
        return True
