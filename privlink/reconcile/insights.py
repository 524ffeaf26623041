"""The Reachability Analyzer controller: answers the analyses that are `running`.

StartNetworkInsightsAnalysis only records the question; answering it needs the whole
data-plane plan, which services cannot build (reconcile/plan_builder.py reads every
service's records). This controller builds the plan from a read-only snapshot of the
committed state, the very plan the data-plane controller hands the driver, runs the
pure analyzer (dataplane/analysis.py) for each running analysis and writes `succeeded`
with the answer, or `failed` with the reason. It needs no data plane, so the null data
plane answers too.
"""

from __future__ import annotations

import logging

from privlink.api import Scope
from privlink.dataplane.analysis import Index, analyze
from privlink.reconcile.plan_builder import NO_API, LocalApi, build_plan
from privlink.services.ec2.insights import operations as insights
from privlink.services.ec2.insights.records import NetworkInsightsAnalysis
from privlink.store import Store

log = logging.getLogger("privlink.reconcile.insights")


class InsightsController:
    name = "network-insights"
    kinds = frozenset({NetworkInsightsAnalysis.kind})

    def __init__(self, api: LocalApi = NO_API) -> None:
        """`api`: where privlink's HTTPS API listens (endpoints to the AWS services it
        serves end there), as the data-plane controller is told."""
        self.api = api

    def reconcile(self, store: Store, changed: set[str] | None = None) -> float | None:
        snapshot = store.snapshot()
        waiting = [a for a in snapshot.list(NetworkInsightsAnalysis) if a.status == "running"]
        if not waiting:
            return None
        index = Index(build_plan(snapshot, api=self.api))
        with store.unit() as uow:
            for found in waiting:
                analysis = uow.get(NetworkInsightsAnalysis, found.id)
                if analysis is None or analysis.status != "running":
                    continue  # deleted or answered meanwhile
                scope = Scope.of(analysis, uow)
                flow = insights.flow_of(scope, analysis)
                if flow is None:
                    insights.fail(scope, analysis, "The network insights path no longer exists.")
                    continue
                try:
                    insights.finish(scope, analysis, analyze(index.plan, flow, index))
                except (KeyError, ValueError) as exc:  # a plan the analyzer cannot read
                    log.exception("analysis %s failed", analysis.id)
                    insights.fail(scope, analysis, f"Internal error: {exc}")
        return None
