"""VPC Flow Logs' part of the EC2 API: its handler module and record kind, served by the
EC2 service declaration beside its own (as PrivateLink's and Client VPN's are)."""

from __future__ import annotations

from types import ModuleType

from privlink.services.ec2.flowlogs import handlers
from privlink.services.ec2.flowlogs.records import FlowLog
from privlink.store.records import Record

MODULES: tuple[ModuleType, ...] = (handlers,)
RECORDS: tuple[type[Record], ...] = (FlowLog,)
