"""privlink's own HTTP routes beside the AWS APIs (the application layer, not a service).

- GET /_privlink/sns/messages?topic=ARN: the messages published to a topic
  (JSON list, oldest first, with each subscriber's delivery status);
- GET /_privlink/sns/SimpleNotificationService.pem: the certificate that
  verifies SNS message signatures (the messages' SigningCertURL);
- GET /_privlink/az: every zone with its state; POST /_privlink/az/fail and
  /_privlink/az/restore with {"zone": NAME_OR_ID}: a zonal outage on demand
  (`privlink az`), answered with the zone's new state or 400 and AWS's
  "Invalid availability zone" message.

Services never import the server; the routes live here, read through the
services' queries on the store thread, and the application adds them to the
gateway's internal table.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from urllib.parse import parse_qs

from privlink.api import Scope
from privlink.domain import regions
from privlink.errors import AwsError
from privlink.server.gateway import InternalRoute, json_response
from privlink.server.protocols import Request, Response
from privlink.services.ec2.network import outages
from privlink.services.sns import queries as sns_queries
from privlink.services.sns.delivery import InStore
from privlink.services.sns.runtime import SnsRuntime
from privlink.services.sns.signing import SIGNING_CERT_PATH
from privlink.store import Store

SNS_INBOX_PATH = "/_privlink/sns/messages"
AZ_PATH = "/_privlink/az"


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


def az_routes(store: Store, in_store: InStore) -> dict[tuple[str, str], InternalRoute]:
    """Zone states, and failing or restoring one zone (the data plane follows the store)."""

    async def states(_request: Request) -> Response:
        def read() -> list[dict[str, object]]:
            with store.unit() as uow:
                return [asdict(state) for state in outages.zone_states(uow)]

        return json_response(await in_store(read))

    def change(
        operation: Callable[[Scope, regions.Zone], outages.ZoneState],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def route(request: Request) -> Response:
            try:
                name = str(json.loads(request.body or b"{}")["zone"])
            except (ValueError, KeyError, TypeError) as exc:
                return json_response({"error": f'expected {{"zone": NAME}}: {exc}'}, 400)

            def write() -> dict[str, object]:
                zone = outages.resolve(name)
                with store.unit() as uow:
                    return asdict(operation(outages.outage_scope(uow, zone), zone))

            try:
                return json_response(await in_store(write))
            except AwsError as error:
                return json_response({"error": error.message, "code": error.code}, 400)

        return route

    return {
        ("GET", AZ_PATH): states,
        ("POST", f"{AZ_PATH}/fail"): change(outages.fail_zone),
        ("POST", f"{AZ_PATH}/restore"): change(outages.restore_zone),
    }
