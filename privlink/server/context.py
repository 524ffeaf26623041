"""What a handler gets besides its input: who is calling, where, and the open transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from privlink.store.unit import UnitOfWork


def random_hex(n: int) -> str:
    return secrets.token_hex((n + 1) // 2)[:n]


@dataclass
class Context:
    account: str
    region: str
    uow: UnitOfWork
    request_id: str
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    hexid: Callable[[int], str] = random_hex
    # Work to run after the transaction commits (notifications, kicks to reconcilers).
    after_commit: list[Callable[[], Any]] = field(default_factory=list)

    def new_id(self, prefix: str, length: int = 17) -> str:
        return f"{prefix}-{self.hexid(length)}"
