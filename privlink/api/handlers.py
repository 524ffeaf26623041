"""Handlers, services and the registry the application assembles from them.

A handler turns one operation's wire input into a call and the call's
result into wire output: `(Context, params) -> output`, both dicts in the
operation's botocore shapes. `@handles("CreateVpc")` only marks a function;
nothing is registered as a side effect of importing it. Each service
package declares a `Service` listing its handler modules and record kinds,
and the application builds one `Registry` from the services it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from privlink.api.scope import Context
from privlink.store.records import Record


@dataclass(frozen=True)
class Deferred:
    """A handler's answer that needs slow I/O outside privlink's state (InvokeRestApi's
    HTTP call into a running Airflow). Handlers run one at a time inside the store
    transaction, so they must not wait on anything: a handler decides and reads what it
    needs, then returns `Deferred(call)`. The gateway commits, runs `call` on its I/O
    pool (never the store thread) and answers with its output, or with the AwsError it
    raises, exactly as if the handler had returned or raised it. `call` must not touch
    the store."""

    call: Callable[[], dict[str, Any]]


Handler = Callable[[Context, dict[str, Any]], "dict[str, Any] | Deferred"]
Hook = Callable[[Context], None]

_MARK = "__aws_operation__"


def handles(operation: str) -> Callable[[Handler], Handler]:
    """Mark a function as the handler of one operation (by its botocore name)."""

    def mark(fn: Handler) -> Handler:
        setattr(fn, _MARK, operation)
        return fn

    return mark


def collect(modules: Iterable[ModuleType]) -> dict[str, Handler]:
    """The marked handlers of these modules, by operation name (each operation once)."""
    found: dict[str, Handler] = {}
    for module in modules:
        for value in vars(module).values():
            operation = getattr(value, _MARK, None)
            if operation is None or getattr(value, "__module__", None) != module.__name__:
                continue
            if operation in found and found[operation] is not value:
                raise ValueError(f"two handlers for {operation}")
            found[operation] = value
    return found


@dataclass(frozen=True)
class Service:
    """One AWS service as privlink serves it.

    `name` is botocore's service name; `before` runs ahead of every handler
    of the service (EC2 creates an account's default VPC on first use).
    """

    name: str
    handlers: Mapping[str, Handler]
    records: tuple[type[Record], ...] = ()
    before: Hook | None = None

    @classmethod
    def from_modules(
        cls,
        name: str,
        modules: Iterable[ModuleType],
        records: Iterable[type[Record]] = (),
        before: Hook | None = None,
    ) -> Service:
        return cls(name, collect(modules), tuple(records), before)


@dataclass
class Registry:
    """Which handler serves (service, operation): built once by the application."""

    services: dict[str, Service] = field(default_factory=dict)

    @classmethod
    def of(cls, services: Iterable[Service]) -> Registry:
        return cls({s.name: s for s in services})

    def handler_for(self, service: str, operation: str) -> Handler | None:
        found = self.services.get(service)
        if found is None:
            return None
        handler = found.handlers.get(operation)
        if handler is None or found.before is None:
            return handler
        before = found.before

        def run(ctx: Context, params: dict[str, Any]) -> dict[str, Any] | Deferred:
            before(ctx)
            return handler(ctx, params)

        return run

    def implemented(self) -> list[tuple[str, str]]:
        return sorted((s.name, op) for s in self.services.values() for op in s.handlers)

    def record_kinds(self) -> dict[str, type[Record]]:
        return {r.kind: r for s in self.services.values() for r in s.records}
