"""The contract between the gateway, the services and the controllers.

It sits below the services and above the store: the gateway (server/) and
the controllers (reconcile/) depend on it, the services implement it, and
it imports neither of them.

- `Scope`: who acts, in which account and region, inside which unit of
  work. Every operation takes one; reads through it see only that account
  and region, by construction.
- `Context`: a `Scope` that came from an API request (it has a request id).
  Only the gateway makes these; controllers and other services act through
  a plain `Scope`.
- `handles`, `Service`, `Registry`: handlers are marked, each service
  package lists its own modules and records, and the application assembles
  the registry explicitly (no import-time side effects).
- `Deferred`: what a handler returns when its answer needs slow I/O (a call
  into a running Airflow): the gateway runs it after the commit, off the
  store thread.
"""

from privlink.api.handlers import Deferred, Handler, Registry, Service, handles
from privlink.api.scope import Context, Scope

__all__ = ["Context", "Deferred", "Handler", "Registry", "Scope", "Service", "handles"]
