"""Shared EC2 wire helpers: tags, tag specifications, id validation, lookups."""

from __future__ import annotations

import re
from typing import Any

from privlink import errors
from privlink.server.context import Context
from privlink.services.ec2.records import Tagged
from privlink.store.records import Record


def wire_tags(tags: dict[str, str]) -> list[dict[str, str]] | None:
    return [{"Key": k, "Value": v} for k, v in tags.items()] or None


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > 50:
        raise errors.TagLimitExceeded("The maximum number of tags per resource is 50.")
    for key, value in tags.items():
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise errors.InvalidParameterValue(
                f"Tag key '{key}' is invalid: keys must be 1-128 characters and may not "
                "begin with 'aws:'."
            )
        if len(value) > 256:
            raise errors.InvalidParameterValue(f"Tag value for key '{key}' exceeds 256 characters.")


def tags_for(params: dict[str, Any], resource_type: str) -> dict[str, str]:
    """Tags from TagSpecifications for one resource type (others are an error, as on AWS)."""
    tags: dict[str, str] = {}
    for spec in params.get("TagSpecifications") or []:
        spec_type = spec.get("ResourceType")
        if spec_type != resource_type:
            raise errors.InvalidParameterValue(
                f"'{spec_type}' is not a valid taggable resource type for this operation."
            )
        for tag in spec.get("Tags") or []:
            tags[tag.get("Key", "")] = tag.get("Value", "")
    check_tags(tags)
    return tags


_ID = re.compile(r"^[a-z]+(-[a-z]+)?-([0-9a-f]{8}|[0-9a-f]{17})$")


def check_id(value: str, prefix: str, malformed: type[errors.AwsError]) -> None:
    if not value.startswith(prefix + "-") or not _ID.match(value):
        raise malformed(f"Invalid id: \"{value}\" (expecting \"{prefix}-...\")")


def require(
    ctx: Context,
    cls: type[Record],
    record_id: str,
    not_found: type[errors.AwsError],
    label: str,
) -> Any:
    """A record of the caller's account and region, or the kind's NotFound error."""
    record = ctx.uow.get(cls, record_id)
    if record is None or record.account != ctx.account or record.region != ctx.region:
        raise not_found(f"The {label} '{record_id}' does not exist")
    return record


def scoped(ctx: Context, cls: type[Record], ids: list[str] | None, not_found: type[errors.AwsError],
           label: str) -> list[Any]:
    """All records of a kind in scope, or exactly the ids asked for (all must exist)."""
    items = ctx.uow.list(cls, ctx.account, ctx.region)
    if not ids:
        return items
    by_id = {item.id: item for item in items}
    missing = [i for i in ids if i not in by_id]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        quoted = ", ".join(f"'{m}'" for m in missing)
        raise not_found(f"The {label}{plural} {quoted} do{'es' if not plural else ''} not exist")
    return [by_id[i] for i in dict.fromkeys(ids)]


def set_tags(record: Tagged, tags: dict[str, str]) -> None:
    merged = {**record.tags, **tags}
    check_tags(merged)
    record.tags = merged
