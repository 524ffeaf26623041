"""CloudWatch Logs as privlink serves it."""

from __future__ import annotations

from privlink.api import Service


def service() -> Service:
    return Service.from_modules("logs", [])
