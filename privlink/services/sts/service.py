"""STS as privlink serves it."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.sts import handlers


def service() -> Service:
    return Service.from_modules("sts", [handlers])
