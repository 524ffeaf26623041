"""EC2's tag wire forms, on the shared tag rules: TagSpecifications in, Tags/TagSet out.

Create* operations take their tags as TagSpecifications naming a resource
type; a type the operation cannot tag is refused, as on AWS. Shapes show
tags as a [{Key, Value}] list, sent empty when there are none.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from privlink import errors
from privlink.services.shared import tags as shared

EC2_TAG_ERRORS = shared.TagErrors(
    bad_key=errors.InvalidTagKey,
    bad_value=errors.InvalidTagValue,
    too_many=lambda count: errors.TagsPerResourceExceeded(),
)


def check(tags: Mapping[str, str]) -> None:
    shared.check(tags, EC2_TAG_ERRORS)


def wire(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The Tags/TagSet member: present and empty when there are none, as EC2 sends it for
    VPCs, route tables, gateways, endpoints ... (boto3 then gives "Tags": [])."""
    return shared.to_list(tags)


def by_type(params: Mapping[str, Any], allowed: Collection[str]) -> dict[str, dict[str, str]]:
    """Tags from TagSpecifications per resource type; a type the operation cannot tag is an error.

    RunInstances tags an instance and its interfaces from one request, so
    specifications are grouped by type rather than merged.
    """
    found: dict[str, dict[str, str]] = {}
    for spec in params.get("TagSpecifications") or []:
        spec_type = spec.get("ResourceType")
        if spec_type not in allowed:
            raise errors.InvalidTaggableType(str(spec_type))
        tags = found.setdefault(spec_type, {})
        for tag in spec.get("Tags") or []:
            tags[tag.get("Key", "")] = tag.get("Value") or ""
    for tags in found.values():
        check(tags)
    return found


def for_type(params: Mapping[str, Any], resource_type: str) -> dict[str, str]:
    """Tags from TagSpecifications for one resource type (others are an error, as on AWS)."""
    return by_type(params, {resource_type}).get(resource_type, {})
