"""Shared ELBv2 wire rules: ARNs, names, tags, Marker/PageSize paging, scoped lookups."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from privlink import errors
from privlink.api import Scope
from privlink.domain import paging
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.store.records import Record

T = TypeVar("T")
ARN_PREFIX = "arn:aws:elasticloadbalancing"
MAX_TAGS = 50
# 1-32 alphanumerics or hyphens, not starting or ending with a hyphen (LBs and target groups).
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_ARN = re.compile(
    r"^arn:aws:elasticloadbalancing:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<type>loadbalancer|targetgroup|listener)/(?P<rest>.+)$"
)


@dataclass(frozen=True)
class ElbArn:
    region: str
    account: str
    resource_type: str  # loadbalancer | targetgroup | listener


def parse_arn(arn: str) -> ElbArn | None:
    match = _ARN.match(arn or "")
    if not match:
        return None
    return ElbArn(match["region"], match["account"], match["type"])


def load_balancer_arn(ctx: Scope, name: str, lb_id: str) -> str:
    return f"{ARN_PREFIX}:{ctx.region}:{ctx.account}:loadbalancer/net/{name}/{lb_id}"


def target_group_arn(ctx: Scope, name: str, tg_id: str) -> str:
    return f"{ARN_PREFIX}:{ctx.region}:{ctx.account}:targetgroup/{name}/{tg_id}"


def listener_arn(lb: LoadBalancer, listener_id: str) -> str:
    return f"{ARN_PREFIX}:{lb.region}:{lb.account}:listener/net/{lb.name}/{lb.lb_id}/{listener_id}"


def check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise errors.ValidationError(
            f"{what} name '{name}' is not valid: it must have 1-32 alphanumeric characters or "
            "hyphens, and must not begin or end with a hyphen"
        )


# --- scoped lookups ---------------------------------------------------------------
def _owned(ctx: Scope, record: Record | None) -> bool:
    return record is not None and record.account == ctx.account and record.region == ctx.region


def require_load_balancer(ctx: Scope, arn: str) -> LoadBalancer:
    lb = ctx.uow.get(LoadBalancer, arn)
    if lb is None or not _owned(ctx, lb):
        raise errors.LoadBalancerNotFound(arn)
    return lb


def require_target_group(ctx: Scope, arn: str) -> TargetGroup:
    tg = ctx.uow.get(TargetGroup, arn)
    if tg is None or not _owned(ctx, tg):
        raise errors.TargetGroupNotFound(arn)
    return tg


def require_listener(ctx: Scope, arn: str) -> Listener:
    listener = ctx.uow.get(Listener, arn)
    if listener is None or not _owned(ctx, listener):
        raise errors.ListenerNotFound(arn)
    return listener


def select(
    items: list[T],
    wanted: list[str] | None,
    key: Callable[[T], str],
    not_found: type[errors.AwsError],
    label: str,
) -> list[T]:
    """Items whose key is in `wanted` (in the caller's order), or all when nothing is asked.

    A missing one fails the whole call, as ELBv2's Describe* do.
    """
    if not wanted:
        return items
    by_key = {key(item): item for item in items}
    missing = [w for w in wanted if w not in by_key]
    if missing:
        raise not_found.because(f"{label} '{', '.join(missing)}' not found")
    return [by_key[w] for w in dict.fromkeys(wanted)]


# --- tags -------------------------------------------------------------------------
def parse_tags(raw: list[dict[str, Any]] | None) -> dict[str, str]:
    """Tags from a request's TagList: no duplicate keys, no aws: prefix."""
    tags: dict[str, str] = {}
    for tag in raw or []:
        key = tag.get("Key", "")
        if key in tags:
            raise errors.DuplicateTagKeys(f"Tag key '{key}' was specified more than once")
        if not key or len(key) > 128 or key.lower().startswith("aws:"):
            raise errors.ValidationError(
                f"Tag key '{key}' is not valid: keys have 1-128 characters and may not begin "
                "with 'aws:'"
            )
        value = tag.get("Value") or ""
        if len(value) > 256:
            raise errors.ValidationError(f"Tag value for key '{key}' exceeds 256 characters")
        tags[key] = value
    check_tag_count(tags)
    return tags


def check_tag_count(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise errors.TooManyTags(
            f"The quota for the number of tags that can be assigned to a resource ({MAX_TAGS}) "
            "has been reached"
        )


def wire_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# --- paging -----------------------------------------------------------------------
def page(
    items: Sequence[T], params: dict[str, Any], key: Callable[[T], str]
) -> tuple[list[T], str | None]:
    """ELBv2's Marker/PageSize (1-400) over an ordered list; errors are ValidationErrors."""
    size = params.get("PageSize")
    if size is not None and not 1 <= size <= 400:
        raise errors.ValidationError(
            f"1 validation error detected: Value '{size}' at 'pageSize' failed to satisfy "
            "constraint: Member must have value between 1 and 400"
        )
    try:
        return paging.page(items, size, params.get("Marker"), key, limits=(1, 400))
    except errors.InvalidPaginationToken as exc:
        raise errors.ValidationError(f"Invalid Marker '{params.get('Marker')}'") from exc
