"""SNS operations: typed calls that decide and write, for handlers and other services."""

from privlink.services.sns.operations.publishing import publish_as_service

__all__ = ["publish_as_service"]
