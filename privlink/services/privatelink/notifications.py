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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.privatelink import queries
from privlink.services.privatelink.records import (
    AWS_OWNER,
    ConnectionNotification,
    Refusal,
    VpcEndpoint,
    iso,
)
from privlink.services.sns.operations import publish_as_service

log = logging.getLogger("privlink.vpce.notifications")

EVENTS = tuple(e.value for e in lifecycle.Event)
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$")
SERVICE_PRINCIPAL = "vpce.amazonaws.com"


@dataclass(frozen=True)
class NotificationSpec:
    """CreateVpcEndpointConnectionNotification: exactly one of service_id / endpoint_id."""

    topic_arn: str
    events: Sequence[str]
    service_id: str | None = None
    endpoint_id: str | None = None


@dataclass(frozen=True)
class NotificationChange:
    """ModifyVpcEndpointConnectionNotification: None leaves a setting as it is."""

    notification_id: str
    topic_arn: str | None = None
    events: Sequence[str] | None = None


def _check_topic(arn: str) -> str:
    if not TOPIC_ARN.match(arn):
        raise errors.InvalidTopicArn(arn)
    return arn


def _check_events(events: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(events))
    if not wanted:
        raise errors.ConnectionEventsRequired()
    for event in wanted:
        if event not in EVENTS:
            raise errors.InvalidConnectionEvent(event, ", ".join(EVENTS))
    return wanted


def create_notification(scope: Scope, spec: NotificationSpec) -> ConnectionNotification:
    if bool(spec.service_id) == bool(spec.endpoint_id):
        raise errors.NotificationTargetRequired()
    if spec.service_id:
        queries.own_service(scope, spec.service_id)
    elif spec.endpoint_id:
        endpoint = queries.own_endpoint(scope, spec.endpoint_id)
        if endpoint.endpoint_type != "Interface":
            raise errors.NotificationNeedsInterfaceEndpoint()
    notification = ConnectionNotification(
        id=scope.new_id("vpce-nfn"),
        account=scope.account,
        region=scope.region,
        topic_arn=_check_topic(spec.topic_arn),
        events=_check_events(spec.events),
        service_id=spec.service_id,
        vpc_endpoint_id=spec.endpoint_id,
    )
    scope.add(notification)
    return notification


def modify_notification(scope: Scope, change: NotificationChange) -> ConnectionNotification:
    notification = scope.require(ConnectionNotification, change.notification_id)
    if change.topic_arn:
        notification.topic_arn = _check_topic(change.topic_arn)
    if change.events is not None:
        notification.events = _check_events(change.events)
    scope.put(notification)
    return notification


def delete_notifications(scope: Scope, notification_ids: Iterable[str]) -> list[Refusal]:
    refused: list[Refusal] = []
    for notification_id in dict.fromkeys(notification_ids):
        found = scope.get(ConnectionNotification, notification_id)
        if found is None:
            refused.append(
                Refusal(notification_id, errors.InvalidConnectionNotification(notification_id))
            )
        else:
            scope.delete(found)
    return refused


# --- delivery -----------------------------------------------------------------------
def watching(scope: Scope, endpoint: VpcEndpoint) -> list[ConnectionNotification]:
    """Notifications on this endpoint (consumer's) and on its service (provider's)."""
    found = [
        n
        for n in scope.uow.list(ConnectionNotification, parent=endpoint.id)
        if n.vpc_endpoint_id == endpoint.id
    ]
    if endpoint.service_owner != AWS_OWNER:
        found += [
            n
            for n in scope.uow.list(ConnectionNotification, parent=endpoint.service_id)
            if n.service_id == endpoint.service_id
        ]
    return found


def message(
    scope: Scope,
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
            "timestamp": iso(scope.now()),
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


def publish(scope: Scope, endpoint: VpcEndpoint, event: lifecycle.Event) -> None:
    """Publish one event to every interested topic (SNS delivers after commit)."""
    for notification in watching(scope, endpoint):
        if notification.state != "Enabled" or event.value not in notification.events:
            continue
        source_arn, source_account = source(endpoint, notification)
        delivered = publish_as_service(
            scope,
            notification.topic_arn,
            message(scope, endpoint, event, notification),
            subject(event),
            principal=SERVICE_PRINCIPAL,
            source_arn=source_arn,
            source_account=source_account,
        )
        if not delivered:
            log.info(
                "%s for %s not delivered to %s (no topic or policy denies %s)",
                event.value,
                endpoint.id,
                notification.topic_arn,
                SERVICE_PRINCIPAL,
            )


def forget_endpoint(scope: Scope, endpoint_id: str) -> None:
    """An endpoint that is gone takes its notifications with it."""
    for n in scope.uow.list(ConnectionNotification, parent=endpoint_id):
        if n.vpc_endpoint_id == endpoint_id:
            scope.uow.delete(n)


def forget_service(scope: Scope, service_id: str) -> None:
    for n in scope.uow.list(ConnectionNotification, parent=service_id):
        if n.service_id == service_id:
            scope.uow.delete(n)
