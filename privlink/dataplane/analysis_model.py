"""The Reachability Analyzer's vocabulary: a flow asked about, and the answer's pieces.

Plain frozen data, shaped after EC2's PathComponent and Explanation (the service turns
them into the wire form); `Index` is the plan looked up by id and address, built once
per analysis (a 100-VPC plan indexes in about a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass

from privlink.dataplane.analysis_rules import Ports, blocks_of, contains, ports_of
from privlink.dataplane.plan import (
    DataplanePlan,
    EndpointNet,
    EniNet,
    InstanceNet,
    L4Protocol,
    NlbNet,
    NlbNode,
    SgRule,
    SubnetNet,
    Target,
    TargetGroupNet,
    VpcNet,
)
from privlink.dataplane.routing import AclRule, NatGatewayNet, PublicAddress, RouteNet

# An address on privlink's internet when the flow names none: only a /0 route or rule
# covers it, i.e. "anywhere on the internet".
ANYWHERE = "0.0.0.0"


@dataclass(frozen=True)
class Flow:
    """What is asked: from a resource (instance, interface, internet gateway) to a
    resource or an address, over tcp/udp to a port (None: any port)."""

    source: str
    destination: str = ""
    protocol: L4Protocol = "tcp"
    port: int | None = None
    source_ip: str | None = None
    destination_ip: str | None = None
    port_range: tuple[int, int] | None = None  # FilterAtDestination's, when `port` is None

    @property
    def ports(self) -> Ports:
        if self.port is None and self.port_range is not None:
            return (self.port_range,)
        return ports_of(self.port)


@dataclass(frozen=True)
class Ref:
    """A component: its id and what kind of thing it is (instance, network-acl ...)."""

    id: str
    kind: str


@dataclass(frozen=True)
class Header:
    source: str
    destination: str
    protocol: str
    ports: Ports


@dataclass(frozen=True)
class Hop:
    """One PathComponent: the component and whatever of it decided (a rule, a route)."""

    component: Ref
    vpc: str = ""
    subnet: str = ""
    attached_to: Ref | None = None
    acl_rule: AclRule | None = None
    sg_rule: SgRule | None = None
    egress: bool = False  # the rule's direction
    route: RouteNet | None = None
    source_vpc: str = ""
    destination_vpc: str = ""
    listener_port: int | None = None
    target: Target | None = None
    service: str = ""
    header: Header | None = None


@dataclass(frozen=True)
class Explanation:
    """Why the packet stops here: an AWS explanation code and its context."""

    code: str
    component: Ref
    direction: str = ""  # "ingress" / "egress"
    vpc: str = ""
    subnet: str = ""
    acl_rule: AclRule | None = None
    groups: tuple[str, ...] = ()
    state: str = ""
    port: int | None = None
    address: str = ""
    load_balancer: str = ""
    zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    reachable: bool
    forward: tuple[Hop, ...] = ()
    back: tuple[Hop, ...] = ()
    explanations: tuple[Explanation, ...] = ()

    @property
    def blocked_at(self) -> str:
        """The component that stopped the packet ("" when it arrived)."""
        return self.explanations[0].component.id if self.explanations else ""


@dataclass(frozen=True)
class Eni:
    """An endpoint's interface with its endpoint."""

    endpoint: EndpointNet
    eni: EniNet


Healthy = frozenset[tuple[str, str, int]]  # (target group, address, port) seen healthy


class Index:
    """The plan by id and by (VPC, address): what each hop needs to look up. `healthy`:
    the targets the data plane's health checks last saw healthy (None: not known, every
    target counts); `failed`: the zones in an outage (plan.failed_zones)."""

    def __init__(self, plan: DataplanePlan, healthy: Healthy | None = None) -> None:
        self.plan = plan
        self.healthy = healthy
        self.failed = plan.failed_zones
        self.vpcs: dict[str, VpcNet] = {v.vpc_id: v for v in plan.vpcs}
        self.subnets: dict[str, tuple[VpcNet, SubnetNet]] = {
            s.subnet_id: (v, s) for v in plan.vpcs for s in v.subnets
        }
        self.blocks = {v.vpc_id: blocks_of(v.cidr, [s.cidr for s in v.subnets]) for v in plan.vpcs}
        self.hosts: dict[str, InstanceNet] = {}
        self.host_at: dict[tuple[str, str], InstanceNet] = {}
        for host in plan.instances:
            self.hosts[host.instance_id] = host
            if host.eni_id:
                self.hosts[host.eni_id] = host
            self.host_at[(host.vpc_id, host.ip)] = host
        self.endpoints = {e.endpoint_id: e for e in plan.endpoints}
        self.enis: dict[str, Eni] = {}
        self.eni_at: dict[tuple[str, str], Eni] = {}
        for endpoint in plan.endpoints:
            for eni in endpoint.enis:
                self.enis[eni.eni_id] = self.eni_at[(endpoint.vpc_id, eni.ip)] = Eni(endpoint, eni)
        self.nlbs = {n.nlb_id: n for n in plan.nlbs}
        self.node_at: dict[tuple[str, str], tuple[NlbNet, NlbNode]] = {
            (n.vpc_id, node.ip): (n, node) for n in plan.nlbs for node in n.nodes
        }
        self.nats: dict[str, NatGatewayNet] = {n.nat_id: n for n in plan.nat_gateways}
        self.nat_at = {(n.vpc_id, n.ip): n for n in plan.nat_gateways}
        self.peerings = {p.peering_id: p for p in plan.peerings}
        addresses = plan.internet.addresses if plan.internet else ()
        self.public: dict[str, PublicAddress] = {a.public_ip: a for a in addresses}
        self.public_of = {(a.vpc_id, a.private_ip): a.public_ip for a in addresses}
        self.igws = {v.internet_gateway: v.vpc_id for v in plan.vpcs if v.internet_gateway}
        self.realised: dict[str, set[str]] = {v.vpc_id: self._realised(v) for v in plan.vpcs}

    def _realised(self, vpc: VpcNet) -> set[str]:
        """The route targets the VPC's router can reach (router._next_hop)."""
        found = {
            p.peering_id
            for p in self.plan.peerings
            if vpc.vpc_id in (p.requester_vpc, p.accepter_vpc)
        }
        if vpc.internet_gateway and self.plan.internet is not None:
            found.add(vpc.internet_gateway)
        found |= {n.nat_id for n in self.plan.nat_gateways if n.vpc_id == vpc.vpc_id}
        return found

    def candidates(self, group: TargetGroupNet, az: str) -> list[Target]:
        """The targets a flow entering in `az` may reach, as the NLB picks them
        (topology.candidates): its zone's unless cross-zone, the healthy ones, all of them
        if none is healthy (an NLB fails open). A target in a failed zone counts as
        unhealthy whatever was last reported: the kernel drops the health checks to it,
        so it turns unhealthy within a few checks, and the verdict should not depend on
        whether the health thread has caught up yet."""
        pool = [t for t in group.targets if group.cross_zone or t.az == az]
        if group.health_check is None:
            return pool
        up = [
            t
            for t in pool
            if t.az not in self.failed
            and (self.healthy is None or (group.target_group_id, t.ip, t.port) in self.healthy)
        ]
        return up or pool

    def zone_of(self, host: InstanceNet) -> str:
        return self.subnets[host.subnet_id][1].az

    def subnet_of(self, vpc: VpcNet, ip: str) -> SubnetNet | None:
        for subnet in vpc.subnets:
            if contains(subnet.cidr, ip):
                return subnet
        return None
