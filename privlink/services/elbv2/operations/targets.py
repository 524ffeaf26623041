"""Target operations: what the data plane reports about a registered target."""

from __future__ import annotations

from privlink.services.elbv2.records import HealthReport, TargetGroup
from privlink.store.unit import UnitOfWork

REPORTABLE_STATES = ("initial", "healthy", "unhealthy", "unavailable")


def set_target_health(
    uow: UnitOfWork,
    tg_arn: str,
    target_id: str,
    port: int,
    state: str,
    reason: str | None = None,
    description: str | None = None,
) -> bool:
    """Record what the data plane observed for one registered target.

    Returns False when the target group or the registration does not exist (it was
    deregistered meanwhile). Writes only when the report changes, so a prober that
    repeats itself does not wake the store's listeners.
    """
    if state not in REPORTABLE_STATES:
        raise ValueError(f"target health state must be one of {REPORTABLE_STATES}, not {state!r}")
    tg = uow.get(TargetGroup, tg_arn)
    if tg is None:
        return False
    for target in tg.targets:
        if target.id == target_id and target.port == port and target.draining_until is None:
            report = HealthReport(state=state, reason=reason, description=description)
            if target.report != report:
                target.report = report
                uow.put(tg)
            return True
    return False
