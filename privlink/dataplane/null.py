"""The control-plane-only driver (`--dataplane none`): accepts plans, touches nothing.

It still validates plans so that a reconciler sees the same per-resource errors in both
modes, and it reports targets as `unavailable`, never as healthy, because nothing checks them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from privlink.dataplane.base import (
    ApplyReport,
    Faults,
    PermanentFailure,
    TargetHealth,
    TargetState,
    TemporaryFailure,
)
from privlink.dataplane.flows import Observation
from privlink.dataplane.plan import DataplanePlan
from privlink.dataplane.plan_checks import validate


class NullDriver:
    def __init__(self) -> None:
        self.plan = DataplanePlan()
        self.faults = Faults()

    def apply(self, plan: DataplanePlan) -> ApplyReport:
        report = ApplyReport()
        for rid, found in validate(plan).items():
            report.fail(rid, "; ".join(found), permanent=True)
        for resource in _owners(plan):
            try:
                self.faults.check(resource)
            except (PermanentFailure, TemporaryFailure) as failure:
                report.fail(resource, str(failure), isinstance(failure, PermanentFailure))
        self.plan = plan.without(report.errors)
        return report

    def teardown(self) -> None:
        self.plan = DataplanePlan()

    def resync(self) -> None:
        """Nothing is remembered."""

    def close(self) -> None:
        pass

    def target_health(self, target_group_id: str | None = None) -> list[TargetHealth]:
        result: list[TargetHealth] = []
        for nlb in self.plan.nlbs:
            for tg in nlb.target_groups():
                if target_group_id not in (None, tg.target_group_id):
                    continue
                result.extend(
                    TargetHealth(
                        tg.target_group_id, t.ip, t.port, TargetState.UNAVAILABLE, "no data plane"
                    )
                    for t in tg.targets
                )
        return result

    def observe(self) -> Observation:
        """No kernel, no traffic: nothing observed."""
        return Observation()

    def instance_netns(self, instance_id: str) -> str | None:
        return None

    def exec_in_instance(
        self,
        instance_id: str,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        raise NotImplementedError("no data plane: start privlink with --dataplane linux")


def _owners(plan: DataplanePlan) -> list[str]:
    """The resources a plan realises (what faults can be injected into)."""
    return [
        *(i.instance_id for i in plan.instances),
        *(e.endpoint_id for e in plan.endpoints),
        *(n.nlb_id for n in plan.nlbs),
    ]
