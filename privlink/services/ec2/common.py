"""Transitional re-exports for callers outside EC2 (PrivateLink) still importing `common`.

`common` used to mix five concerns; they now live in `ids` (id forms),
`resource_kinds` (what an id prefix names), `tag_wire` (TagSpecifications and
Tags), `security.queries` (group names) and `privlink.services.shared.idempotency`
(ClientToken). New code imports those; this module goes once nothing imports it.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.ids import check_id, split_id
from privlink.services.ec2.tag_wire import check as check_tags
from privlink.services.ec2.tag_wire import for_type as tags_for
from privlink.services.ec2.tag_wire import wire as wire_tags
from privlink.services.shared.idempotency import remember_token, replayed
from privlink.store.records import Record

__all__ = [
    "check_id",
    "check_tags",
    "remember_token",
    "replayed",
    "require",
    "split_id",
    "tags_for",
    "wire_tags",
]


def require(
    ctx: Scope, cls: type[Record], record_id: str, not_found: type[errors.AwsError], label: str
) -> Any:
    """Old signature of `Scope.require` (the kind's own NotFound error is used)."""
    return ctx.require(cls, record_id)
