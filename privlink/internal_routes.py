"""privlink's own HTTP routes beside the AWS APIs (the application layer, not a service).

- GET /_privlink/sns/messages?topic=ARN: the messages published to a topic
  (JSON list, oldest first, with each subscriber's delivery status);
- GET /_privlink/sns/SimpleNotificationService.pem: the certificate that
  verifies SNS message signatures (the messages' SigningCertURL).

Services never import the server; the routes live here, read through the
services' queries on the store thread, and the application adds them to the
gateway's internal table.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from privlink.server.gateway import InternalRoute, json_response
from privlink.server.protocols import Request, Response
from privlink.services.sns import queries as sns_queries
from privlink.services.sns.delivery import InStore
from privlink.services.sns.runtime import SnsRuntime
from privlink.services.sns.signing import SIGNING_CERT_PATH
from privlink.store import Store

SNS_INBOX_PATH = "/_privlink/sns/messages"


def sns_routes(
    sns: SnsRuntime, store: Store, in_store: InStore
) -> dict[tuple[str, str], InternalRoute]:
    """The SNS inbox and signing-certificate routes."""

    async def inbox(request: Request) -> Response:
        topics = parse_qs(request.query_string).get("topic")
        if not topics:
            return json_response(
                {"error": "the 'topic' query parameter (a topic ARN) is required"}, 400
            )
        arn = topics[0]

        def read() -> list[dict[str, object]] | None:
            with store.unit() as uow:
                return sns_queries.inbox(uow, arn)

        messages = await in_store(read)
        if messages is None:
            return json_response({"error": f"Topic does not exist: {arn}"}, 404)
        return json_response(messages)

    async def certificate(_request: Request) -> Response:
        return Response(200, sns.certificate_pem, {"content-type": "application/x-pem-file"})

    return {("GET", SNS_INBOX_PATH): inbox, ("GET", SIGNING_CERT_PATH): certificate}
