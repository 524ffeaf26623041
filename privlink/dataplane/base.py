"""The contract every data-plane driver meets (Linux namespaces, or nothing at all).

A reconciler builds a DataplanePlan and calls `apply`; it reads target health back with
`target_health` (or gets pushed changes through the callback given to the driver).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from privlink.dataplane.plan import DataplanePlan


class TargetState(str, Enum):
    """elbv2 TargetHealth.State values the data plane can observe."""

    INITIAL = "initial"
    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNAVAILABLE = "unavailable"  # health checks disabled / no data plane


@dataclass(frozen=True)
class TargetHealth:
    target_group_id: str
    ip: str
    port: int
    state: TargetState
    reason: str = ""


HealthCallback = Callable[[TargetHealth], None]


@dataclass
class ApplyReport:
    """What an apply changed, and which resources could not be realised (and why).

    An empty `changes` after an apply means the kernel already matched the plan.
    """

    changes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class Dataplane(Protocol):
    def apply(self, plan: DataplanePlan) -> ApplyReport:
        """Converge the kernel to `plan` (which is the *whole* desired state): observe,
        diff, apply, then sweep objects with our prefix that the plan does not own."""
        ...

    def teardown(self) -> None:
        """Remove everything this driver could have created; stop its processes."""
        ...

    def resync(self) -> None:
        """Forget what the driver remembers of the kernel, so the next apply observes
        everything (the periodic full resync: repairs changes made behind its back)."""
        ...

    def close(self) -> None:
        """Stop background work (health checks) but leave the kernel state in place."""
        ...

    def target_health(self, target_group_id: str | None = None) -> list[TargetHealth]: ...

    def instance_netns(self, instance_id: str) -> str | None:
        """The namespace `privlink exec` should enter, or None if there is none."""
        ...

    def exec_in_instance(
        self,
        instance_id: str,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> subprocess.CompletedProcess[bytes]: ...
