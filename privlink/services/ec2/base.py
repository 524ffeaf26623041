"""The EC2 handler decorator: registers an operation and makes sure the region is bootstrapped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from privlink.server.context import Context
from privlink.server.registry import Handler, operation


def ec2_operation(name: str) -> Callable[[Handler], Handler]:
    def decorate(fn: Handler) -> Handler:
        def handle(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
            from privlink.services.ec2.defaults import ensure_default_vpc

            ensure_default_vpc(ctx)
            return fn(ctx, params)

        handle.__name__ = fn.__name__
        handle.__doc__ = fn.__doc__
        operation("ec2", name)(handle)
        return fn

    return decorate
