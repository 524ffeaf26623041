"""Helpers shared by the PrivateLink handlers: id checks, scoped lookups and
lifecycle moves (which publish notifications). ClientToken idempotency is
EC2's (`common.replayed` / `common.remember_token`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.privatelink.records import EndpointService, VpcEndpoint

ENDPOINT_ID = re.compile(r"^vpce-([0-9a-f]{8}|[0-9a-f]{17})$")
SERVICE_ID = re.compile(r"^vpce-svc-[0-9a-f]{17}$")
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")
GROUP_ID = re.compile(r"^sg-([0-9a-f]{8}|[0-9a-f]{17})$")


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def endpoint_not_found(endpoint_id: str) -> errors.AwsError:
    return errors.InvalidVpcEndpointIdNotFound(endpoint_id)


def check_endpoint_id(endpoint_id: str) -> None:
    if not ENDPOINT_ID.match(endpoint_id):
        raise errors.InvalidVpcEndpointIdMalformed(
            f"Invalid Id: '{endpoint_id}' (expecting 'vpce-...')"
        )


def check_service_id(service_id: str) -> None:
    if not SERVICE_ID.match(service_id):
        raise errors.InvalidVpcEndpointServiceIdMalformed(
            f"Invalid Id: '{service_id}' (expecting 'vpce-svc-...')"
        )


def own_endpoint(ctx: Scope, endpoint_id: str, include_deleted: bool = False) -> VpcEndpoint:
    """The caller's endpoint. Anyone else's (a provider's view included) does not exist."""
    check_endpoint_id(endpoint_id)
    endpoint = ctx.uow.get(VpcEndpoint, endpoint_id)
    if (
        endpoint is None
        or endpoint.account != ctx.account
        or endpoint.region != ctx.region
        or (endpoint.state == lifecycle.State.DELETED and not include_deleted)
    ):
        raise endpoint_not_found(endpoint_id)
    return endpoint


def own_service(ctx: Scope, service_id: str) -> EndpointService:
    check_service_id(service_id)
    service = ctx.uow.get(EndpointService, service_id)
    if service is None or service.account != ctx.account or service.region != ctx.region:
        raise errors.InvalidVpcEndpointServiceIdNotFound(service_id)
    return service


def unsuccessful(resource_id: str, error: errors.AwsError) -> dict[str, Any]:
    return {"ResourceId": resource_id, "Error": {"Code": error.code, "Message": error.message}}


# --- lifecycle --------------------------------------------------------------------
def move(ctx: Scope, endpoint: VpcEndpoint, trigger: lifecycle.Trigger) -> lifecycle.Transition:
    """Apply a lifecycle transition, store it, and publish the events it raises.

    An endpoint without a state is new: the transition creates it.

    Raises IllegalTransition; handlers turn that into the right AWS error.
    """
    from privlink.services.privatelink import notifications as endpoint_notifications

    current = endpoint.state or None
    step = lifecycle.transition(current, trigger)
    endpoint.state = step.target.value
    endpoint.state_since = iso(ctx.now())
    if current is None:
        ctx.uow.add(endpoint)
    else:
        ctx.uow.put(endpoint)
    for event in step.events:
        endpoint_notifications.publish(ctx, endpoint, event)
    return step
