"""The Reachability Analyzer controller: answers the analyses that are `running`.

StartNetworkInsightsAnalysis only records the question; answering it needs the whole
data-plane plan, which services cannot build (reconcile/plan_builder.py reads every
service's records). This controller builds the plan from a read-only snapshot of the
committed state, the very plan the data-plane controller hands the driver, runs the
pure analyzer (dataplane/analysis.py) for each running analysis and writes `succeeded`
with the answer, or `failed` with the reason. It needs no data plane, so the null data
plane answers too. Target health comes from what the data plane last reported (the
target groups' records), so the analyzer picks targets as the NLB does.
"""

from __future__ import annotations

import logging

from privlink.api import Scope
from privlink.dataplane.analysis import Index, analyze
from privlink.dataplane.analysis_model import Healthy
from privlink.reconcile.plan_builder import NO_API, LocalApi, build_plan
from privlink.services.ec2.insights import operations as insights
from privlink.services.ec2.insights.records import NetworkInsightsAnalysis
from privlink.services.ec2.records import Instance
from privlink.services.elbv2.records import TargetGroup
from privlink.store import Store
from privlink.store.unit import UnitOfWork

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
        index = Index(build_plan(snapshot, api=self.api), healthy(snapshot))
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


def healthy(uow: UnitOfWork) -> Healthy:
    """The targets the data plane's health checks last reported healthy (target group,
    address, port): the NLB sends new flows only to those while there are any."""
    found: set[tuple[str, str, int]] = set()
    for group in uow.list(TargetGroup):
        for target in group.targets:
            if target.report is None or target.report.state != "healthy":
                continue
            address = target.id
            if group.target_type == "instance":
                instance = uow.get(Instance, target.id)
                address = instance.private_ip if instance else ""
            found.add((group.id, address, target.port))
    return frozenset(found)
