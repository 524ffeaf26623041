"""The topology page's routes: the page itself and the JSON snapshot it polls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs

from privlink.server.gateway import InternalRoute, json_response
from privlink.server.protocols import Request, Response
from privlink.store import Store
from privlink.ui.state import Doc, analysis, topology

PAGE_PATH = "/_privlink/ui"
STATE_PATH = "/_privlink/ui/state"
InStore = Callable[[Callable[[], Any]], Awaitable[Any]]  # runs a function on the store thread


def ui_routes(store: Store, in_store: InStore) -> dict[tuple[str, str], InternalRoute]:
    """GET /_privlink/ui (HTML, no external assets; ?analysis=nia-... highlights that
    Reachability Analyzer path) and GET /_privlink/ui/state (JSON)."""
    page = files("privlink.ui").joinpath("page.html").read_bytes()

    async def show(_request: Request) -> Response:
        return Response(
            200,
            page,
            {
                "content-type": "text/html; charset=utf-8",
                "cache-control": "no-store",
                "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; "
                "style-src 'unsafe-inline'; img-src data:",
            },
        )

    async def state(request: Request) -> Response:
        """The topology; with ?analysis=nia-... also that analysis's path to highlight."""
        wanted = parse_qs(request.query_string).get("analysis", [""])[0]

        def read() -> Doc:
            with store.unit() as uow:
                doc = topology(uow)
                if wanted:
                    doc["analysis"] = analysis(uow, wanted)
                return doc

        return json_response(await in_store(read))

    return {("GET", PAGE_PATH): show, ("GET", STATE_PATH): state}
