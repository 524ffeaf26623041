"""The control-plane-only driver (`--dataplane none`): accepts plans, touches nothing.

It still validates plans so that a reconciler sees the same per-resource errors in both
modes, and it reports targets as `unavailable`, never as healthy, because nothing checks them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from privlink.dataplane.base import ApplyReport, TargetHealth, TargetState
from privlink.dataplane.plan import DataplanePlan


class NullDriver:
    def __init__(self) -> None:
        self.plan = DataplanePlan()

    def apply(self, plan: DataplanePlan) -> ApplyReport:
        problems = plan.validate()
        self.plan = plan.without(problems)
        return ApplyReport(errors={rid: "; ".join(p) for rid, p in problems.items()})

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
