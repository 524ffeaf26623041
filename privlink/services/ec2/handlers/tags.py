"""CreateTags, DeleteTags, DescribeTags over every kind in `resource_kinds.RESOURCE_KINDS`.

A request names resources of mixed kinds; the call is one transaction, so
one unknown id fails it and tags nothing (as on AWS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from privlink.api import Context, Scope, handles
from privlink.domain import filters
from privlink.services.ec2 import resource_kinds, tag_wire
from privlink.services.shared.describe import narrow


def change_tags(
    scope: Scope, resource_ids: Sequence[str], change: Callable[[dict[str, str]], None]
) -> None:
    """Apply a change to each resource's tags; any error rolls the whole call back."""
    for resource_id in dict.fromkeys(resource_ids):
        record, tags = resource_kinds.locate(scope, resource_id)[1]
        change(tags)
        tag_wire.check(tags)
        scope.put(record)


@handles("CreateTags")
def create_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    new = {t.get("Key", ""): t.get("Value") or "" for t in params["Tags"]}
    tag_wire.check(new)
    change_tags(ctx, params["Resources"], lambda tags: tags.update(new))
    return {}


def _without(wanted: list[dict[str, Any]] | None) -> Callable[[dict[str, str]], None]:
    def change(tags: dict[str, str]) -> None:
        if wanted is None:
            tags.clear()
            return
        for tag in wanted:
            key, value = tag.get("Key", ""), tag.get("Value")
            if key in tags and (value is None or tags[key] == value):
                del tags[key]

    return change


@handles("DeleteTags")
def delete_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """No Tags removes all; a Key alone, whatever its value; a Key and Value, only if equal."""
    change_tags(ctx, params["Resources"], _without(params.get("Tags")))
    return {}


@dataclass(frozen=True)
class TagRow:
    resource_id: str
    resource_type: str
    key: str
    value: str


FILTERS: dict[str, filters.Getter] = {
    "key": lambda row: row.key,
    "value": lambda row: row.value,
    "resource-id": lambda row: row.resource_id,
    "resource-type": lambda row: row.resource_type,
}


def _rows(scope: Scope) -> list[TagRow]:
    rows: list[TagRow] = []
    for kind in resource_kinds.RESOURCE_KINDS.values():
        for resource_id, (_record, tags) in kind.tagged(scope):
            rows += [TagRow(resource_id, kind.resource_type, k, v) for k, v in tags.items()]
    return sorted(rows, key=lambda row: (row.resource_id, row.key))


@handles("DescribeTags")
def describe_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    # tag:KEY on DescribeTags selects the tag entries KEY=VALUE themselves.
    chunk, token = narrow(
        _rows(ctx),
        params,
        FILTERS,
        lambda row: f"{row.resource_id} {row.key}",
        tags=lambda row: {row.key: row.value},
    )
    return {
        "Tags": [
            {
                "Key": row.key,
                "ResourceId": row.resource_id,
                "ResourceType": row.resource_type,
                "Value": row.value,
            }
            for row in chunk
        ],
        "NextToken": token,
    }
