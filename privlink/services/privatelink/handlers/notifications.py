"""Handlers of the connection-notification operations.

CreateVpcEndpointConnectionNotification, DescribeVpcEndpointConnectionNotifications,
ModifyVpcEndpointConnectionNotification, DeleteVpcEndpointConnectionNotifications.
Delivery is not a handler's business: privatelink.notifications publishes
on every lifecycle move.
"""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles
from privlink.services.privatelink import notifications
from privlink.services.privatelink.handlers import wire
from privlink.services.privatelink.records import ConnectionNotification
from privlink.services.shared import idempotency
from privlink.services.shared.describe import Describe

CREATE = "CreateVpcEndpointConnectionNotification"


@handles("CreateVpcEndpointConnectionNotification")
def create_vpc_endpoint_connection_notification(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    token = params.get("ClientToken")
    previous = idempotency.replayed(ctx, CREATE, params)
    if previous:
        made = ctx.require(ConnectionNotification, previous)
        return {"ConnectionNotification": wire.notification(made), "ClientToken": token}
    made = notifications.create_notification(
        ctx,
        notifications.NotificationSpec(
            topic_arn=params["ConnectionNotificationArn"],
            events=params.get("ConnectionEvents") or [],
            service_id=params.get("ServiceId"),
            endpoint_id=params.get("VpcEndpointId"),
        ),
    )
    idempotency.remember_token(ctx, CREATE, params, made.id)
    return {"ConnectionNotification": wire.notification(made), "ClientToken": token}


NOTIFICATIONS = Describe(
    ConnectionNotification,
    {
        "connection-notification-arn": lambda n: n.topic_arn,
        "connection-notification-id": lambda n: n.id,
        "connection-notification-state": lambda n: n.state,
        "connection-notification-type": lambda n: "Topic",
        "service-id": lambda n: n.service_id,
        "vpc-endpoint-id": lambda n: n.vpc_endpoint_id,
    },
    limits=(1, 1000),
    tags=lambda n: {},
)


@handles("DescribeVpcEndpointConnectionNotifications")
def describe_vpc_endpoint_connection_notifications(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    wanted = params.get("ConnectionNotificationId")
    chunk, token = NOTIFICATIONS.page(ctx, [wanted] if wanted else None, params)
    return {"ConnectionNotificationSet": [wire.notification(n) for n in chunk], "NextToken": token}


@handles("ModifyVpcEndpointConnectionNotification")
def modify_vpc_endpoint_connection_notification(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    notifications.modify_notification(
        ctx,
        notifications.NotificationChange(
            notification_id=params["ConnectionNotificationId"],
            topic_arn=params.get("ConnectionNotificationArn"),
            events=params.get("ConnectionEvents"),
        ),
    )
    return {"ReturnValue": True}


@handles("DeleteVpcEndpointConnectionNotifications")
def delete_vpc_endpoint_connection_notifications(
    ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    refused = notifications.delete_notifications(ctx, params["ConnectionNotificationIds"])
    return {"Unsuccessful": wire.unsuccessful(refused)}
