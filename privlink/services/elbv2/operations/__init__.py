"""ELBv2 operations: typed calls that decide and write, for handlers, other services and
controllers alike."""

from privlink.services.elbv2.operations.targets import set_target_health

__all__ = ["set_target_health"]
