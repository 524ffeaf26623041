"""The Reachability Analyzer through an interface endpoint and its NLB, as the data plane
forwards it (rulesets.endpoint, nlb_rulesets.nlb, topology):

- an endpoint that is not carrying traffic (any state but pending/available) resets;
- its security groups admit the client's address (stateful);
- an endpoint to an AWS service privlink serves relays TCP 443 to privlink's API;
- otherwise a listener of the NLB must take the protocol and port (else: reset), the NLB
  must have a node in the interface's zone, and the listener's target group a target the
  zone may use (its own zone's, or any with cross-zone load balancing);
- the node, as the source, reaches the target: directly when the target sits in one of
  the nodes' subnets, else through the router of the first node's subnet; the target's
  groups see the node's address; the answer goes back to the node, then from the
  interface to the client (through the interface in the client's subnet when there is
  one, else through the first interface's subnet and the router).
Targets are tried in order; the first that answers is the path (one target per zone is
what makes a real connection's outcome certain: the NLB picks among them in turn).
"""

from __future__ import annotations

from privlink.dataplane import analysis_rules as rules
from privlink.dataplane.analysis_model import Eni, Explanation, Header, Hop, Ref
from privlink.dataplane.analysis_rules import EPHEMERAL, Ports
from privlink.dataplane.analysis_walk import Arrival, Walk
from privlink.dataplane.plan import LOCAL_SERVICE_PORT, NlbNet, NlbNode, Target


