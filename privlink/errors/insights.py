"""Reachability Analyzer (network insights paths and analyses): error codes and messages."""

from __future__ import annotations

from privlink.errors.base import _not_found, _templated

InvalidNetworkInsightsPathIdNotFound = _not_found(
    "InvalidNetworkInsightsPathId.NotFound", "networkInsightsPath ID"
)
InvalidNetworkInsightsAnalysisIdNotFound = _not_found(
    "InvalidNetworkInsightsAnalysisId.NotFound", "networkInsightsAnalysis ID"
)
AnalysisExistsForNetworkInsightsPath = _templated(
    "AnalysisExistsForNetworkInsightsPath",
    "The network insights path '{0}' has existing analyses and cannot be deleted.",
)
