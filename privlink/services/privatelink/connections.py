"""The provider's side of endpoints: list, accept and reject connections.

A provider acts on a consumer's endpoint only through these calls; it can
never modify or delete it. Per-endpoint failures come back in Unsuccessful,
the call itself fails only for a service the caller does not own.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.domain import filters, paging
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink import views as views
from privlink.services.privatelink.records import EndpointService, VpcEndpoint

FILTERS: dict[str, filters.Getter] = {
    "service-id": lambda e: e.service_id,
    "vpc-endpoint-owner": lambda e: e.account,
    "vpc-endpoint-id": lambda e: e.id,
    "vpc-endpoint-state": lambda e: e.state,
    "vpc-endpoint-region": lambda e: e.region,
    "ip-address-type": lambda e: e.ip_address_type,
}


@handles("DescribeVpcEndpointConnections")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    services = {s.id: s for s in ctx.uow.list(EndpointService, ctx.account, ctx.region)}
    endpoints = [
        e for e in ctx.uow.list(VpcEndpoint, region=ctx.region) if e.service_id in services
    ]
    endpoints = filters.apply(endpoints, params.get("Filters"), FILTERS, tags=lambda e: {})
    chunk, token = paging.page(
        endpoints, params.get("MaxResults"), params.get("NextToken"), lambda e: e.id
    )
    return {
        "VpcEndpointConnections": [
            views.wire_connection(ctx.uow, e, services[e.service_id].network_load_balancer_arns)
            for e in chunk
        ],
        "NextToken": token,
    }


def _decide(
    ctx: Scope, params: dict[str, Any], trigger: lifecycle.Trigger, verb: str
) -> dict[str, Any]:
    service = common.own_service(ctx, params["ServiceId"])
    failed: list[dict[str, Any]] = []
    for endpoint_id in dict.fromkeys(params["VpcEndpointIds"]):
        endpoint = ctx.uow.get(VpcEndpoint, endpoint_id)
        if (
            endpoint is None
            or endpoint.service_id != service.id
            or endpoint.state == lifecycle.State.DELETED
        ):
            failed.append(
                common.unsuccessful(
                    endpoint_id,
                    errors.InvalidVpcEndpointNotFound(endpoint_id),
                )
            )
            continue
        if not lifecycle.allowed(endpoint.state, trigger):
            failed.append(
                common.unsuccessful(
                    endpoint_id,
                    errors.InvalidState(
                        f"Vpc Endpoint {endpoint_id} cannot be {verb} in state {endpoint.state}"
                    ),
                )
            )
            continue
        common.move(ctx, endpoint, trigger)
    return {"Unsuccessful": failed}


@handles("AcceptVpcEndpointConnections")
def accept(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _decide(ctx, params, lifecycle.Trigger.ACCEPT, "accepted")


@handles("RejectVpcEndpointConnections")
def reject(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    return _decide(ctx, params, lifecycle.Trigger.REJECT, "rejected")
