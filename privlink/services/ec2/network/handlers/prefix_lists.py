"""Prefix list handlers: DescribePrefixLists, DescribeManagedPrefixLists,
GetManagedPrefixListEntries over the region's AWS-managed lists.

Customer-managed lists (CreateManagedPrefixList ...) are not kept; their
operations stay NotImplemented rather than pretend.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.domain import filters
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.network import prefix_lists
from privlink.services.ec2.network.prefix_lists import ManagedPrefixList
from privlink.services.shared.describe import narrow

FILTERS: dict[str, filters.Getter] = {
    "prefix-list-id": lambda p: p.prefix_list_id,
    "prefix-list-name": lambda p: p.name,
}
MANAGED_FILTERS: dict[str, filters.Getter] = {**FILTERS, "owner-id": lambda p: prefix_lists.OWNER}


def _chosen(ctx: Context, ids: Sequence[str] | None) -> list[ManagedPrefixList]:
    known = prefix_lists.managed_lists(ctx.region)
    wanted = list(dict.fromkeys(ids or []))
    for prefix_list_id in wanted:
        check_id(prefix_list_id, "pl", errors.InvalidPrefixListIdMalformed)
    missing = [i for i in wanted if prefix_lists.by_id(ctx.region, i) is None]
    if missing:
        raise errors.InvalidPrefixListIDNotFound(*missing)
    return [p for p in known if p.prefix_list_id in wanted] if wanted else known


def _no_tags(item: Any) -> dict[str, str]:
    return {}


@handles("DescribePrefixLists")
def describe_prefix_lists(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chosen = _chosen(ctx, params.get("PrefixListIds"))
    chunk, token = narrow(chosen, params, FILTERS, lambda p: p.prefix_list_id, _no_tags)
    return {
        "PrefixLists": [
            {"Cidrs": list(p.cidrs), "PrefixListId": p.prefix_list_id, "PrefixListName": p.name}
            for p in chunk
        ],
        "NextToken": token,
    }


def wire_managed(prefix_list: ManagedPrefixList) -> dict[str, Any]:
    """As AWS shows its own lists: no MaxEntries or Version, owner "AWS", no tags."""
    return {
        "PrefixListId": prefix_list.prefix_list_id,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": prefix_list.arn,
        "PrefixListName": prefix_list.name,
        "Tags": [],
        "OwnerId": prefix_lists.OWNER,
    }


@handles("DescribeManagedPrefixLists")
def describe_managed_prefix_lists(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chosen = _chosen(ctx, params.get("PrefixListIds"))
    chunk, token = narrow(
        chosen, params, MANAGED_FILTERS, lambda p: p.prefix_list_id, _no_tags, (1, 100)
    )
    return {"PrefixLists": [wire_managed(p) for p in chunk], "NextToken": token}


@handles("GetManagedPrefixListEntries")
def get_managed_prefix_list_entries(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    (prefix_list,) = _chosen(ctx, [params["PrefixListId"]])
    entries = [{"Cidr": cidr} for cidr in prefix_list.cidrs]
    query = {**params, "Filters": None}
    chunk, token = narrow(entries, query, {}, lambda e: e["Cidr"], _no_tags, (1, 100))
    return {"Entries": chunk, "NextToken": token}
