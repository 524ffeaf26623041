"""The vocabulary the Terraform call sequences are written in (data, not behaviour).

A `Step` is one API call the AWS provider makes, with the parameters it sends (templates
over values saved from earlier answers: `${vpc_id}`) and what the provider does with the
answer: `CALL` needs a success; `WAIT` polls like the provider's StateChangeConf (pending
states go on, a target state ends it, any other state is an error, and not-found ends it
only when the target list is empty); `GONE` is a read the provider takes as "no longer
exists" (one of the not-found error codes, an empty list, or a gone state); `ACCEPTS` is a
call whose not-found answer the provider also takes (existence probes, idempotent deletes);
`TOLERATED` is a call whose failure the provider only logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CALL, WAIT, GONE, ACCEPTS, TOLERATED = "call", "wait", "gone", "accepts", "tolerated"
PHASES = ("create", "read", "update", "delete", "refresh_gone")


@dataclass(frozen=True)
class Step:
    operation: str  # the API operation, as botocore names it
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = CALL
    service: str = "ec2"
    account: str = "provider"  # or "consumer": the other account of a cross-account setup
    save: dict[str, str] = field(default_factory=dict)  # variable -> JMESPath into the answer
    expect: dict[str, Any] = field(default_factory=dict)  # JMESPath -> value the provider reads
    state: str = ""  # WAIT / GONE: JMESPath to the state the provider's status func returns
    pending: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    gone_states: tuple[str, ...] = ()  # states the provider's finder turns into not-found
    not_found: tuple[str, ...] = ()  # error codes the provider turns into not-found
    empty: str = ""  # JMESPath whose empty value the provider turns into not-found
    why: str = ""  # the provider function making the call and what it needs


@dataclass(frozen=True)
class Resource:
    """One Terraform resource type: its calls per phase, and the resources it needs first
    (created with their own create phase, deleted afterwards with their delete phase)."""

    name: str
    source: str  # provider file(s) read, with commit
    needs: tuple[str, ...] = ()
    create: tuple[Step, ...] = ()
    read: tuple[Step, ...] = ()
    update: tuple[Step, ...] = ()
    delete: tuple[Step, ...] = ()
    refresh_gone: tuple[Step, ...] = ()  # the refresh after the resource was deleted

    def phase(self, name: str) -> tuple[Step, ...]:
        steps: tuple[Step, ...] = getattr(self, name)
        return steps


def tags(name: str) -> list[dict[str, Any]]:
    """The TagSpecifications the provider sends for tag-on-create (`tags = {Name = ...}`)."""
    return [{"ResourceType": name, "Tags": [{"Key": "Name", "Value": "tf-${unique}"}]}]
