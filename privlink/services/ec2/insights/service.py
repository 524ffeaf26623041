"""Reachability Analyzer's part of the EC2 API: its handler modules and record kinds,
served by the EC2 service declaration beside its own (as PrivateLink's are)."""

from __future__ import annotations

from types import ModuleType

from privlink.services.ec2.insights import handlers
from privlink.services.ec2.insights.records import NetworkInsightsAnalysis, NetworkInsightsPath
from privlink.store.records import Record

MODULES: tuple[ModuleType, ...] = (handlers,)
RECORDS: tuple[type[Record], ...] = (NetworkInsightsPath, NetworkInsightsAnalysis)
