"""The delivery worker: makes the queued SNS HTTP POSTs, on the event loop.

Handlers run on the single store thread, which must never wait on the
network, so they only write Delivery records (see outbox). This worker hears
of new ones through the store's change feed, which fires after each commit,
reads the due ones on the store thread and POSTs them with httpx on the
event loop. Outcomes go back to the store: a delivered or finally failed
delivery is deleted (and noted in the topic's inbox), a retryable failure is
rescheduled. Deliveries are records, so pending ones survive a restart
(at-least-once, as SNS).

Retry policy: `attempts` tries in all, `backoff[i]` seconds before try i+2.
2xx is success; 5xx, 429 and network errors are retried; any other status
is final, as SNS treats client errors. HTTPS endpoints are not verified:
local subscribers usually have self-signed certificates.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from privlink.services.sns import messages
from privlink.services.sns.records import Delivery, InboxMessage
from privlink.services.sns.signing import Signer
from privlink.store import Store

log = logging.getLogger("privlink.sns.delivery")

InStore = Callable[[Callable[[], Any]], Awaitable[Any]]  # run a function on the store thread

OK, RETRY, FAILED = "delivered", "retry", "failed"


class DeliveryWorker:
    def __init__(
        self,
        store: Store,
        in_store: InStore,
        base_url: str,
        *,
        attempts: int = 3,
        backoff: tuple[float, ...] = (1.0, 2.0),
        timeout: float = 5.0,
        idle: float = 30.0,
    ) -> None:
        self.store = store
        self.in_store = in_store
        self.base_url = base_url
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        self.idle = idle  # longest sleep with nothing due (a safety net for missed wake-ups)
        self.signer = Signer.generate()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None
        self._stopping = False
        store.subscribe(self._on_change)

    # --- lifecycle ------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=self.timeout, verify=False)  # noqa: S501
        self._task = asyncio.create_task(self._run(), name="sns-delivery")

    async def stop(self) -> None:
        self._stopping = True
        tasks = [t for t in (self._task, *self._inflight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def _on_change(self, changed: set[tuple[str, str]]) -> None:
        """Store listener (runs on the committing thread): wake the loop for new deliveries."""
        if self._loop is None or self._wake is None or self._stopping:
            return
        if any(kind in (Delivery.kind, "*") for kind, _ in changed):
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self._loop.call_soon_threadsafe(self._wake.set)

    # --- the loop -------------------------------------------------------------------
    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                due, wait = await self.in_store(self._due)
            except Exception:
                log.exception("reading pending SNS deliveries failed; retrying")
                due, wait = [], 1.0
            for delivery in due:
                if delivery.id not in self._inflight:
                    self._inflight[delivery.id] = asyncio.create_task(self._deliver(delivery))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _due(self) -> tuple[list[Delivery], float]:
        """(deliveries due now, seconds until the next one is) — on the store thread."""
        now = dt.datetime.now(dt.UTC)
        due: list[Delivery] = []
        wait = self.idle
        with self.store.unit() as uow:
            for delivery in uow.list(Delivery):
                at = dt.datetime.fromisoformat(delivery.next_attempt_at)
                if at <= now:
                    due.append(delivery)
                else:
                    wait = min(wait, (at - now).total_seconds())
        return due, max(wait, 0.01)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            body, headers = messages.render(delivery, self.base_url, self.signer)
            outcome, error = await self._post(delivery.endpoint, body, headers)
            await self.in_store(lambda: self._record(delivery.id, outcome, error))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("SNS delivery %s to %s failed", delivery.id, delivery.endpoint)
        finally:
            self._inflight.pop(delivery.id, None)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[str, str | None]:
        assert self._client is not None
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return RETRY, f"{type(exc).__name__}: {exc}"
        status = response.status_code
        if 200 <= status < 300:
            return OK, None
        return (RETRY if status >= 500 or status == 429 else FAILED), f"HTTP {status}"

    def _record(self, delivery_id: str, outcome: str, error: str | None) -> None:
        """Write an attempt's outcome — on the store thread."""
        with self.store.unit() as uow:
            delivery = uow.get(Delivery, delivery_id)
            if delivery is None:
                return  # unsubscribed or topic deleted meanwhile
            delivery.attempts += 1
            final = outcome != RETRY or delivery.attempts >= self.attempts
            if final:
                uow.delete(delivery)
            else:
                delay = self.backoff[min(delivery.attempts - 1, len(self.backoff) - 1)]
                later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
                delivery.next_attempt_at = later.isoformat()
                uow.put(delivery)
            status = OK if outcome == OK else (FAILED if final else "pending")
            if status == FAILED:
                log.warning(
                    "SNS %s to %s failed after %d attempt(s): %s",
                    delivery.message_type,
                    delivery.endpoint,
                    delivery.attempts,
                    error,
                )
            if delivery.message_type == "Notification":
                inbox = uow.get(InboxMessage, delivery.message_id)
                note = inbox.deliveries.get(delivery.subscription_arn) if inbox else None
                if inbox is not None and note is not None:
                    note.status, note.attempts, note.last_error = status, delivery.attempts, error
                    uow.put(inbox)
