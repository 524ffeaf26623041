"""Operation handlers, registered by (botocore service name, operation name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlink.server.context import Context

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]

_HANDLERS: dict[tuple[str, str], Handler] = {}


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        _HANDLERS[(service, name)] = fn
        return fn

    return decorate


def handler_for(service: str, name: str) -> Handler | None:
    return _HANDLERS.get((service, name))


def implemented() -> list[tuple[str, str]]:
    return sorted(_HANDLERS)
