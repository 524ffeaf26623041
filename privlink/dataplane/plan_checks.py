"""Checks a DataplanePlan for what would break the kernel or contradict AWS rules.

`validate(plan)` gives the problems per resource id. A resource with problems (or
depending on one that has them) should not be realised; `plan.without(problems)`
removes them. Pure: no I/O.
"""

from __future__ import annotations

import functools
import ipaddress
from collections import Counter

from privlink.dataplane import access, routing
from privlink.dataplane.plan import (
    HOST_RESOLVER,
    PUBLIC_DNS,
    DataplanePlan,
    DnsRecord,
    EndpointNet,
    GatewayNet,
    NlbNet,
    SgRule,
    VpcNet,
    network,
)


class _Validator:
    """Checks a plan for what would break the kernel or contradict AWS rules."""

    def __init__(self, plan: DataplanePlan) -> None:
        self.plan = plan
        self.problems: dict[str, list[str]] = {}
        self.vpcs = {v.vpc_id: v for v in plan.vpcs}
        self.used_ips: dict[tuple[str, str], str] = {}  # (vpc, ip) -> owner
        self.nlb_ids = {n.nlb_id for n in plan.nlbs}

    def add(self, resource_id: str, problem: str) -> None:
        self.problems.setdefault(resource_id, []).append(problem)

    def run(self) -> dict[str, list[str]]:
        self._unique("vpc", [v.vpc_id for v in self.plan.vpcs])
        self._unique("instance", [i.instance_id for i in self.plan.instances])
        self._unique("nlb", [n.nlb_id for n in self.plan.nlbs])
        self._unique(
            "endpoint",
            [e.endpoint_id for e in self.plan.endpoints]
            + [g.endpoint_id for g in self.plan.gateways],
        )
        for vpc in self.plan.vpcs:
            self._vpc(vpc)
        for inst in self.plan.instances:
            self._address(inst.instance_id, inst.vpc_id, inst.subnet_id, inst.ip)
            self._rules(inst.instance_id, inst.security.ingress + inst.security.egress)
        for nlb in self.plan.nlbs:
            self._nlb(nlb)
        for ep in self.plan.endpoints:
            self._endpoint(ep)
        for gateway in self.plan.gateways:
            self._gateway(gateway)
        for alb in self.plan.albs:
            for problem in alb.problems():
                self.add(alb.alb_id, problem)
            for node in alb.nodes:
                self._address(alb.alb_id, alb.vpc_id, node.subnet_id, node.ip)
            self._rules(alb.alb_id, alb.security.ingress + alb.security.egress)
        self._host_resolver()
        self._records(PUBLIC_DNS, self.plan.public_dns)
        for rid, problem in access.problems(self.plan):
            self.add(rid, problem)
        for rid, problem in routing.problems(self.plan):
            self.add(rid, problem)
        return self.problems

    def _unique(self, kind: str, ids: list[str]) -> None:
        for rid, times in Counter(ids).items():
            if times > 1:
                self.add(rid, f"duplicate {kind} id")

    def _vpc(self, vpc: VpcNet) -> None:
        try:
            net = network(vpc.cidr, strict=True)
        except ValueError as exc:
            self.add(vpc.vpc_id, f"bad cidr: {exc}")
            return
        seen: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for subnet in vpc.subnets:
            try:
                snet = network(subnet.cidr, strict=True)
            except ValueError as exc:
                self.add(vpc.vpc_id, f"subnet {subnet.subnet_id}: {exc}")
                continue
            if not snet.subnet_of(net):  # type: ignore[arg-type]
                self.add(vpc.vpc_id, f"subnet {subnet.subnet_id} not inside {vpc.cidr}")
            if any(snet.overlaps(other) for other in seen):  # type: ignore[arg-type]
                self.add(vpc.vpc_id, f"subnet {subnet.subnet_id} overlaps another subnet")
            seen.append(snet)
        self._records(vpc.vpc_id, vpc.dns_records)

    def _records(self, owner: str, records: tuple[DnsRecord, ...]) -> None:
        for record in records:
            if bool(record.addresses) == bool(record.cname) or (record.wildcard and record.cname):
                self.add(owner, f"dns record {record.name}: give addresses or a cname")

    def _address(self, owner: str, vpc_id: str, subnet_id: str, ip: str) -> None:
        vpc = self.vpcs.get(vpc_id)
        if vpc is None:
            self.add(owner, f"unknown vpc {vpc_id}")
            return
        try:
            subnet = vpc.subnet(subnet_id)
            snet = network(subnet.cidr, strict=True)
            addr = _address(ip)
        except (KeyError, ValueError) as exc:
            self.add(owner, f"bad subnet or address: {exc}")
            return
        if addr not in snet:
            self.add(owner, f"{ip} is not in subnet {subnet_id} ({subnet.cidr})")
        elif int(addr) - int(snet.network_address) < 4 or addr == snet.broadcast_address:
            self.add(owner, f"{ip} is reserved in {subnet.cidr}")
        other = self.used_ips.setdefault((vpc_id, ip), owner)
        if other != owner:
            self.add(owner, f"{ip} already used by {other}")

    def _rules(self, owner: str, rules: tuple[SgRule, ...]) -> None:
        for rule in rules:
            if rule.protocol not in ("tcp", "udp", "icmp", "all"):
                self.add(owner, f"bad protocol {rule.protocol!r}")
            for cidr in rule.cidrs:
                try:
                    network(cidr)
                except ValueError:
                    self.add(owner, f"bad cidr {cidr!r}")

    def _nlb(self, nlb: NlbNet) -> None:
        if not nlb.nodes:
            self.add(nlb.nlb_id, "no nodes")
        if len({n.az for n in nlb.nodes}) != len(nlb.nodes):
            self.add(nlb.nlb_id, "more than one node per AZ")
        for node in nlb.nodes:
            self._address(nlb.nlb_id, nlb.vpc_id, node.subnet_id, node.ip)
        ports = [(li.protocol, li.port) for li in nlb.listeners]
        if len(set(ports)) != len(ports):
            self.add(nlb.nlb_id, "duplicate listener")
        for listener in nlb.listeners:
            tg = listener.target_group
            if not 0 < listener.port < 65536:
                self.add(nlb.nlb_id, f"bad listener port {listener.port}")
            if tg.protocol != listener.protocol:
                self.add(nlb.nlb_id, f"listener {listener.port}: target group protocol differs")
            if tg.proxy_protocol_v2 and tg.protocol != "tcp":
                self.add(nlb.nlb_id, f"{tg.target_group_id}: PROXY v2 needs tcp")

    def _endpoint(self, ep: EndpointNet) -> None:
        if (ep.nlb_id is None) == (ep.local_port is None):
            self.add(ep.endpoint_id, "give an nlb or a local port, not both or neither")
        elif ep.local_port is not None and not 0 < ep.local_port < 65536:
            self.add(ep.endpoint_id, f"bad local port {ep.local_port}")
        elif ep.nlb_id is not None and ep.nlb_id not in self.nlb_ids:
            self.add(ep.endpoint_id, f"unknown nlb {ep.nlb_id}")
        if len({e.az for e in ep.enis}) != len(ep.enis):
            self.add(ep.endpoint_id, "more than one network interface per AZ")
        for eni in ep.enis:
            self._address(ep.endpoint_id, ep.vpc_id, eni.subnet_id, eni.ip)
        self._rules(ep.endpoint_id, ep.ingress)

    def _gateway(self, gateway: GatewayNet) -> None:
        vpc = self.vpcs.get(gateway.vpc_id)
        if vpc is None:
            self.add(gateway.endpoint_id, f"unknown vpc {gateway.vpc_id}")
            return
        if not 0 < gateway.local_port < 65536:
            self.add(gateway.endpoint_id, f"bad local port {gateway.local_port}")
        try:
            inside = network(vpc.cidr, strict=True)
            fronts = [ipaddress.IPv4Address(a) for a in gateway.addresses]
            for cidr in gateway.sources:
                ipaddress.IPv4Network(cidr)
        except ValueError as exc:
            self.add(gateway.endpoint_id, f"bad address: {exc}")
            return
        if not fronts or any(a in inside for a in fronts):
            self.add(gateway.endpoint_id, "service addresses missing or inside the VPC")

    def _host_resolver(self) -> None:
        if not 0 <= self.plan.host_dns_port < 65536:
            self.add(HOST_RESOLVER, f"bad port {self.plan.host_dns_port}")
        known = {r.name for r in self.plan.host_dns if r.addresses}
        for record in self.plan.host_dns:
            if bool(record.addresses) == bool(record.cname) or (
                record.cname and record.cname not in known
            ):
                self.add(HOST_RESOLVER, f"dns record {record.name}: A records or a known CNAME")
            for ip in record.addresses:
                try:
                    _ipv4(ip)
                except ValueError:
                    self.add(HOST_RESOLVER, f"dns record {record.name}: bad address {ip!r}")


@functools.lru_cache(maxsize=1 << 16)
def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Parsed once: every plan checks every address again (a cache miss raises, uncached)."""
    return ipaddress.ip_address(ip)


@functools.lru_cache(maxsize=1 << 16)
def _ipv4(ip: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(ip)


def validate(plan: DataplanePlan) -> dict[str, list[str]]:
    """Problems per resource id (empty: the plan can be realised as a whole)."""
    return _Validator(plan).run()
