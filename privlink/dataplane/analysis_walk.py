"""The Reachability Analyzer's walk between hosts: security groups, ACLs, routes,
peering, internet gateways and NAT gateways, forward and back (see analysis.py for what
it models and why). Endpoints and load balancers are analysis_endpoints.PlanWalk's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from privlink.dataplane import analysis_rules as rules
from privlink.dataplane.analysis_model import (
    ANYWHERE,
    Eni,
    Explanation,
    Flow,
    Header,
    Hop,
    Index,
    Ref,
)
from privlink.dataplane.analysis_rules import EPHEMERAL, LOCAL, Ports
from privlink.dataplane.plan import InstanceNet, NlbNet, NlbNode, SgRule, SubnetNet, VpcNet
from privlink.dataplane.routing import AclRule, PeeringNet, PublicAddress

CATCH_ALL = 32767  # AWS shows its final deny-everything entry with this number
MAX_LEGS = 4  # NAT gateways chained: a bound, never a real topology


@dataclass(frozen=True)
class Arrival:
    """Where a packet got to: a subnet of a VPC (None: privlink's internet), with the
    addresses it carries there (NAT may have changed them)."""

    vpc: VpcNet | None
    subnet: SubnetNet | None
    src: str
    dst: str
    ports: Ports
    igw: str = ""  # the internet gateway it left through


def kind_of(resource_id: str) -> str:
    prefix = resource_id.split("-", 1)[0]
    return {
        "i": "instance",
        "eni": "network-interface",
        "igw": "internet-gateway",
        "vpce": "vpc-endpoint",
        "nat": "nat-gateway",
    }.get(prefix, "resource")


class Walk:
    """One analysis: the hops so far (forward, then the answer's), and why it stopped."""

    def __init__(self, index: Index, flow: Flow) -> None:
        self.ix = index
        self.flow = flow
        self.protocol = flow.protocol
        self.forward: list[Hop] = []
        self.back: list[Hop] = []
        self.out = self.forward
        self.why: list[Explanation] = []

    # --- recording ----------------------------------------------------------------
    def hop(self, hop: Hop) -> None:
        self.out.append(hop)

    def stop(self, explanation: Explanation) -> None:
        self.why.append(explanation)

    def zone_down(self, component: Ref, zone: str, vpc: str = "", subnet: str = "") -> bool:
        """Whether `component` lives in a failed zone (`privlink az fail`), the reason
        recorded if so: the kernel drops whatever reaches it there (rulesets.zone_down).
        AWS has no explanation code for a zonal outage (the analyzer reads configuration,
        not health); BAD_STATE, "this component is not in a functional state", is the
        honest nearest, with State "impaired" (DescribeAvailabilityZones' word for the
        zone) and the zone in AvailabilityZones."""
        if zone not in self.ix.failed:
            return False
        self.stop(Explanation("BAD_STATE", component, vpc=vpc, subnet=subnet,
                              state="impaired", zones=(zone,)))  # fmt: skip
        return True

    @contextmanager
    def backwards(self) -> Iterator[None]:
        self.out = self.back
        try:
            yield
        finally:
            self.out = self.forward

    # --- the ends ------------------------------------------------------------------
    def run(self) -> bool:
        source = self.flow.source
        if source in self.ix.igws:
            return self.from_gateway(source)
        host = self.ix.hosts.get(source)
        if host is None:
            self.stop(Explanation("BAD_STATE", Ref(source, kind_of(source))))
            return False
        dst = self.destination_ip(host)
        return dst is not None and self.from_host(host, dst)

    def destination_ip(self, source: InstanceNet | None) -> str | None:
        """The address the flow is sent to (None: the destination is not in the plan)."""
        wanted = self.flow.destination
        if not wanted or self.flow.destination_ip:
            return self.flow.destination_ip or ANYWHERE
        if wanted in self.ix.igws:
            return ANYWHERE
        host = self.ix.hosts.get(wanted)
        if host is not None:
            return host.ip
        eni = self.ix.enis.get(wanted)
        if eni is not None:
            return eni.eni.ip
        endpoint = self.ix.endpoints.get(wanted)
        if endpoint is not None and endpoint.enis:
            # the regional name: its live zones' addresses (zone_outage), the source's first
            zone = self.ix.zone_of(source) if source else ""
            live = [e for e in endpoint.enis if e.az not in self.ix.failed] or endpoint.enis
            same = [e for e in live if e.az == zone]
            return (same or list(live))[0].ip
        self.stop(Explanation("BAD_STATE", Ref(wanted, kind_of(wanted))))
        return None

    def from_host(self, host: InstanceNet, dst: str) -> bool:
        vpc, subnet = self.ix.subnets[host.subnet_id]
        interface = Ref(host.eni_id or host.instance_id, "network-interface")
        if host.instance_id != interface.id:
            self.hop(Hop(Ref(host.instance_id, "instance"), vpc.vpc_id, subnet.subnet_id))
        header = Header(host.ip, dst, self.protocol, self.flow.ports)
        self.hop(Hop(interface, vpc.vpc_id, subnet.subnet_id, header=header))
        if self.zone_down(Ref(host.instance_id, "instance"), subnet.az, vpc.vpc_id,
                          subnet.subnet_id):  # fmt: skip
            return False  # nothing leaves an instance in a failed zone
        hit = rules.security_group(host.security.egress, dst, self.protocol, header.ports)
        if not hit.ports:
            self.stop(
                Explanation(
                    "ENI_SG_RULES_MISMATCH",
                    interface,
                    "egress",
                    vpc.vpc_id,
                    subnet.subnet_id,
                    groups=host.groups,
                )  # fmt: skip
            )
            return False
        self.hop(self.sg_hop(hit.rule, egress=True, vpc=vpc.vpc_id))
        arrival = self.cross(vpc, subnet, host.ip, dst, hit.ports)
        return arrival is not None and self.arrive(arrival, host.ip)

    def from_gateway(self, igw: str) -> bool:
        """From the internet (`SourceIp` or anywhere) to a public address in the VPC."""
        target = self.ix.hosts.get(self.flow.destination)
        dst = self.flow.destination_ip or (
            self.ix.public_of.get((target.vpc_id, target.ip)) if target else None
        )
        if dst is None or self.ix.igws.get(igw) != self.ix.public.get(dst, _NOWHERE).vpc_id:
            self.stop(Explanation("IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                                  Ref(igw, "internet-gateway"), "ingress",
                                  address=dst or ""))  # fmt: skip
            return False
        src = self.flow.source_ip or ANYWHERE
        arrival = self.from_internet(src, dst, self.flow.ports)
        return arrival is not None and self.arrive(arrival, src)

    def arrive(self, arrival: Arrival, origin: str) -> bool:
        """The packet is on the destination's subnet (or the internet): deliver it, then
        walk the answer back to `origin`."""
        if arrival.vpc is None or arrival.subnet is None:
            return self.on_internet(arrival, origin)
        key = (arrival.vpc.vpc_id, arrival.dst)
        host = self.ix.host_at.get(key)
        if host is not None:
            return self.into_host(host, arrival) and self.answer(arrival, origin)
        eni = self.ix.eni_at.get(key)
        if eni is not None:
            return self.into_endpoint(eni, arrival, origin)
        node = self.ix.node_at.get(key)
        if node is not None:
            return self.into_nlb(node[0], node[1], arrival.ports) and self.answer(arrival, origin)
        self.stop(Explanation("NO_POSSIBLE_DESTINATION", Ref(arrival.subnet.subnet_id, "subnet"),
                              vpc=arrival.vpc.vpc_id, address=arrival.dst))  # fmt: skip
        return False

    def into_host(self, host: InstanceNet, arrival: Arrival) -> bool:
        """The destination's security groups, for the address the packet comes from."""
        assert arrival.vpc is not None and arrival.subnet is not None
        interface = Ref(host.eni_id or host.instance_id, "network-interface")
        if self.zone_down(Ref(host.instance_id, "instance"), self.ix.zone_of(host),
                          arrival.vpc.vpc_id, host.subnet_id):  # fmt: skip
            return False
        hit = rules.security_group(host.security.ingress, arrival.src, self.protocol, arrival.ports)
        if not hit.ports:
            self.stop(
                Explanation(
                    "ENI_SG_RULES_MISMATCH",
                    interface,
                    "ingress",
                    arrival.vpc.vpc_id,
                    arrival.subnet.subnet_id,
                    groups=host.groups,
                )  # fmt: skip
            )
            return False
        self.hop(self.sg_hop(hit.rule, egress=False, vpc=arrival.vpc.vpc_id))
        header = Header(arrival.src, arrival.dst, self.protocol, hit.ports)
        self.hop(Hop(interface, arrival.vpc.vpc_id, arrival.subnet.subnet_id, header=header))
        if host.instance_id != interface.id:
            self.hop(Hop(Ref(host.instance_id, "instance"), arrival.vpc.vpc_id))
        return True

    def on_internet(self, arrival: Arrival, origin: str) -> bool:
        wanted = self.flow.destination
        if wanted and wanted != arrival.igw and wanted not in self.ix.igws:
            self.stop(Explanation("NO_POSSIBLE_DESTINATION", Ref(arrival.igw, "internet-gateway"),
                                  address=arrival.dst))  # fmt: skip
            return False
        with self.backwards():
            back = self.beyond_nat(self.from_internet(arrival.dst, arrival.src, EPHEMERAL), origin)
        return back is not None and back.dst == origin

    def answer(self, arrival: Arrival, origin: str) -> bool:
        """The answer from the destination back to `origin` (stateless ACLs, routes)."""
        assert arrival.vpc is not None and arrival.subnet is not None
        with self.backwards():
            return self.reply(arrival.vpc, arrival.subnet, arrival.dst, arrival.src, origin)

    def reply(
        self,
        vpc: VpcNet,
        subnet: SubnetNet,
        src: str,
        dst: str,
        origin: str,
        ports: Ports = EPHEMERAL,
    ) -> bool:
        back = self.beyond_nat(self.cross(vpc, subnet, src, dst, ports), origin)
        if back is None:
            return False
        return back.dst == origin or (back.vpc is None and origin == ANYWHERE)

    def beyond_nat(self, back: Arrival | None, origin: str) -> Arrival | None:
        """An answer that reached a NAT gateway goes on from it to the flow's origin."""
        for _ in range(MAX_LEGS):
            if back is None or back.vpc is None or back.subnet is None or back.dst == origin:
                break
            if (back.vpc.vpc_id, back.dst) not in self.ix.nat_at:
                break
            back = self.cross(back.vpc, back.subnet, back.src, origin, back.ports)
        return back

    # --- between subnets ---------------------------------------------------------------
    def cross(
        self, vpc: VpcNet, bridge: SubnetNet, src: str, dst: str, ports: Ports, legs: int = 0
    ) -> Arrival | None:
        """From the bridge of `bridge` to wherever `dst` is (bridged, routed, peered, to
        or through the internet, through a NAT gateway)."""
        if rules.contains(bridge.cidr, dst):
            return Arrival(vpc, bridge, src, dst, ports)
        by_source = self.ix.subnet_of(vpc, src) or bridge
        table = next((t for t in vpc.route_tables if t.table_id == by_source.route_table), None)
        found = rules.route(
            self.ix.blocks[vpc.vpc_id], table.routes if table else (),
            self.ix.realised[vpc.vpc_id], dst,
        ).route  # fmt: skip
        table_ref = Ref(by_source.route_table or vpc.vpc_id, "route-table")
        if found is None:
            self.stop(Explanation("NO_ROUTE_TO_DESTINATION", table_ref, vpc=vpc.vpc_id,
                                  subnet=by_source.subnet_id, address=dst))  # fmt: skip
            return None
        nat = self.ix.nats.get(found.target)
        if nat is None or nat.subnet_id != bridge.subnet_id:  # routed out of the bridge
            ports = self.acl(vpc, bridge, True, dst, ports)
            if not ports:
                return None
        self.hop(Hop(table_ref, vpc.vpc_id, by_source.subnet_id, route=found))
        if found.target == LOCAL:
            return self.into_subnet(vpc, src, dst, ports)
        peering = self.ix.peerings.get(found.target)
        if peering is not None:
            return self.peer(vpc, peering, src, dst, ports)
        if nat is not None and legs < MAX_LEGS:
            return self.through_nat(vpc, bridge, nat.nat_id, src, dst, ports, legs)
        return self.to_internet(vpc, src, dst, ports)

    def into_subnet(self, vpc: VpcNet, src: str, dst: str, ports: Ports) -> Arrival | None:
        subnet = self.ix.subnet_of(vpc, dst)
        if subnet is None:
            self.stop(Explanation("NO_POSSIBLE_DESTINATION", Ref(vpc.vpc_id, "vpc"),
                                  vpc=vpc.vpc_id, address=dst))  # fmt: skip
            return None
        ports = self.acl(vpc, subnet, False, src, ports)
        return Arrival(vpc, subnet, src, dst, ports) if ports else None

    def peer(
        self, vpc: VpcNet, peering: PeeringNet, src: str, dst: str, ports: Ports
    ) -> Arrival | None:
        other = self.ix.vpcs[peering.other(vpc.vpc_id)]
        ref = Ref(peering.peering_id, "vpc-peering-connection")
        self.hop(Hop(ref, source_vpc=vpc.vpc_id, destination_vpc=other.vpc_id))
        inside = any(rules.contains(b, src) for b in self.ix.blocks[vpc.vpc_id])
        if not inside or not any(rules.contains(b, dst) for b in self.ix.blocks[other.vpc_id]):
            self.stop(Explanation("PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", ref, vpc=other.vpc_id,
                                  address=dst))  # fmt: skip
            return None
        return self.into_subnet(other, src, dst, ports)

    def through_nat(
        self, vpc: VpcNet, bridge: SubnetNet, nat_id: str, src: str, dst: str, ports: Ports,
        legs: int,
    ) -> Arrival | None:  # fmt: skip
        """To the NAT gateway on its subnet, then on from its address."""
        nat = self.ix.nats[nat_id]
        _, home = self.ix.subnets[nat.subnet_id]
        if home.subnet_id != bridge.subnet_id:
            ports = self.acl(vpc, home, False, src, ports)
            if not ports:
                return None
        self.hop(Hop(Ref(nat_id, "nat-gateway"), vpc.vpc_id, home.subnet_id))
        if self.zone_down(Ref(nat_id, "nat-gateway"), home.az, vpc.vpc_id, home.subnet_id):
            return None
        return self.cross(vpc, home, nat.ip, dst, ports, legs + 1)

    def to_internet(self, vpc: VpcNet, src: str, dst: str, ports: Ports) -> Arrival | None:
        """Out through the VPC's internet gateway with the source's public address; into
        another VPC when `dst` is one of its public addresses."""
        ref = Ref(vpc.internet_gateway, "internet-gateway")
        self.hop(Hop(ref, vpc.vpc_id))
        public = self.ix.public_of.get((vpc.vpc_id, src))
        if public is None:
            self.stop(Explanation("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", ref, "egress",
                                  vpc.vpc_id, address=src))  # fmt: skip
            return None
        if dst in self.ix.public:
            return self.from_internet(public, dst, ports)
        return Arrival(None, None, public, dst, ports, vpc.internet_gateway)

    def from_internet(self, src: str, dst: str, ports: Ports) -> Arrival | None:
        """In through the internet gateway of the VPC holding public address `dst`."""
        address = self.ix.public.get(dst)
        vpc = self.ix.vpcs.get(address.vpc_id) if address else None
        if address is None or vpc is None or not vpc.internet_gateway:
            self.stop(Explanation("IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
                                  Ref(vpc.internet_gateway if vpc else "", "internet-gateway"),
                                  "ingress", address=dst))  # fmt: skip
            return None
        self.hop(Hop(Ref(vpc.internet_gateway, "internet-gateway"), vpc.vpc_id))
        return self.into_subnet(vpc, src, address.private_ip, ports)

    # --- what an endpoint or an NLB does (analysis_endpoints.PlanWalk) -----------------
    def into_endpoint(self, eni: Eni, arrival: Arrival, origin: str) -> bool:
        raise NotImplementedError

    def into_nlb(self, nlb: NlbNet, node: NlbNode, ports: Ports) -> bool:
        raise NotImplementedError

    # --- filters -------------------------------------------------------------------------
    def acl(self, vpc: VpcNet, subnet: SubnetNet, egress: bool, peer: str, ports: Ports) -> Ports:
        """One direction of a subnet's network ACL (the default ACL filters nothing)."""
        if subnet.acl is None:
            return ports
        hit = rules.acl(subnet.acl, egress, peer, self.protocol, ports)
        ref = Ref(subnet.acl.acl_id, "network-acl")
        if not hit.allowed:
            rule = hit.rule or AclRule(CATCH_ALL, False, "all", "0.0.0.0/0")
            self.stop(Explanation("SUBNET_ACL_RESTRICTION", ref,
                                  "egress" if egress else "ingress", vpc.vpc_id,
                                  subnet.subnet_id, acl_rule=rule))  # fmt: skip
            return ()
        self.hop(Hop(ref, vpc.vpc_id, subnet.subnet_id, acl_rule=hit.rule, egress=egress))
        return hit.ports

    def sg_hop(self, rule: SgRule | None, *, egress: bool, vpc: str) -> Hop:
        assert rule is not None  # some rule admitted the ports that pass
        return Hop(Ref(rule.group_id, "security-group"), vpc, sg_rule=rule, egress=egress)

    def attempt(self) -> tuple[int, int, int]:
        """Where the record stands, to roll back a tried branch (one NLB target)."""
        return len(self.forward), len(self.back), len(self.why)

    def rollback(self, mark: tuple[int, int, int]) -> None:
        del self.forward[mark[0] :], self.back[mark[1] :], self.why[mark[2] :]


_NOWHERE = PublicAddress("", "", "")
