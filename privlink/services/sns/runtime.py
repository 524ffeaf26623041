"""The SNS part that lives outside API transactions: the delivery worker's lifecycle.

The application (privlink.app) builds one SnsRuntime and adds its start/stop
to the lifespan; privlink.internal_routes serves what it holds over HTTP (the
signing certificate) next to the topics' inboxes.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from privlink.services.sns.delivery import DeliveryWorker, InStore
from privlink.store import Store

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

    @property
    def certificate_pem(self) -> bytes:
        """The certificate that verifies message signatures (the messages' SigningCertURL)."""
        return self.worker.signer.certificate_pem

    async def start(self) -> None:
        await self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
