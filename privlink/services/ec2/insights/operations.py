"""Network insights paths and analyses: decide and write.

A path names what to ask (source, destination, protocol, port); an analysis starts
`running` and is answered by the insights controller (reconcile/insights.py), which
builds the data-plane plan, runs the analyzer over it and calls `finish` (or `fail`).
Sources and destinations are the caller's own resources, checked when the path is
made: instances, network interfaces, internet gateways, VPC endpoints (by id or ARN).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.dataplane.analysis import Flow, Verdict
from privlink.services.ec2.ids import split_id
from privlink.services.ec2.insights import wire
from privlink.services.ec2.insights.records import NetworkInsightsAnalysis, NetworkInsightsPath
from privlink.services.ec2.records import Instance, InternetGateway, NetworkInterface
from privlink.services.ec2.resource_kinds import RESOURCE_KINDS
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.records import Record

KINDS: dict[str, type[Record]] = {
    "i": Instance,
    "eni": NetworkInterface,
    "igw": InternetGateway,
    "vpce": VpcEndpoint,
}


@dataclass(frozen=True)
class PathSpec:
    source: str
    protocol: str
    destination: str | None = None
    source_ip: str | None = None
    destination_ip: str | None = None
    destination_port: int | None = None
    filter_at_source: dict[str, Any] | None = None
    filter_at_destination: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisSpec:
    path_id: str
    additional_accounts: tuple[str, ...] = ()
    filter_in_arns: tuple[str, ...] = ()
    filter_out_arns: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)


def resource_id(value: str) -> str:
    """An id given as itself or as an ARN (arn:aws:ec2:...:instance/i-...)."""
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def _check_resource(scope: Scope, value: str, member: str) -> str:
    found = resource_id(value)
    kind = KINDS.get(found.split("-", 1)[0])
    if kind is None or found.startswith("vpce-svc-"):
        raise errors.InvalidParameterValue.because(
            f"The {member} '{value}' is not a supported resource type."
        )
    scope.require(kind, found)
    return found


def _check_ip(value: str | None, member: str) -> None:
    if value is None:
        return
    parts = value.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise errors.InvalidParameterValue.because(f"Invalid {member}: '{value}'")


def create_path(scope: Scope, spec: PathSpec) -> NetworkInsightsPath:
    if spec.protocol not in ("tcp", "udp"):
        raise errors.InvalidParameterValue.because(
            f"Value ({spec.protocol}) for parameter Protocol is invalid. "
            "Valid values are: tcp, udp."
        )
    source = _check_resource(scope, spec.source, "Source")
    destination = (
        _check_resource(scope, spec.destination, "Destination") if spec.destination else None
    )
    _check_ip(spec.source_ip, "SourceIp")
    _check_ip(spec.destination_ip, "DestinationIp")
    if destination is None and spec.destination_ip is None:
        raise errors.InvalidParameterCombination.because(
            "Either Destination or DestinationIp must be specified."
        )
    if spec.destination_port is not None and not 0 <= spec.destination_port <= 65535:
        raise errors.InvalidParameterValue.because(
            f"Invalid DestinationPort: {spec.destination_port}"
        )
    path = NetworkInsightsPath(
        id=scope.new_id("nip"),
        account=scope.account,
        region=scope.region,
        source=source,
        destination=destination,
        source_ip=spec.source_ip,
        destination_ip=spec.destination_ip,
        protocol=spec.protocol,
        destination_port=spec.destination_port,
        filter_at_source=spec.filter_at_source,
        filter_at_destination=spec.filter_at_destination,
        created=scope.now().isoformat(),
        tags=dict(spec.tags),
    )
    scope.add(path)
    return path


def delete_path(scope: Scope, path_id: str) -> NetworkInsightsPath:
    """AWS refuses while analyses of the path exist."""
    path = scope.require(NetworkInsightsPath, path_id)
    if scope.list(NetworkInsightsAnalysis, parent=path.id):
        raise errors.AnalysisExistsForNetworkInsightsPath(path.id)
    scope.delete(path)
    return path


def start_analysis(scope: Scope, spec: AnalysisSpec) -> NetworkInsightsAnalysis:
    path = scope.require(NetworkInsightsPath, spec.path_id)
    analysis = NetworkInsightsAnalysis(
        id=scope.new_id("nia"),
        account=scope.account,
        region=scope.region,
        path_id=path.id,
        started=scope.now().isoformat(),
        additional_accounts=list(spec.additional_accounts),
        filter_in_arns=list(spec.filter_in_arns),
        filter_out_arns=list(spec.filter_out_arns),
        tags=dict(spec.tags),
    )
    scope.add(analysis)
    return analysis


def delete_analysis(scope: Scope, analysis_id: str) -> NetworkInsightsAnalysis:
    analysis = scope.require(NetworkInsightsAnalysis, analysis_id)
    scope.delete(analysis)
    return analysis


# --- the controller's side ---------------------------------------------------------------
def running(scope: Scope) -> list[NetworkInsightsAnalysis]:
    return [a for a in scope.list(NetworkInsightsAnalysis) if a.status == "running"]


def flow_of(scope: Scope, analysis: NetworkInsightsAnalysis) -> Flow | None:
    """What the analysis asks, from its path (None: the path is gone)."""
    path = scope.get(NetworkInsightsPath, analysis.path_id)
    if path is None:
        return None
    at_source = path.filter_at_source or {}
    at_destination = path.filter_at_destination or {}
    wanted = at_destination.get("DestinationPortRange") or {}
    low, high = wanted.get("FromPort"), wanted.get("ToPort")
    return Flow(
        path.source,
        path.destination or "",
        "udp" if path.protocol == "udp" else "tcp",
        path.destination_port,
        path.source_ip or at_source.get("SourceAddress"),
        path.destination_ip or at_destination.get("DestinationAddress"),
        (int(low), int(high if high is not None else low)) if low is not None else None,
    )


def _owners(scope: Scope) -> wire.Owner:
    """Who owns a component, from its record (another account's, for a provider's side
    of a path); the caller's account for what privlink keeps no record of."""
    known: dict[str, str] = {}

    def owner(resource_id: str) -> str:
        if resource_id not in known:
            prefix = split_id(resource_id)
            kind = RESOURCE_KINDS.get(prefix) if prefix else None
            record = scope.foreign(kind.record, resource_id) if kind and kind.record else None
            known[resource_id] = record.account if record is not None else scope.account
        return known[resource_id]

    return owner


def finish(scope: Scope, analysis: NetworkInsightsAnalysis, verdict: Verdict) -> None:
    region, account = scope.region, _owners(scope)
    analysis.status = "succeeded"
    analysis.path_found = verdict.reachable
    analysis.forward = [
        wire.path_component(n, hop, region, account) for n, hop in enumerate(verdict.forward, 1)
    ]
    analysis.back = [
        wire.path_component(n, hop, region, account) for n, hop in enumerate(verdict.back, 1)
    ]
    analysis.explanations = [wire.explanation(e, region, account) for e in verdict.explanations]
    analysis.blocked_at = verdict.blocked_at
    scope.put(analysis)


def fail(scope: Scope, analysis: NetworkInsightsAnalysis, reason: str) -> None:
    analysis.status = "failed"
    analysis.status_message = reason
    scope.put(analysis)
