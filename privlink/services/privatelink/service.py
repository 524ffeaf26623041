"""PrivateLink's part of the EC2 API: its handler modules and record kinds.

PrivateLink operations are EC2 operations on the wire (botocore's "ec2"
model), so the EC2 service declaration serves these modules beside its own.
"""

from __future__ import annotations

from types import ModuleType

from privlink.services.privatelink.handlers import consumer, notifications, provider
from privlink.services.privatelink.records import (
    ConnectionNotification,
    EndpointService,
    ServicePermission,
    VpcEndpoint,
)
from privlink.store.records import Record

MODULES: tuple[ModuleType, ...] = (consumer, provider, notifications)
RECORDS: tuple[type[Record], ...] = (
    VpcEndpoint,
    EndpointService,
    ServicePermission,
    ConnectionNotification,
)
