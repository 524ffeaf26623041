"""Tags on topics (owner only), in SNS's error vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from privlink import errors
from privlink.api import Scope
from privlink.services.shared import tags
from privlink.services.sns import arns
from privlink.services.sns.records import Topic

TAG_ERRORS = tags.TagErrors(
    bad_key=errors.SnsInvalidTag,
    bad_value=errors.SnsInvalidTag,
    too_many=lambda _count: errors.SnsTagLimitExceeded(),
    duplicate=lambda _key: errors.SnsDuplicateTagKeys(),
)


def owned_topic(scope: Scope, arn: str) -> Topic:
    """The caller's own topic: only the owner tags or reads tags."""
    match = arns.check_topic(arn, "ResourceArn")
    topic = scope.foreign(Topic, arn) if match["region"] == scope.region else None
    if topic is None:
        raise errors.SnsResourceNotFound()
    if topic.account != scope.account:
        raise errors.NotAuthorizedToTag(scope.account, arn)
    return topic


def tag_resource(scope: Scope, arn: str, added: Mapping[str, str]) -> None:
    topic = owned_topic(scope, arn)
    merged = {**topic.tags, **added}
    tags.check(merged, TAG_ERRORS)
    topic.tags = merged
    scope.put(topic)


def untag_resource(scope: Scope, arn: str, keys: Iterable[str]) -> None:
    topic = owned_topic(scope, arn)
    gone = set(keys)
    topic.tags = {k: v for k, v in topic.tags.items() if k not in gone}
    scope.put(topic)
