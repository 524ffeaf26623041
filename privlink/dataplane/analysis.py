"""The Reachability Analyzer's verdict: a pure function of the data-plane plan and a flow.

`analyze(plan, flow)` walks the packet the way the Linux data plane forwards it for that
plan, hop by hop, and the answer back: the source's security groups (stateful: the
answer always passes them), the subnet's network ACL out and the route table when the
packet is routed (traffic inside a subnet is bridged: no ACL, no route), a peering
connection or an internet gateway (one-to-one NAT of public addresses) or a NAT gateway,
the ACL into the destination's subnet, then the destination's groups; an endpoint's
interface continues into the endpoint (its state, its groups), the NLB's listener and a
target of the interface's zone, and on to the target like any other host. ACLs are
stateless, so the answer's way is walked too, to the client's ephemeral port
(analysis_rules.EPHEMERAL), with the data plane's quirks kept: an interface of an
endpoint to an NLB answers through itself (its table in the NLB's namespace), one of an
endpoint to an AWS service through its endpoint's interface in the client's subnet when
there is one, else through its first subnet's router (topology._endpoint_routes); an NLB
reaches targets in its nodes' subnets
directly, the others through the router of its first node's subnet. A zonal outage
(plan.failed_zones) stops the packet where the kernel drops it: at an instance, endpoint
interface, NLB node or NAT gateway in a failed zone (BAD_STATE, state "impaired"); the
NLB treats targets there as unhealthy and an endpoint named as the destination answers
from a live zone, as its regional DNS name does. It is what
tests/dataplane/test_analyzer_vs_kernel.py holds it to.

Why a separate pure function and not the kernel: it needs no root and no namespaces, so
the null data plane answers too, and it can say *which* rule stopped the packet.
"""

from __future__ import annotations

from privlink.dataplane.analysis_endpoints import PlanWalk
from privlink.dataplane.analysis_model import Explanation, Flow, Hop, Index, Ref, Verdict
from privlink.dataplane.plan import DataplanePlan

__all__ = ["Explanation", "Flow", "Hop", "Index", "Ref", "Verdict", "analyze"]


def analyze(plan: DataplanePlan, flow: Flow, index: Index | None = None) -> Verdict:
    """The verdict for `flow` over `plan` (`index`: the plan already indexed)."""
    walk = PlanWalk(index or Index(plan), flow)
    reached = walk.run()
    return Verdict(reached and not walk.why, tuple(walk.forward), tuple(walk.back), tuple(walk.why))