class PlanWalk(Walk):
    """The walk with endpoints and network load balancers."""

    def into_endpoint(self, found: Eni, arrival: Arrival, origin: str) -> bool:
        assert arrival.vpc is not None and arrival.subnet is not None
        endpoint, eni = found.endpoint, found.eni
        vpc = arrival.vpc.vpc_id
        ref = Ref(endpoint.endpoint_id, "vpc-endpoint")
        interface = Ref(eni.eni_id, "network-interface")
        self.hop(Hop(interface, vpc, eni.subnet_id, attached_to=ref))
        if self.zone_down(interface, eni.az, vpc, eni.subnet_id):
            return False
        if not endpoint.active:
            self.stop(Explanation("BAD_STATE", ref, vpc=vpc, state=endpoint.state))
            return False
        hit = rules.security_group(endpoint.ingress, arrival.src, self.protocol, arrival.ports)
        if not hit.ports:
            self.stop(Explanation("ENI_SG_RULES_MISMATCH", interface, "ingress", vpc,
                                  eni.subnet_id, groups=endpoint.groups))  # fmt: skip
            return False
        self.hop(self.sg_hop(hit.rule, egress=False, vpc=vpc))
        self.hop(Hop(ref, vpc, service=endpoint.service_id))
        if endpoint.nlb_id is None:
            served = self.protocol == "tcp" and rules.intersect(
                hit.ports, ((LOCAL_SERVICE_PORT, LOCAL_SERVICE_PORT),)
            )
            if not served:
                self.stop(Explanation("PROTOCOL_RESTRICTION", ref, vpc=vpc, port=self.flow.port))
                return False
        elif not self._through_nlb(found, hit.ports):
            return False
        return self._endpoint_answer(found, arrival, origin)

    def _through_nlb(self, found: Eni, ports: Ports) -> bool:
        nlb = self.ix.nlbs.get(found.endpoint.nlb_id or "")
        node = nlb.node_in(found.eni.az) if nlb else None
        if nlb is None or node is None:
            service = Ref(found.endpoint.service_id, "vpc-endpoint-service")
            self.stop(Explanation("VPCE_SERVICE_NOT_INSTALLED_IN_AZ", service,
                                  zones=(found.eni.az,)))  # fmt: skip
            return False
        return self.into_nlb(nlb, node, ports)

    def into_nlb(self, nlb: NlbNet, node: NlbNode, ports: Ports) -> bool:
        """A listener for the flow, then the first target of the node's zone that answers
        (a node in a failed zone answers nothing: the answers to it arrive on its link)."""
        lb = Ref(nlb.nlb_id, "load-balancer")
        if self.zone_down(lb, node.az, nlb.vpc_id, node.subnet_id):
            return False
        listener = next(
            (
                li
                for li in nlb.listeners
                if li.protocol == self.protocol and rules.intersect(ports, ((li.port, li.port),))
            ),
            None,
        )
        if listener is None:
            self.stop(Explanation("ELBV2_LISTENERS_MISMATCH", lb, port=self.flow.port,
                                  load_balancer=nlb.nlb_id))  # fmt: skip
            return False
        self.hop(Hop(lb, nlb.vpc_id, node.subnet_id, listener_port=listener.port))
        group = listener.target_group
        pool = self.ix.candidates(group, node.az)
        if not pool:
            code = "ELBV2_NO_TARGETS_IN_AZ" if group.targets else "ELBV2_LISTENER_HAS_NO_TG"
            self.stop(Explanation(code, Ref(group.target_group_id, "target-group"),
                                  load_balancer=nlb.nlb_id, zones=(node.az,)))  # fmt: skip
            return False
        first_failure: tuple[list[Hop], list[Hop], list[Explanation]] | None = None
        for target in pool:
            mark = self.attempt()
            if self._to_target(nlb, node, group.target_group_id, target):
                return True
            if first_failure is None:
                first_failure = (
                    self.forward[mark[0] :], self.back[mark[1] :], self.why[mark[2] :]
                )  # fmt: skip
            self.rollback(mark)
        assert first_failure is not None
        self.forward += first_failure[0]
        self.back += first_failure[1]
        self.why += first_failure[2]
        return False

    def _to_target(self, nlb: NlbNet, node: NlbNode, group_id: str, target: Target) -> bool:
        vpc = self.ix.vpcs[nlb.vpc_id]
        self.hop(Hop(Ref(group_id, "target-group"), vpc.vpc_id, target=target))
        ports: Ports = ((target.port, target.port),)
        subnet = self.ix.subnet_of(vpc, target.ip)
        host = self.ix.host_at.get((vpc.vpc_id, target.ip))
        if subnet is None or host is None:
            self.stop(Explanation("NO_POSSIBLE_DESTINATION", Ref(group_id, "target-group"),
                                  vpc=vpc.vpc_id, address=target.ip))  # fmt: skip
            return False
        node_subnets = sorted({n.subnet_id for n in nlb.nodes})
        if subnet.subnet_id in node_subnets:  # on one of the NLB's own bridges
            arrival: Arrival | None = Arrival(vpc, subnet, node.ip, target.ip, ports)
        else:
            first = self.ix.subnets[node_subnets[0]][1]
            arrival = self.cross(vpc, first, node.ip, target.ip, ports)
        if arrival is None or not self.into_host(host, arrival):
            return False
        with self.backwards():
            return self.reply(vpc, subnet, target.ip, node.ip, node.ip)

    def _endpoint_answer(self, found: Eni, arrival: Arrival, origin: str) -> bool:
        """From the interface back to the client, the way the kernel routes it: an ENI in
        its NLB's namespace answers through itself (its own table); an endpoint namespace
        of its own through its interface in the client's subnet, else its first subnet's."""
        assert arrival.vpc is not None
        vpc, client = arrival.vpc, arrival.src
        endpoint, eni = found.endpoint, found.eni
        own = {e.subnet_id for e in endpoint.enis}
        at = self.ix.subnet_of(vpc, client)
        exit_id = at.subnet_id if at is not None and at.subnet_id in own else sorted(own)[0]
        if endpoint.nlb_id is not None:
            exit_id = eni.subnet_id
        way = self.ix.subnets[exit_id][1]
        origin_subnet = self.ix.subnets[eni.subnet_id][1]
        ports: Ports = EPHEMERAL
        with self.backwards():
            self.hop(Hop(Ref(eni.eni_id, "network-interface"), vpc.vpc_id, eni.subnet_id,
                         header=Header(eni.ip, client, self.protocol, ports)))  # fmt: skip
            if way.subnet_id != origin_subnet.subnet_id:  # crossing inside the namespace
                ports = self.acl(vpc, origin_subnet, True, client, ports)
                ports = self.acl(vpc, way, False, eni.ip, ports) if ports else ()
                if not ports:
                    return False
            if rules.contains(way.cidr, client):
                return client == origin
            return self.reply(vpc, way, eni.ip, client, origin, ports)
