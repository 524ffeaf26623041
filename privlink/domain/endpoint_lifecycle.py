"""The interface VPC endpoint lifecycle as an explicit state machine.

Every state change of an endpoint goes through `transition()`, so the rules
("a provider may reject an available endpoint", "only pendingAcceptance can be
accepted", "deleted is terminal") live in one table instead of being spread
over handlers and the reconciler. A transition also says which connection
notification events it raises; the caller publishes them.

States are the camelCase wire values AWS returns for interface endpoints
(the model enum is PascalCase, the service is not). Gateway endpoints use
the same machine with only create -> available and delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    PENDING_ACCEPTANCE = "pendingAcceptance"
    PENDING = "pending"
    AVAILABLE = "available"
    REJECTED = "rejected"
    EXPIRED = "expired"
    FAILED = "failed"
    DELETING = "deleting"
    DELETED = "deleted"


class Event(StrEnum):
    """Connection notification events (ConnectionEvents values)."""

    CONNECT = "Connect"
    ACCEPT = "Accept"
    REJECT = "Reject"
    DELETE = "Delete"


class Trigger(StrEnum):
    """What happened. Actor in brackets."""

    REQUEST = "request"  # CreateVpcEndpoint against a service requiring acceptance [consumer]
    REQUEST_AUTO = "request-auto"  # CreateVpcEndpoint against an auto-accept service [consumer]
    CREATE_GATEWAY = "create-gateway"  # Gateway endpoints are usable at once [consumer]
    ACCEPT = "accept"  # AcceptVpcEndpointConnections [provider]
    REJECT = "reject"  # RejectVpcEndpointConnections [provider]
    PROVISIONED = "provisioned"  # the endpoint carries traffic [system]
    PROVISION_FAILED = "provision-failed"  # it never will [system]
    MODIFY = "modify"  # ModifyVpcEndpoint re-provisions [consumer]
    EXPIRE = "expire"  # a request nobody answered [system]
    DELETE = "delete"  # DeleteVpcEndpoints [consumer]
    TORN_DOWN = "torn-down"  # interfaces and DNS are gone [system]


class IllegalTransition(Exception):
    def __init__(self, state: State | None, trigger: Trigger) -> None:
        super().__init__(f"cannot {trigger.value} an endpoint in state {state}")
        self.state = state
        self.trigger = trigger


_LIVE = (
    State.PENDING_ACCEPTANCE,
    State.PENDING,
    State.AVAILABLE,
    State.REJECTED,
    State.EXPIRED,
    State.FAILED,
)

# (from, trigger) -> to. `None` is "does not exist yet".
TRANSITIONS: dict[tuple[State | None, Trigger], State] = {
    (None, Trigger.REQUEST): State.PENDING_ACCEPTANCE,
    (None, Trigger.REQUEST_AUTO): State.PENDING,
    (None, Trigger.CREATE_GATEWAY): State.AVAILABLE,
    (State.PENDING_ACCEPTANCE, Trigger.ACCEPT): State.PENDING,
    # Not documented either way; accepting a rejected request is what the console offers.
    (State.REJECTED, Trigger.ACCEPT): State.PENDING,
    (State.PENDING_ACCEPTANCE, Trigger.REJECT): State.REJECTED,
    (State.PENDING, Trigger.REJECT): State.REJECTED,
    (State.AVAILABLE, Trigger.REJECT): State.REJECTED,
    (State.PENDING, Trigger.PROVISIONED): State.AVAILABLE,
    (State.PENDING, Trigger.PROVISION_FAILED): State.FAILED,
    (State.AVAILABLE, Trigger.MODIFY): State.PENDING,
    (State.PENDING, Trigger.MODIFY): State.PENDING,
    (State.PENDING_ACCEPTANCE, Trigger.EXPIRE): State.EXPIRED,
    **{(state, Trigger.DELETE): State.DELETING for state in _LIVE},
    (State.DELETING, Trigger.TORN_DOWN): State.DELETED,
}

# Events raised by a trigger. An auto-accepted request is both a connection
# request and its acceptance (emulator choice; see docs/privatelink-behaviour.md).
EVENTS: dict[Trigger, tuple[Event, ...]] = {
    Trigger.REQUEST: (Event.CONNECT,),
    Trigger.REQUEST_AUTO: (Event.CONNECT, Event.ACCEPT),
    Trigger.ACCEPT: (Event.ACCEPT,),
    Trigger.REJECT: (Event.REJECT,),
    Trigger.DELETE: (Event.DELETE,),
}


@dataclass(frozen=True)
class Transition:
    source: State | None
    target: State
    trigger: Trigger
    events: tuple[Event, ...]


def transition(state: State | str | None, trigger: Trigger) -> Transition:
    """The move `trigger` causes from `state`, or IllegalTransition."""
    source = State(state) if state is not None else None
    target = TRANSITIONS.get((source, trigger))
    if target is None:
        raise IllegalTransition(source, trigger)
    return Transition(source, target, trigger, EVENTS.get(trigger, ()))


def allowed(state: State | str | None, trigger: Trigger) -> bool:
    source = State(state) if state is not None else None
    return (source, trigger) in TRANSITIONS


def is_connected(state: State | str) -> bool:
    """Blocks deleting the endpoint service (AWS: available or pendingAcceptance)."""
    return State(state) in (State.AVAILABLE, State.PENDING_ACCEPTANCE, State.PENDING)


def carries_traffic(state: State | str) -> bool:
    return State(state) == State.AVAILABLE
