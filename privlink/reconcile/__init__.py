"""Controllers that move stored desired state toward reality, idempotently.

A controller declares which record kinds wake it; it also runs at start
(full resync) and periodically. Each run happens on the store thread, so it
sees committed state and its writes are serial with API calls. The
application builds the controllers it runs (privlink.app); nothing here
registers itself.
"""

from privlink.reconcile.loop import Controller, ReconcileLoop

__all__ = ["Controller", "ReconcileLoop"]
