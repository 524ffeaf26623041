"""The NAT gateway controller: the lifecycle steps that take time on AWS.

* pending  -> available (or failed: Gateway.NotAttached) after a short dwell,
  so clients and Terraform's waiter observe "pending" first;
* deleting -> deleted, the interface released and the Elastic IP let go;
* deleted and failed gateways are forgotten an hour later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from privlink.api import Scope
from privlink.services.ec2.network import nat_gateways
from privlink.services.ec2.records import NatGateway
from privlink.store import Store

DWELL = dt.timedelta(seconds=1)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class NatGatewayController:
    name = "nat-gateways"
    kinds = frozenset({NatGateway.kind})

    def __init__(self, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.clock = clock

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        waits: list[float] = []
        with store.unit() as uow:
            for nat in uow.list(NatGateway):
                wait = self._step(Scope.of(nat, uow, now=self.clock), nat)
                if wait is not None:
                    waits.append(wait)
        return min(waits) if waits else None

    def _step(self, scope: Scope, nat: NatGateway) -> float | None:
        """Move one gateway on if its time has come: seconds until it next needs a look."""
        if nat.state == "pending":
            due = dt.datetime.fromisoformat(nat.create_time) + DWELL - scope.now()
            if due.total_seconds() > 0:
                return due.total_seconds()
            nat_gateways.settle(scope, nat)
        elif nat.state == "deleting":
            nat_gateways.finish_deletion(scope, nat)
        if nat.state in ("deleted", "failed"):
            return nat_gateways.forget_if_expired(scope, nat)
        return None
