"""Every state change of an endpoint: the state machine's moves, stored and announced.

The rules (which trigger moves which state where, which events it raises)
are the table in privlink.domain.endpoint_lifecycle; this module applies a
move to a record, stamps the time, and publishes the connection events the
move raises. Operations (consumer, provider) and the endpoint controller
change states only through `move` and the system steps below, so no state
change ever skips its notification.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.domain.endpoint_lifecycle import (
    Event,
    IllegalTransition,
    State,
    Transition,
    Trigger,
    allowed,
    carries_traffic,
    is_connected,
    transition,
)
from privlink.services.privatelink import interfaces, notifications, private_dns
from privlink.services.privatelink.records import VpcEndpoint, iso

__all__ = [
    "Event",
    "IllegalTransition",
    "State",
    "Transition",
    "Trigger",
    "allowed",
    "carries_traffic",
    "forget",
    "is_connected",
    "move",
    "provisioned",
    "provisioning_failed",
    "tear_down",
]


def move(scope: Scope, endpoint: VpcEndpoint, trigger: Trigger) -> Transition:
    """Apply a transition, store it, and publish the events it raises.

    An endpoint without a state is new: the transition creates it. Raises
    IllegalTransition; operations check `allowed` first where AWS answers an error.
    """
    current = endpoint.state or None
    step = transition(current, trigger)
    endpoint.state = step.target.value
    endpoint.state_since = iso(scope.now())
    if current is None:
        scope.add(endpoint)
    else:
        scope.put(endpoint)
    for event in step.events:
        notifications.publish(scope, endpoint, event)
    return step


# --- system steps (the endpoint controller's) ------------------------------------------
def provisioned(scope: Scope, endpoint: VpcEndpoint) -> None:
    """pending -> available: the endpoint carries traffic."""
    endpoint.last_error_code = endpoint.last_error_message = None
    move(scope, endpoint, Trigger.PROVISIONED)


def provisioning_failed(scope: Scope, endpoint: VpcEndpoint, code: str, reason: str) -> None:
    """pending -> failed, with the LastError a user reads."""
    endpoint.last_error_code = code
    endpoint.last_error_message = reason
    move(scope, endpoint, Trigger.PROVISION_FAILED)


def tear_down(scope: Scope, endpoint: VpcEndpoint) -> None:
    """deleting -> deleted: its interfaces (and their addresses) and private names go."""
    for eni_id in endpoint.interfaces.values():
        interfaces.delete(scope.uow, eni_id)
    endpoint.interfaces = {}
    private_dns.release(scope, endpoint)
    move(scope, endpoint, Trigger.TORN_DOWN)


def forget(scope: Scope, endpoint: VpcEndpoint) -> None:
    """deleted -> gone: the record and the notifications watching it."""
    notifications.forget_endpoint(scope, endpoint.id)
    scope.delete(endpoint)
