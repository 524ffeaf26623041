"""Controllers that move stored desired state toward reality, idempotently.

A controller declares which record kinds wake it; it also runs at start
(full resync) and periodically. Each run happens on the store thread, so it
sees committed state and its writes are serial with API calls. Modules in
this package register a factory with @controller; the runtime builds them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from privlink.reconcile.loop import Controller, ReconcileLoop

Factory = Callable[[Any], Controller]  # runtime -> controller
_FACTORIES: list[Factory] = []


def controller(factory: Factory) -> Factory:
    _FACTORIES.append(factory)
    return factory


def controller_factories() -> list[Factory]:
    for info in pkgutil.iter_modules(__path__, prefix=__name__ + "."):
        importlib.import_module(info.name)
    return list(_FACTORIES)


__all__ = ["Controller", "ReconcileLoop", "controller", "controller_factories"]
