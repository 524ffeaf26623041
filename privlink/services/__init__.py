"""Service implementations: pure domain logic that validates, decides and writes the store.

Importing this package registers every operation handler.
"""

import importlib
import pkgutil


def load_all() -> None:
    """Import every service module so their @operation handlers register."""
    for info in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        importlib.import_module(info.name)
