"""Reachability Analyzer handlers: wire input -> operation -> wire output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.insights import operations as ops
from privlink.services.ec2.insights.records import NetworkInsightsAnalysis, NetworkInsightsPath
from privlink.services.shared.describe import Describe
from privlink.services.shared.idempotency import remember_token, replayed

LIMITS = (1, 100)


def _filter(found: dict[str, Any] | None) -> dict[str, Any] | None:
    """A PathRequestFilter as the PathFilter it is shown as (same members)."""
    return {k: v for k, v in found.items() if v is not None} if found else None


def wire_path(path: NetworkInsightsPath) -> dict[str, Any]:
    return {
        "NetworkInsightsPathId": path.id,
        "NetworkInsightsPathArn": path.arn,
        "CreatedDate": path.created,
        "Source": path.source,
        "Destination": path.destination,
        "SourceArn": _arn(path, path.source),
        "DestinationArn": _arn(path, path.destination) if path.destination else None,
        "SourceIp": path.source_ip,
        "DestinationIp": path.destination_ip,
        "Protocol": path.protocol,
        "DestinationPort": path.destination_port,
        "FilterAtSource": _filter(path.filter_at_source),
        "FilterAtDestination": _filter(path.filter_at_destination),
        "Tags": tag_wire.wire(path.tags),
    }


def _arn(path: NetworkInsightsPath, resource: str) -> str:
    kind = {"i": "instance", "eni": "network-interface", "igw": "internet-gateway",
            "vpce": "vpc-endpoint"}.get(resource.split("-", 1)[0], "resource")  # fmt: skip
    return f"arn:aws:ec2:{path.region}:{path.account}:{kind}/{resource}"


def wire_analysis(analysis: NetworkInsightsAnalysis) -> dict[str, Any]:
    done = analysis.status == "succeeded"
    return {
        "NetworkInsightsAnalysisId": analysis.id,
        "NetworkInsightsAnalysisArn": analysis.arn,
        "NetworkInsightsPathId": analysis.path_id,
        "AdditionalAccounts": analysis.additional_accounts or None,
        "FilterInArns": analysis.filter_in_arns or None,
        "FilterOutArns": analysis.filter_out_arns or None,
        "StartDate": analysis.started,
        "Status": analysis.status,
        "StatusMessage": analysis.status_message,
        "NetworkPathFound": analysis.path_found if done else None,
        "ForwardPathComponents": analysis.forward if done else None,
        "ReturnPathComponents": analysis.back if done and analysis.path_found else None,
        "Explanations": analysis.explanations if done and not analysis.path_found else None,
        "Tags": tag_wire.wire(analysis.tags),
    }


def _at(where: str, member: str) -> Callable[[NetworkInsightsPath], str | None]:
    """A filter on one member of FilterAtSource/FilterAtDestination; a port range reads
    FROM-TO."""

    def get(path: NetworkInsightsPath) -> str | None:
        value = (getattr(path, where) or {}).get(member)
        if isinstance(value, dict):
            return f"{value.get('FromPort', '')}-{value.get('ToPort', '')}"
        return value if value is None else str(value)

    return get


_SIDES = (
    ("filter-at-source", "filter_at_source"),
    ("filter-at-destination", "filter_at_destination"),
)
_MEMBERS = (
    ("source-address", "SourceAddress"),
    ("source-port-range", "SourcePortRange"),
    ("destination-address", "DestinationAddress"),
    ("destination-port-range", "DestinationPortRange"),
)
PATHS = Describe(
    NetworkInsightsPath,
    {
        "source": lambda p: p.source,
        "destination": lambda p: p.destination,
        "protocol": lambda p: p.protocol,
        **{
            f"{side}.{name}": _at(attr, member)
            for side, attr in _SIDES
            for name, member in _MEMBERS
        },
    },
    limits=LIMITS,
)
ANALYSES = Describe(
    NetworkInsightsAnalysis,
    {
        "path-found": lambda a: str(a.path_found).lower() if a.path_found is not None else "",
        "status": lambda a: a.status,
    },
    limits=LIMITS,
)


@handles("CreateNetworkInsightsPath")
def create_network_insights_path(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateNetworkInsightsPath", params)
    path = ctx.get(NetworkInsightsPath, earlier) if earlier else None
    if path is None:
        spec = ops.PathSpec(
            source=params["Source"],
            protocol=params["Protocol"],
            destination=params.get("Destination"),
            source_ip=params.get("SourceIp"),
            destination_ip=params.get("DestinationIp"),
            destination_port=params.get("DestinationPort"),
            filter_at_source=params.get("FilterAtSource"),
            filter_at_destination=params.get("FilterAtDestination"),
            tags=tag_wire.for_type(params, "network-insights-path"),
        )
        path = ops.create_path(ctx, spec)
        remember_token(ctx, "CreateNetworkInsightsPath", params, path.id)
    return {"NetworkInsightsPath": wire_path(path)}


@handles("DescribeNetworkInsightsPaths")
def describe_network_insights_paths(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = PATHS.page(ctx, params.get("NetworkInsightsPathIds"), params)
    return {"NetworkInsightsPaths": [wire_path(p) for p in chunk], "NextToken": token}


@handles("DeleteNetworkInsightsPath")
def delete_network_insights_path(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"NetworkInsightsPathId": ops.delete_path(ctx, params["NetworkInsightsPathId"]).id}


@handles("StartNetworkInsightsAnalysis")
def start_network_insights_analysis(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "StartNetworkInsightsAnalysis", params)
    analysis = ctx.get(NetworkInsightsAnalysis, earlier) if earlier else None
    if analysis is None:
        spec = ops.AnalysisSpec(
            path_id=params["NetworkInsightsPathId"],
            additional_accounts=tuple(params.get("AdditionalAccounts") or ()),
            filter_in_arns=tuple(params.get("FilterInArns") or ()),
            filter_out_arns=tuple(params.get("FilterOutArns") or ()),
            tags=tag_wire.for_type(params, "network-insights-analysis"),
        )
        analysis = ops.start_analysis(ctx, spec)
        remember_token(ctx, "StartNetworkInsightsAnalysis", params, analysis.id)
    return {"NetworkInsightsAnalysis": wire_analysis(analysis)}


@handles("DescribeNetworkInsightsAnalyses")
def describe_network_insights_analyses(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    candidates = None
    path_id = params.get("NetworkInsightsPathId")
    if path_id:
        ctx.require(NetworkInsightsPath, path_id)
        candidates = ctx.list(NetworkInsightsAnalysis, parent=path_id)
    after, before = params.get("AnalysisStartTime"), params.get("AnalysisEndTime")
    if after is not None or before is not None:
        base = candidates if candidates is not None else ctx.list(NetworkInsightsAnalysis)
        candidates = [a for a in base if _within(a.started, after, before)]
    chunk, token = ANALYSES.page(ctx, params.get("NetworkInsightsAnalysisIds"), params, candidates)
    return {"NetworkInsightsAnalyses": [wire_analysis(a) for a in chunk], "NextToken": token}


def _within(started: str, after: Any, before: Any) -> bool:
    when = dt.datetime.fromisoformat(started)
    return (after is None or when >= _utc(after)) and (before is None or when <= _utc(before))


def _utc(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value))


@handles("DeleteNetworkInsightsAnalysis")
def delete_network_insights_analysis(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    deleted = ops.delete_analysis(ctx, params["NetworkInsightsAnalysisId"])
    return {"NetworkInsightsAnalysisId": deleted.id}
