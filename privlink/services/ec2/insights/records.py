"""Network insights paths and their analyses, as the store keeps them.

An analysis keeps its answer in wire form (PathComponent and Explanation dicts) because
it is computed once, by the insights controller, and only ever shown after that.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from privlink import errors
from privlink.services.ec2.records import Tagged


class NetworkInsightsPath(Tagged):
    kind = "network-insights-path"
    not_found = errors.InvalidNetworkInsightsPathIdNotFound
    source: str
    destination: str | None = None
    source_ip: str | None = None
    destination_ip: str | None = None
    protocol: str = "tcp"
    destination_port: int | None = None
    filter_at_source: dict[str, Any] | None = None
    filter_at_destination: dict[str, Any] | None = None
    created: str

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:network-insights-path/{self.id}"


class NetworkInsightsAnalysis(Tagged):
    kind = "network-insights-analysis"
    not_found = errors.InvalidNetworkInsightsAnalysisIdNotFound
    path_id: str
    status: str = "running"  # running -> succeeded | failed (the insights controller)
    status_message: str | None = None
    started: str
    path_found: bool | None = None
    forward: list[dict[str, Any]] = Field(default_factory=list)
    back: list[dict[str, Any]] = Field(default_factory=list)
    explanations: list[dict[str, Any]] = Field(default_factory=list)
    blocked_at: str = ""  # the component that stopped the packet (the topology page)
    additional_accounts: list[str] = Field(default_factory=list)
    filter_in_arns: list[str] = Field(default_factory=list)
    filter_out_arns: list[str] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.path_id

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:network-insights-analysis/{self.id}"

    def path_ids(self) -> list[str]:
        """The ids of the components on the path (forward and back), in order."""
        seen = [c["Component"]["Id"] for c in self.forward + self.back if c.get("Component")]
        return list(dict.fromkeys(seen))
