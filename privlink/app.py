"""Assembles a running privlink: store, gateway, internal routes, background workers."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from privlink import __version__
from privlink.config import Settings
from privlink.dataplane import Dataplane, make_driver
from privlink.internal_routes import az_routes, sns_routes
from privlink.reconcile import ReconcileLoop, progress
from privlink.reconcile.client_vpn import ClientVpnController
from privlink.reconcile.dataplane import DataplaneController
from privlink.reconcile.endpoints import EndpointController, Timings
from privlink.reconcile.insights import InsightsController
from privlink.reconcile.instances import InstanceController
from privlink.reconcile.mwaa import MwaaController
from privlink.reconcile.nat_gateways import NatGatewayController
from privlink.reconcile.observe import ObserveController, period_from_env
from privlink.reconcile.plan_builder import LocalApi, expects_path
from privlink.reconcile.progress import Readiness
from privlink.server.gateway import Gateway, Receive, Scope, Send, json_response
from privlink.server.protocols import Request, Response
from privlink.services.cloudwatch.usage import privatelink_usage
from privlink.services.mwaa import queries as mwaa_queries
from privlink.services.privatelink.records import VpcEndpoint
from privlink.services.sns.runtime import SnsRuntime
from privlink.store import Store
from privlink.store.records import Record
from privlink.ui.routes import ui_routes
from privlink.wiring import endpoint_prefixes, registry

log = logging.getLogger("privlink")

Lifecycle = Callable[[], Awaitable[None]]
DATAPLANE_CONTROLLER = DataplaneController.name


class Runtime:
    """The ASGI application a server runs, with startup/shutdown for background workers."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.registry = registry(settings)
        self.store = store or Store(settings.resolved_database_url())
        self.sns = SnsRuntime(self.store, self._in_store, settings.endpoint_url)
        self.gateway = Gateway(
            self.store,
            self.registry,
            default_region=settings.default_region,
            strict_keys=settings.strict_keys,
            admin_key=settings.admin_key,
            internal={
                ("GET", "/_privlink/health"): self._health,
                ("GET", "/_privlink/status"): self._status,
                ("POST", "/_privlink/reset"): self._reset,
                ("POST", "/_privlink/faults"): self._faults,
                **sns_routes(self.sns, self.store, self._in_store),
                **az_routes(self.store, self._in_store),
                **ui_routes(self.store, self._in_store),
            },
            spool_dir=settings.state_dir / "spool",
        )
        self.reconcilers = ReconcileLoop(self.store, self.gateway.executor)
        self.dataplane: Dataplane | None = None
        self.on_startup: list[Lifecycle] = [self.reconcilers.start, self.sns.start]
        self.on_shutdown: list[Lifecycle] = [self.reconcilers.stop, self.sns.stop]
        readiness: Readiness | None = None
        if settings.dataplane != "none":
            readiness = self._attach_dataplane(make_driver(settings.dataplane, settings.state_dir))
        self.reconcilers.add(
            EndpointController(
                readiness=readiness or progress.always_ready,
                timings=Timings.from_env(pending=0.0 if readiness else None),
            )
        )
        self.reconcilers.add(InstanceController(readiness=readiness or progress.always_ready))
        self.reconcilers.add(NatGatewayController())
        api = LocalApi(settings.https_port or None, endpoint_prefixes(self.registry))
        self.reconcilers.add(InsightsController(api))
        linux_state = settings.state_dir / "dataplane" if settings.dataplane == "linux" else None
        self.reconcilers.add(ClientVpnController(linux_state))
        self._attach_mwaa(linux=settings.dataplane == "linux")

    def _attach_mwaa(self, linux: bool) -> None:
        """MWAA environments run Airflow in the data plane's namespaces: their runtimes
        stop before the data plane tears the namespaces down."""
        controller = MwaaController(
            self.settings.state_dir, linux, lambda: self.reconcilers.kick(MwaaController.name)
        )
        self.reconcilers.add(controller)

        async def stop() -> None:
            await asyncio.get_running_loop().run_in_executor(None, controller.stop)

        # Reversed at shutdown: after the reconcilers stop, before the data plane goes.
        self.on_shutdown.insert(self.on_shutdown.index(self.reconcilers.stop), stop)

    def _attach_dataplane(self, driver: Dataplane) -> Readiness:
        """Realise the store in the kernel. Returns how lifecycle controllers learn what
        became of a resource: from the Progress records the data-plane controller keeps."""
        linux = self.settings.dataplane == "linux"  # the host resolver needs real addresses
        api = LocalApi(self.settings.https_port or None, endpoint_prefixes(self.registry))
        controller = DataplaneController(
            driver,
            on_applied=lambda: self.reconcilers.kick(DATAPLANE_CONTROLLER),
            api=api,
            host_dns_port=self.settings.dns_port if linux else 0,
        )
        self.dataplane = driver
        self.reconcilers.add(controller)
        observer = ObserveController(
            driver,
            lambda: self.reconcilers.kick(ObserveController.name),
            self.settings.state_dir,
            period_from_env(),
        )
        self.reconcilers.add(observer)

        async def stop() -> None:
            await asyncio.get_running_loop().run_in_executor(None, observer.stop)
            await asyncio.get_running_loop().run_in_executor(None, controller.stop)
            await asyncio.get_running_loop().run_in_executor(None, driver.teardown)

        # Runs after the reconcilers stop (shutdown hooks run in reverse order).
        self.on_shutdown.insert(0, stop)
        return progress.from_store(lambda record: _expects_path(record, api))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:
            await self.gateway(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for hook in self.on_startup:
                    await hook()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for hook in reversed(self.on_shutdown):
                    try:
                        await hook()
                    except Exception:
                        log.exception("shutdown hook failed")
                self.gateway.executor.shutdown(wait=True)
                self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _in_store(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.gateway.executor, fn)

    async def _health(self, _request: Request) -> Response:
        return json_response(
            {"status": "ok", "version": __version__, "dataplane": self.settings.dataplane}
        )

    async def _status(self, _request: Request) -> Response:
        def count() -> tuple[dict[str, int], dict[str, dict[str, object]], list[Any]]:
            counts: dict[str, int] = {}
            with self.store.unit() as uow:
                for kind, cls in self.registry.record_kinds().items():
                    counts[kind] = len(uow.list(cls))
                usage = privatelink_usage(uow, dt.datetime.now(dt.UTC))
                return counts, usage, mwaa_queries.summaries(uow)

        counts, usage, environments = await self._in_store(count)
        return json_response(
            {
                "version": __version__,
                "endpoint": self.settings.endpoint_url,
                "database": _redact(self.store.url),
                "dataplane": self.settings.dataplane,
                "https_port": self.settings.https_port or None,
                "host_resolver": self._host_resolver(),
                "resources": counts,
                "privatelink_usage": usage,
                "mwaa_environments": environments,
            }
        )

    def _host_resolver(self) -> str | None:
        """Where the host-side resolver answers endpoint names (None: not running)."""
        if self.settings.dataplane != "linux" or not self.settings.dns_port:
            return None
        return f"127.0.0.1:{self.settings.dns_port}"

    async def _faults(self, request: Request) -> Response:
        """Inject a data-plane failure: {"resource": ID, "permanent": bool, "times": N}
        (times: how many passes a temporary fault fails), or a slow apply: {"resource": ID,
        "delay": SECONDS} (the next pass waits there); {"clear": true} disarms all."""
        if self.dataplane is None:
            return json_response({"error": "no data plane (privlink up --dataplane ...)"}, 409)
        try:
            spec = json.loads(request.body or b"{}")
            if spec.get("clear"):
                self.dataplane.faults.clear()
            elif "delay" in spec:
                self.dataplane.faults.delay(str(spec["resource"]), float(spec["delay"]))
            else:
                self.dataplane.faults.inject(
                    str(spec["resource"]), bool(spec.get("permanent")), int(spec.get("times", 1))
                )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return json_response({"error": f"bad fault: {exc}"}, 400)
        self.reconcilers.kick(DATAPLANE_CONTROLLER)
        return json_response({"armed": True})

    async def _reset(self, _request: Request) -> Response:
        await self._in_store(self.store.reset)
        return Response(
            200, json.dumps({"reset": True}).encode(), {"content-type": "application/json"}
        )


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _expects_path(record: Record, api: LocalApi) -> bool:
    """Endpoints that never get a path (AWS services privlink does not serve) are ready
    at once; everything else the data plane tracks waits for its Progress."""
    if isinstance(record, VpcEndpoint):
        return expects_path(record, api)
    return True
