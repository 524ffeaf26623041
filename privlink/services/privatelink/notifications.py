"""Connection notifications: SNS topics told about Connect/Accept/Reject/Delete.

A notification watches one interface endpoint (the consumer's) or one
endpoint service (the provider's). Delivery goes through SNS as the
`vpce.amazonaws.com` service principal, so the topic policy must allow it;
SNS delivers only after the transaction commits.

The message body is emulator-defined (AWS does not document it); see
docs/privatelink-behaviour.md.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.domain import filters, paging
from privlink.services.ec2 import common as ec2_common
from privlink.services.privatelink import lifecycle as common
from privlink.services.privatelink.records import ConnectionNotification, VpcEndpoint
from privlink.services.sns.operations import publish_as_service

log = logging.getLogger("privlink.vpce.notifications")

EVENTS = tuple(e.value for e in lifecycle.Event)
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$")
SERVICE_PRINCIPAL = "vpce.amazonaws.com"
OPERATION = "CreateVpcEndpointConnectionNotification"


def _not_found(notification_id: str) -> errors.AwsError:
    return errors.InvalidConnectionNotification(
        f"The connection notification '{notification_id}' does not exist"
    )


def wire(n: ConnectionNotification) -> dict[str, Any]:
    return {
        "ConnectionNotificationId": n.id,
        "ServiceId": n.service_id,
        "VpcEndpointId": n.vpc_endpoint_id,
        "ConnectionNotificationType": "Topic",
        "ConnectionNotificationArn": n.topic_arn,
        "ConnectionEvents": list(n.events),
        "ConnectionNotificationState": n.state,
        "ServiceRegion": n.region,
    }


def _check_topic(arn: str) -> None:
    if not TOPIC_ARN.match(arn):
        raise errors.InvalidParameter(f"Invalid SNS topic ARN: {arn}")


def _check_events(events: list[str]) -> list[str]:
    if not events:
        raise errors.InvalidParameter("ConnectionEvents must contain at least one event.")
    for event in events:
        if event not in EVENTS:
            raise errors.InvalidParameter(
                f"Invalid connection event {event}. Valid events are: {', '.join(EVENTS)}"
            )
    return list(dict.fromkeys(events))


def _own(ctx: Scope, notification_id: str) -> ConnectionNotification:
    found = ctx.uow.get(ConnectionNotification, notification_id)
    if found is None or found.account != ctx.account or found.region != ctx.region:
        raise _not_found(notification_id)
    return found


@handles("CreateVpcEndpointConnectionNotification")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = ec2_common.replayed(ctx, OPERATION, params)
    if previous:
        return {"ConnectionNotification": wire(_own(ctx, previous)), "ClientToken": token}
    service_id, endpoint_id = params.get("ServiceId"), params.get("VpcEndpointId")
    if bool(service_id) == bool(endpoint_id):
        raise errors.InvalidParameter("Specify exactly one of ServiceId or VpcEndpointId.")
    if service_id:
        common.own_service(ctx, service_id)
    elif endpoint_id:
        endpoint = common.own_endpoint(ctx, endpoint_id)
        if endpoint.endpoint_type != "Interface":
            raise errors.InvalidParameter(
                "Connection notifications are supported for interface endpoints only."
            )
    _check_topic(params["ConnectionNotificationArn"])
    notification = ConnectionNotification(
        id=ctx.new_id("vpce-nfn"),
        account=ctx.account,
        region=ctx.region,
        topic_arn=params["ConnectionNotificationArn"],
        events=_check_events(params.get("ConnectionEvents") or []),
        service_id=service_id,
        vpc_endpoint_id=endpoint_id,
    )
    ctx.uow.add(notification)
    ec2_common.remember_token(ctx, OPERATION, params, notification.id)
    return {"ConnectionNotification": wire(notification), "ClientToken": token}


FILTERS: dict[str, filters.Getter] = {
    "connection-notification-arn": lambda n: n.topic_arn,
    "connection-notification-id": lambda n: n.id,
    "connection-notification-state": lambda n: n.state,
    "connection-notification-type": lambda n: "Topic",
    "service-id": lambda n: n.service_id,
    "vpc-endpoint-id": lambda n: n.vpc_endpoint_id,
}


@handles("DescribeVpcEndpointConnectionNotifications")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    wanted = params.get("ConnectionNotificationId")
    if wanted:
        items = [_own(ctx, wanted)]
    else:
        items = ctx.uow.list(ConnectionNotification, ctx.account, ctx.region)
    items = filters.apply(items, params.get("Filters"), FILTERS, tags=lambda n: {})
    chunk, token = paging.page(
        items, params.get("MaxResults"), params.get("NextToken"), lambda n: n.id, (1, 1000)
    )
    return {"ConnectionNotificationSet": [wire(n) for n in chunk], "NextToken": token}


@handles("ModifyVpcEndpointConnectionNotification")
def modify(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    notification = _own(ctx, params["ConnectionNotificationId"])
    if params.get("ConnectionNotificationArn"):
        _check_topic(params["ConnectionNotificationArn"])
        notification.topic_arn = params["ConnectionNotificationArn"]
    if params.get("ConnectionEvents") is not None:
        notification.events = _check_events(params["ConnectionEvents"])
    ctx.uow.put(notification)
    return {"ReturnValue": True}


@handles("DeleteVpcEndpointConnectionNotifications")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    failed: list[dict[str, Any]] = []
    for notification_id in dict.fromkeys(params["ConnectionNotificationIds"]):
        try:
            ctx.uow.delete(_own(ctx, notification_id))
        except errors.AwsError as error:
            failed.append(common.unsuccessful(notification_id, error))
    return {"Unsuccessful": failed}


# --- delivery -----------------------------------------------------------------------
def watching(ctx: Scope, endpoint: VpcEndpoint) -> list[ConnectionNotification]:
    """Notifications on this endpoint (consumer's) and on its service (provider's)."""
    found = [
        n
        for n in ctx.uow.list(ConnectionNotification, parent=endpoint.id)
        if n.vpc_endpoint_id == endpoint.id
    ]
    if endpoint.service_owner != "amazon":
        found += [
            n
            for n in ctx.uow.list(ConnectionNotification, parent=endpoint.service_id)
            if n.service_id == endpoint.service_id
        ]
    return found


def message(
    ctx: Scope,
    endpoint: VpcEndpoint,
    event: lifecycle.Event,
    notification: ConnectionNotification,
) -> str:
    """The SNS Message body: field names follow the VpcEndpointConnection shape."""
    return json.dumps(
        {
            "eventType": event.value,
            "serviceId": endpoint.service_id,
            "serviceName": endpoint.service_name,
            "vpcEndpointId": endpoint.id,
            "vpcEndpointOwner": endpoint.account,
            "vpcEndpointState": endpoint.state,
            "connectionNotificationId": notification.id,
            "connectionNotificationArn": notification.topic_arn,
            "timestamp": common.iso(ctx.now()),
            "region": endpoint.region,
        }
    )


def subject(event: lifecycle.Event) -> str:
    return f"VPC Endpoint Connection Notification: {event.value}"


def source(endpoint: VpcEndpoint, notification: ConnectionNotification) -> tuple[str, str]:
    """(aws:SourceArn, aws:SourceAccount) of a delivery: the watched service or endpoint."""
    if notification.service_id:
        arn = (
            f"arn:aws:ec2:{notification.region}:{notification.account}:"
            f"vpc-endpoint-service/{notification.service_id}"
        )
        return arn, notification.account
    return endpoint.arn, endpoint.account


def publish(ctx: Scope, endpoint: VpcEndpoint, event: lifecycle.Event) -> None:
    """Publish one event to every interested topic (SNS delivers after commit)."""
    for notification in watching(ctx, endpoint):
        if notification.state != "Enabled" or event.value not in notification.events:
            continue
        body = message(ctx, endpoint, event, notification)
        source_arn, source_account = source(endpoint, notification)
        if not _publish_as_service(
            ctx, notification.topic_arn, body, subject(event), source_arn, source_account
        ):
            log.info(
                "%s for %s not delivered to %s (no topic or policy denies %s)",
                event.value,
                endpoint.id,
                notification.topic_arn,
                SERVICE_PRINCIPAL,
            )


def _publish_as_service(
    ctx: Scope, topic_arn: str, body: str, title: str, source_arn: str, source_account: str
) -> bool:
    return bool(
        publish_as_service(
            ctx,
            topic_arn,
            body,
            title,
            principal=SERVICE_PRINCIPAL,
            source_arn=source_arn,
            source_account=source_account,
        )
    )


def forget_endpoint(ctx: Scope, endpoint_id: str) -> None:
    """An endpoint that is gone takes its notifications with it."""
    for n in ctx.uow.list(ConnectionNotification, parent=endpoint_id):
        if n.vpc_endpoint_id == endpoint_id:
            ctx.uow.delete(n)


def forget_service(ctx: Scope, service_id: str) -> None:
    for n in ctx.uow.list(ConnectionNotification, parent=service_id):
        if n.service_id == service_id:
            ctx.uow.delete(n)
