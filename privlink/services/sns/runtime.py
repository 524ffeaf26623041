"""The SNS parts that live outside API transactions: delivery worker and internal routes.

The Runtime (privlink.app) builds one SnsRuntime, adds its routes to the
gateway's internal table and its start/stop to the lifespan:

- GET /_privlink/sns/messages?topic=ARN: the messages published to a topic
  (JSON list, oldest first, with each subscriber's delivery status);
- GET /_privlink/sns/SimpleNotificationService.pem: the certificate that
  verifies message signatures (the messages' SigningCertURL).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit, urlunsplit

from privlink.server.gateway import InternalRoute, json_response
from privlink.server.protocols import Request, Response
from privlink.services.sns.delivery import DeliveryWorker, InStore
from privlink.services.sns.records import InboxMessage, Topic
from privlink.services.sns.signing import SIGNING_CERT_PATH
from privlink.store import Store

INBOX_PATH = "/_privlink/sns/messages"
_ANY_HOST = ("0.0.0.0", "::", "")


def callback_base_url(endpoint_url: str) -> str:
    """privlink's URL as subscribers should call it (a wildcard bind becomes loopback)."""
    parts = urlsplit(endpoint_url)
    if parts.hostname in _ANY_HOST:
        netloc = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts).rstrip("/")


class SnsRuntime:
    def __init__(self, store: Store, in_store: InStore, endpoint_url: str) -> None:
        self.store = store
        self.in_store = in_store
        self.worker = DeliveryWorker(store, in_store, callback_base_url(endpoint_url))

    def routes(self) -> dict[tuple[str, str], InternalRoute]:
        return {("GET", INBOX_PATH): self.inbox, ("GET", SIGNING_CERT_PATH): self.certificate}

    async def start(self) -> None:
        await self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def inbox(self, request: Request) -> Response:
        topics = parse_qs(request.query_string).get("topic")
        if not topics:
            return json_response(
                {"error": "the 'topic' query parameter (a topic ARN) is required"}, 400
            )
        arn = topics[0]

        def read() -> list[dict[str, object]] | None:
            with self.store.unit() as uow:
                if uow.get(Topic, arn) is None:
                    return None
                return [m.wire() for m in uow.list(InboxMessage, parent=arn)]

        messages = await self.in_store(read)
        if messages is None:
            return json_response({"error": f"Topic does not exist: {arn}"}, 404)
        return json_response(messages)

    async def certificate(self, _request: Request) -> Response:
        return Response(
            200, self.worker.signer.certificate_pem, {"content-type": "application/x-pem-file"}
        )
