"""SNS names: topic and subscription ARNs (the records' ids) and fresh UUID-form ids."""

from __future__ import annotations

import re

from privlink import errors
from privlink.api import Scope

_TOPIC_ARN = re.compile(r"^arn:aws:sns:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):(?P<name>[^:]+)$")
_SUBSCRIPTION_ARN = re.compile(r"^arn:aws:sns:[a-z0-9-]+:\d{12}:[^:]+:[0-9a-f-]{36}$")


def topic(scope: Scope, name: str) -> str:
    return f"arn:aws:sns:{scope.region}:{scope.account}:{name}"


def uuid_like(scope: Scope) -> str:
    """A fresh id in UUID form (message ids, subscription ARN suffixes), from scope.hexid."""
    h = scope.hexid(32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def check_topic(arn: str, member: str = "TopicArn") -> re.Match[str]:
    match = _TOPIC_ARN.match(arn or "")
    if not match:
        raise errors.SnsInvalidParameter(member)
    return match


def check_subscription(arn: str) -> None:
    if _SUBSCRIPTION_ARN.match(arn or ""):
        return
    parts = len((arn or "").split(":"))
    if parts < 6:
        raise errors.SnsInvalidParameterReason(
            "SubscriptionArn", f"An ARN must have at least 6 elements, not {parts}"
        )
    raise errors.SnsInvalidParameter("SubscriptionArn")
