"""The endpoint state machine: legal moves, illegal ones, and the events they raise."""

from __future__ import annotations

import pytest

from privlink.domain.endpoint_lifecycle import (
    Event,
    IllegalTransition,
    State,
    Trigger,
    allowed,
    is_connected,
    transition,
)


def test_creation_depends_on_acceptance():
    manual = transition(None, Trigger.REQUEST)
    assert manual.target == State.PENDING_ACCEPTANCE
    assert manual.events == (Event.CONNECT,)
    auto = transition(None, Trigger.REQUEST_AUTO)
    assert auto.target == State.PENDING
    assert auto.events == (Event.CONNECT, Event.ACCEPT)
    assert transition(None, Trigger.CREATE_GATEWAY).target == State.AVAILABLE


def test_provider_decisions():
    assert transition("pendingAcceptance", Trigger.ACCEPT).target == State.PENDING
    assert transition("pendingAcceptance", Trigger.REJECT).events == (Event.REJECT,)
    assert transition("available", Trigger.REJECT).target == State.REJECTED
    assert transition("rejected", Trigger.ACCEPT).target == State.PENDING
    assert not allowed("available", Trigger.ACCEPT)
    assert not allowed("rejected", Trigger.REJECT)


def test_system_steps_and_deletion():
    assert transition("pending", Trigger.PROVISIONED).target == State.AVAILABLE
    assert transition("pending", Trigger.PROVISION_FAILED).target == State.FAILED
    assert transition("available", Trigger.MODIFY).target == State.PENDING
    for state in ("pendingAcceptance", "pending", "available", "rejected", "failed", "expired"):
        step = transition(state, Trigger.DELETE)
        assert step.target == State.DELETING and step.events == (Event.DELETE,)
    assert transition("deleting", Trigger.TORN_DOWN).target == State.DELETED
    with pytest.raises(IllegalTransition):
        transition("deleted", Trigger.DELETE)
    with pytest.raises(IllegalTransition):
        transition("deleting", Trigger.ACCEPT)


def test_connected_states_block_service_deletion():
    assert is_connected("available") and is_connected("pendingAcceptance")
    assert not is_connected("rejected") and not is_connected("deleted")
