"""The contract every data-plane driver meets (Linux namespaces, or nothing at all).

A reconciler builds a DataplanePlan and calls `apply`; it reads target health back with
`target_health` (or gets pushed changes through the callback given to the driver).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from privlink.dataplane.flows import Observation
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
    code: str | None = None  # ELB's reason code, when the check knows it (ALB: HAProxy's)


HealthCallback = Callable[[TargetHealth], None]


class PermanentFailure(Exception):
    """Realising a resource failed in a way retrying cannot fix (the kernel rejected
    what the plan asks for): the resource should move to its failure state."""


class TemporaryFailure(Exception):
    """Realising a resource failed for now (resources exhausted, a race): retry later."""


@dataclass
class ApplyReport:
    """What an apply changed, and which resources could not be realised (and why).

    An empty `changes` after an apply means the kernel already matched the plan.
    `permanent` names the failed resources that retrying cannot fix; every other
    entry of `errors` is worth another attempt.
    """

    changes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    permanent: set[str] = field(default_factory=set)
    # where the pass spent its time, in ms per phase (for the apply log line and benches)
    phases: dict[str, float] = field(default_factory=dict)

    def timed(self, phase: str, started: float) -> None:
        """Add the time since `started` (time.monotonic()) to `phase`."""
        elapsed = (time.monotonic() - started) * 1000
        self.phases[phase] = self.phases.get(phase, 0.0) + elapsed

    def fail(self, resource: str, message: str, permanent: bool) -> None:
        """Record the first failure of a resource in this pass."""
        if resource in self.errors:
            return
        self.errors[resource] = message
        if permanent:
            self.permanent.add(resource)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Faults:
    """Failures injected on purpose (POST /_privlink/faults): chaos testing for users
    and tests. A fault makes the driver fail the resource's realisation for real (its
    namespace step raises before touching the kernel), `times` passes in a row, or for
    good when permanent. A delay makes the next pass wait at that resource instead (a slow
    apply on purpose, to see what waits for one) until its time is up or faults clear."""

    _armed: dict[str, tuple[bool, int]] = field(default_factory=dict)
    _delays: dict[str, float] = field(default_factory=dict)
    _released: threading.Event = field(default_factory=threading.Event)

    def inject(self, resource: str, permanent: bool, times: int = 1) -> None:
        self._armed[resource] = (permanent, times)

    def delay(self, resource: str, seconds: float) -> None:
        self._released.clear()
        self._delays[resource] = seconds

    def clear(self) -> None:
        self._armed.clear()
        self._delays.clear()
        self._released.set()

    def check(self, resource: str) -> None:
        seconds = self._delays.pop(resource, None)
        if seconds is not None:
            self._released.wait(seconds)
        armed = self._armed.get(resource)
        if armed is None:
            return
        permanent, times = armed
        if permanent:
            raise PermanentFailure("injected permanent fault")
        if times <= 1:
            del self._armed[resource]
        else:
            self._armed[resource] = (False, times - 1)
        raise TemporaryFailure("injected temporary fault")


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

    def observe(self) -> Observation:
        """Read the kernel's traffic counters once (flows of the interfaces the plan logs,
        counters of endpoint interfaces): slow I/O, never called on the store thread."""
        ...

    @property
    def faults(self) -> Faults:
        """Failures injected on purpose (see Faults)."""
        ...

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
