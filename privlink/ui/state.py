"""The topology as the page draws it: every account's network and PrivateLink resources.

A read over the whole store (all accounts and regions, as privlink's own admin routes
see it), shaped for drawing: VPCs hold subnets by zone, subnets hold instances, endpoint
interfaces and load balancer nodes; endpoints point at their services, services at their
load balancers. Only ids, names and states: nothing secret leaves the store.
"""

from __future__ import annotations

from typing import Any

from privlink.services.ec2.insights.records import NetworkInsightsAnalysis
from privlink.services.ec2.network import outages
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet, Vpc
from privlink.services.elbv2.records import LoadBalancer
from privlink.services.mwaa.records import Environment
from privlink.services.privatelink.records import EndpointService, VpcEndpoint
from privlink.store.unit import UnitOfWork

Doc = dict[str, Any]


def topology(uow: UnitOfWork) -> Doc:
    """Accounts -> VPCs -> subnets (by zone) with what lives in them; services; MWAA;
    the zones in an outage (`privlink az fail`), which the page draws impaired."""
    vpcs: dict[str, Doc] = {}
    for vpc in uow.list(Vpc):
        vpcs[vpc.id] = {"id": vpc.id, "account": vpc.account, "region": vpc.region,
                        "cidr": vpc.cidr, "state": vpc.state, "default": vpc.is_default,
                        "subnets": [], "endpoints": [], "load_balancers": []}  # fmt: skip
    subnets: dict[str, Doc] = {}
    for subnet in uow.list(Subnet):
        doc = {"id": subnet.id, "zone": subnet.availability_zone, "cidr": subnet.cidr,
               "state": subnet.state, "instances": [], "interfaces": []}  # fmt: skip
        subnets[subnet.id] = doc
        _into(vpcs, subnet.vpc_id, "subnets", doc)
    for instance in uow.list(Instance):
        _into(subnets, instance.subnet_id, "instances", _instance(instance))
    for eni in uow.list(NetworkInterface):
        if eni.interface_type == "vpc_endpoint":
            _into(subnets, eni.subnet_id, "interfaces", _interface(eni))
    for endpoint in uow.list(VpcEndpoint):
        _into(vpcs, endpoint.vpc_id, "endpoints", _endpoint(endpoint))
    for lb in uow.list(LoadBalancer):
        _into(vpcs, lb.vpc_id, "load_balancers", _load_balancer(lb))
    accounts = sorted({v["account"] for v in vpcs.values()})
    return {
        "accounts": [
            {"account": a, "vpcs": [v for v in vpcs.values() if v["account"] == a]}
            for a in accounts
        ],
        "services": [_service(s) for s in uow.list(EndpointService)],
        "mwaa": [_environment(e) for e in uow.list(Environment)],
        "impaired_zones": [
            {"name": z.name, "zone_id": z.zone_id, "since": z.since}
            for z in outages.zone_states(uow)
            if z.state == outages.IMPAIRED
        ],
    }


def analysis(uow: UnitOfWork, analysis_id: str) -> Doc | None:
    """A Reachability Analyzer answer as the page highlights it: the components on its
    path in order (forward, then the answer's way back), each by id and ARN (load
    balancers are drawn by ARN), and the one that stopped the packet."""
    found = uow.get(NetworkInsightsAnalysis, analysis_id)
    if found is None:
        return None
    steps = [
        {"id": c["Component"]["Id"], "arn": c["Component"].get("Arn", ""),
         "kind": c["Component"].get("Arn", "").split(":")[-1].split("/")[0],
         "way": way}
        for way, components in (("forward", found.forward), ("back", found.back))
        for c in components
        if c.get("Component")
    ]  # fmt: skip
    blocked = found.explanations[0] if found.explanations else {}
    return {"id": found.id, "status": found.status, "path_found": found.path_found,
            "steps": steps, "blocked": (blocked.get("Component") or {}).get("Id", ""),
            "blocked_arn": (blocked.get("Component") or {}).get("Arn", ""),
            "explanation": blocked.get("ExplanationCode", "")}  # fmt: skip


def _into(parents: dict[str, Doc], parent_id: str, key: str, doc: Doc) -> None:
    parent = parents.get(parent_id)
    if parent is not None:
        parent[key].append(doc)


def _instance(i: Instance) -> Doc:
    return {"id": i.id, "state": i.state, "ip": i.private_ip, "zone": i.availability_zone}


def _interface(eni: NetworkInterface) -> Doc:
    return {"id": eni.id, "ip": eni.private_ip, "endpoint": eni.owner_resource,
            "status": eni.status}  # fmt: skip


def _endpoint(e: VpcEndpoint) -> Doc:
    return {"id": e.id, "type": e.endpoint_type, "state": e.state, "service": e.service_id,
            "service_name": e.service_name, "interfaces": e.interfaces,
            "subnets": e.subnet_ids}  # fmt: skip


def _load_balancer(lb: LoadBalancer) -> Doc:
    return {"id": lb.id, "name": lb.name, "type": lb.type, "state": lb.state,
            "nodes": [{"zone": n.zone_name, "subnet": n.subnet_id, "ip": n.private_ip}
                      for n in lb.nodes]}  # fmt: skip


def _service(s: EndpointService) -> Doc:
    return {"id": s.id, "account": s.account, "region": s.region, "name": s.service_name,
            "state": s.state, "acceptance_required": s.acceptance_required,
            "load_balancers": [*s.network_load_balancer_arns,
                               *s.gateway_load_balancer_arns]}  # fmt: skip


def _environment(e: Environment) -> Doc:
    return {"name": e.name, "account": e.account, "region": e.region, "status": e.status,
            "endpoints": e.endpoints}  # fmt: skip
