"""The desired data-plane state as plain, frozen data: what the kernel should look like.

A reconciler builds one DataplanePlan from the store (the whole picture, every time) and
hands it to a driver; the driver observes the kernel, diffs and applies. Nothing here does
I/O, so plans are cheap to build, compare and test without root.

Design choices worth knowing:
- Security-group rules arrive *resolved*: a rule that references another group carries that
  group's current member addresses as /32 CIDRs. The data plane never looks up groups.
- The NLB is its own object (NlbNet) rather than part of each endpoint: one NLB serves many
  endpoints and clients inside its own VPC, and its target health is shared by all of them.
  An endpoint names the NLB it reaches (`nlb_id`); its listeners are the NLB's listeners.
- An endpoint to an AWS service that privlink implements ends at privlink's own HTTPS API
  instead (`local_port`): 127.0.0.1:local_port in the host's namespace, the only host
  destination the data plane ever uses. It has no NLB.
- The host-side resolver (`host_dns_port`, `host_dns`) answers the endpoint-specific public
  names on 127.0.0.1 for tools on the host; 0 = not run.
- Public names (endpoint-specific names, load balancers', public instance names ...) are
  in the plan once (`public_dns`), not in every VPC: a VPC answers its own records
  (`VpcNet.dns_records`), and a public name only where it has no record of that name.
  Copied into every VPC they made the plan O(VPCs x endpoints).
- A gateway endpoint to an AWS service privlink implements (S3) is a `GatewayNet`: the
  service's public front addresses inside the VPC, reachable only from the subnets whose
  route table routes the service's prefix list to the endpoint, relayed to privlink's API.
- IPv4 only for now.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from privlink.dataplane import access, routing
from privlink.dataplane.access import ClientVpnNet
from privlink.dataplane.alb import AlbNet, TlsTermination
from privlink.dataplane.routing import (
    AclNet,
    InternetNet,
    NatGatewayNet,
    PeeringNet,
    RouteTableNet,
)

Protocol = Literal["tcp", "udp", "icmp", "all"]
L4Protocol = Literal["tcp", "udp"]

AMAZON_DNS_LINK_LOCAL = "169.254.169.253"
# An endpoint with a local_port listens here on its ENIs: what SDKs dial (https://...).
LOCAL_SERVICE_PORT = 443
HOST_RESOLVER = "host-resolver"  # the resource id problems of the host-side resolver go to
PUBLIC_DNS = "public-dns"  # the resource id problems of plan.public_dns go to
_PROTOCOL_ALIASES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}


def normalize_protocol(value: str) -> Protocol:
    """Map an EC2 IpProtocol value ("tcp", "6", "-1" ...) to the plan's vocabulary."""
    name = _PROTOCOL_ALIASES.get(value.lower(), value.lower())
    if name not in ("tcp", "udp", "icmp", "all"):
        raise ValueError(f"unsupported protocol {value!r}")
    return name  # type: ignore[return-value]


@functools.lru_cache(maxsize=16384)
def network(cidr: str, strict: bool = False) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """`cidr` parsed once: the same VPC and subnet blocks are read for every instance,
    endpoint and check of every plan (parsing them was most of rendering and validating
    a plan at 1,000 VPCs)."""
    return ipaddress.ip_network(cidr, strict=strict)


@functools.lru_cache(maxsize=16384)
def _gateway(cidr: str) -> str:
    return str(network(cidr, strict=True).network_address + 1)


@dataclass(frozen=True)
class SgRule:
    """One security-group permission.

    For tcp/udp, from_port..to_port is the port range (-1 or 0..65535 = all ports).
    For icmp, from_port is the ICMP type and to_port the code (-1 = any).
    `cidrs` are the peers; a referenced group is expanded to its members' /32s.
    `group_id` names the group the rule belongs to (the Reachability Analyzer's answers
    name it; the kernel does not care).
    """

    protocol: Protocol
    from_port: int = -1
    to_port: int = -1
    cidrs: tuple[str, ...] = ("0.0.0.0/0",)
    group_id: str = ""


ALLOW_ALL: tuple[SgRule, ...] = (SgRule("all"),)


@dataclass(frozen=True)
class SecurityRules:
    """The union of an interface's security groups (stateful: replies always pass)."""

    ingress: tuple[SgRule, ...] = ()
    egress: tuple[SgRule, ...] = ALLOW_ALL


@dataclass(frozen=True)
class SubnetNet:
    subnet_id: str
    cidr: str
    az: str
    route_table: str = ""  # its table's id (explicit association, else the main table)
    acl: AclNet | None = None  # None: the default ACL's effect, everything allowed

    @property
    def gateway(self) -> str:
        """The VPC router's address in this subnet (base + 1), as in AWS."""
        return _gateway(self.cidr)

    @property
    def prefixlen(self) -> int:
        return network(self.cidr, strict=True).prefixlen


@dataclass(frozen=True)
class DnsRecord:
    """A name the VPC resolver answers: A records, or a CNAME to a name it also knows.

    `wildcard`: the addresses answer `name` and every name under it, at any depth (a
    Route 53 `*.name` record: BUCKET.vpce-ID.s3.REGION.vpce.amazonaws.com, or
    a.b.s3.REGION.amazonaws.com). Wildcards carry addresses, never a CNAME."""

    name: str
    addresses: tuple[str, ...] = ()
    cname: str | None = None
    wildcard: bool = False


@dataclass(frozen=True)
class VpcNet:
    """A VPC. `dns_records` are its own answers (its host names, its endpoints' private
    names, split horizon): each wins over a public name of the same name (plan.public_dns)."""

    vpc_id: str
    cidr: str
    subnets: tuple[SubnetNet, ...] = ()
    resolver_enabled: bool = True  # enableDnsSupport
    dns_records: tuple[DnsRecord, ...] = ()
    route_tables: tuple[RouteTableNet, ...] = ()
    internet_gateway: str = ""  # the attached internet gateway's id

    @property
    def resolver_ip(self) -> str:
        """The Amazon-provided DNS server: VPC base + 2."""
        return str(network(self.cidr, strict=True).network_address + 2)

    def subnet(self, subnet_id: str) -> SubnetNet:
        for subnet in self.subnets:
            if subnet.subnet_id == subnet_id:
                return subnet
        raise KeyError(subnet_id)


@dataclass(frozen=True)
class InstanceNet:
    """A running instance: one interface in one subnet. Present in the plan = running."""

    instance_id: str
    vpc_id: str
    subnet_id: str
    ip: str
    security: SecurityRules = field(default_factory=SecurityRules)
    user_data: str | None = None  # run once, at first boot, as a script inside the instance
    # The key pair's public key (OpenSSH form): sshd lets ec2-user in with it (a bastion).
    ssh_key: str | None = None
    # Its interface and security groups, for the Reachability Analyzer's answers.
    eni_id: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    ip: str
    port: int
    az: str


@dataclass(frozen=True)
class HealthCheck:
    """TCP health check, from the NLB node to the target (AWS NLB semantics).

    `port` None means the traffic port. A target starts `initial` and turns healthy after
    `healthy_threshold` consecutive successes, unhealthy after `unhealthy_threshold` failures.
    """

    port: int | None = None
    interval: float = 10.0
    timeout: float = 5.0
    healthy_threshold: int = 3
    unhealthy_threshold: int = 3


@dataclass(frozen=True)
class TargetGroupNet:
    """Targets behind a listener. `health_check` None: every target counts as healthy."""

    target_group_id: str
    protocol: L4Protocol
    targets: tuple[Target, ...] = ()
    health_check: HealthCheck | None = field(default_factory=HealthCheck)
    proxy_protocol_v2: bool = False
    cross_zone: bool = False


@dataclass(frozen=True)
class NlbListener:
    protocol: L4Protocol
    port: int
    target_group: TargetGroupNet
    tls: TlsTermination | None = None  # a TLS listener: the NLB terminates TLS (alb.py)


@dataclass(frozen=True)
class NlbNode:
    """The NLB's presence in one AZ: an address in one of the provider's subnets."""

    subnet_id: str
    az: str
    ip: str


@dataclass(frozen=True)
class NlbNet:
    nlb_id: str
    vpc_id: str
    nodes: tuple[NlbNode, ...]
    listeners: tuple[NlbListener, ...] = ()

    def node_in(self, az: str) -> NlbNode | None:
        for node in self.nodes:
            if node.az == az:
                return node
        return None

    def target_groups(self) -> tuple[TargetGroupNet, ...]:
        seen: dict[str, TargetGroupNet] = {}
        for listener in self.listeners:
            seen.setdefault(listener.target_group.target_group_id, listener.target_group)
        return tuple(seen.values())


@dataclass(frozen=True)
class EniNet:
    """One endpoint network interface: an address in a consumer subnet."""

    eni_id: str
    subnet_id: str
    az: str
    ip: str


@dataclass(frozen=True)
class EndpointNet:
    """An interface VPC endpoint, consumer side.

    With `nlb_id` it forwards every listener of that NLB from each ENI to the NLB node in
    the ENI's AZ. With `local_port` instead (an AWS service privlink implements) it relays
    TCP 443 on each ENI to 127.0.0.1:local_port in the host's namespace, where privlink's
    HTTPS API listens: exactly one of the two is set.
    `active` False (any state but 'available'): it carries nothing and open flows are cut.
    """

    endpoint_id: str
    vpc_id: str
    nlb_id: str | None
    enis: tuple[EniNet, ...]
    ingress: tuple[SgRule, ...] = ()
    active: bool = True
    local_port: int | None = None
    # For the Reachability Analyzer's answers: the endpoint's state, service and groups.
    state: str = ""
    service_id: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GatewayNet:
    """A gateway endpoint to an AWS service privlink implements (S3), while available.

    `addresses` are the service's public front addresses (what its public names resolve
    to in every VPC, inside the region's prefix list); in this VPC they accept TCP
    `LOCAL_SERVICE_PORT` from `sources` only (the CIDRs of the subnets whose route table
    routes the prefix list to this endpoint) and relay it to 127.0.0.1:local_port.
    Anything else sent to them finds no route, as on AWS without the route."""

    endpoint_id: str
    vpc_id: str
    addresses: tuple[str, ...]
    sources: tuple[str, ...]
    local_port: int


@dataclass(frozen=True)
class DataplanePlan:
    vpcs: tuple[VpcNet, ...] = ()
    instances: tuple[InstanceNet, ...] = ()
    nlbs: tuple[NlbNet, ...] = ()
    endpoints: tuple[EndpointNet, ...] = ()
    # The host-side resolver: 127.0.0.1:host_dns_port answers these names (0 = none).
    host_dns_port: int = 0
    host_dns: tuple[DnsRecord, ...] = ()
    gateways: tuple[GatewayNet, ...] = ()
    client_vpns: tuple[ClientVpnNet, ...] = ()
    peerings: tuple[PeeringNet, ...] = ()
    nat_gateways: tuple[NatGatewayNet, ...] = ()
    internet: InternetNet | None = None  # None: no plk-inet namespace
    albs: tuple[AlbNet, ...] = ()  # application load balancers (alb.py)
    # Availability zones in an outage (`privlink az fail`): what lives in them stops
    # answering (topology.py drops it in each object's namespace). DNS answers are
    # already trimmed by the plan's builder.
    failed_zones: frozenset[str] = frozenset()
    # Interfaces (ENI ids) a flow log names, directly or by subnet or VPC: only these pay
    # for per-flow counting (linux/observe.py).
    flow_logged: tuple[str, ...] = ()
    # What every VPC resolver answers unless the VPC has a record of that name itself
    # (sorted by name).
    public_dns: tuple[DnsRecord, ...] = ()

    def vpc(self, vpc_id: str) -> VpcNet:
        return self._vpcs[vpc_id]

    def nlb(self, nlb_id: str) -> NlbNet:
        return self._nlbs[nlb_id]

    # Indexes built on first use (not fields: equality and repr ignore them). A search of
    # the tuple per lookup made rendering quadratic: 66 ms of 145 at 1,000 VPCs.
    @functools.cached_property
    def _vpcs(self) -> dict[str, VpcNet]:
        return {vpc.vpc_id: vpc for vpc in self.vpcs}

    @functools.cached_property
    def _nlbs(self) -> dict[str, NlbNet]:
        return {nlb.nlb_id: nlb for nlb in self.nlbs}

    def without(self, resource_ids: Iterable[str]) -> DataplanePlan:
        """This plan minus the given resources and everything that depends on them."""
        bad = set(resource_ids)
        vpcs = tuple(v for v in self.vpcs if v.vpc_id not in bad)
        ok_vpcs = {v.vpc_id for v in vpcs}
        instances = tuple(
            i for i in self.instances if i.instance_id not in bad and i.vpc_id in ok_vpcs
        )
        nlbs = tuple(n for n in self.nlbs if n.nlb_id not in bad and n.vpc_id in ok_vpcs)
        ok_nlbs = {n.nlb_id for n in nlbs}
        endpoints = tuple(
            e
            for e in self.endpoints
            if e.endpoint_id not in bad
            and e.vpc_id in ok_vpcs
            and (e.nlb_id is None or e.nlb_id in ok_nlbs)
        )
        gateways = tuple(
            g for g in self.gateways if g.endpoint_id not in bad and g.vpc_id in ok_vpcs
        )
        albs = tuple(a for a in self.albs if a.alb_id not in bad and a.vpc_id in ok_vpcs)
        if HOST_RESOLVER in bad:
            plan = DataplanePlan(vpcs, instances, nlbs, endpoints, gateways=gateways, albs=albs)
        else:
            plan = DataplanePlan(
                vpcs,
                instances,
                nlbs,
                endpoints,
                self.host_dns_port,
                self.host_dns,
                gateways,
                albs=albs,
            )
        plan = replace(
            plan,
            client_vpns=access.kept(self, bad, ok_vpcs),
            failed_zones=self.failed_zones,
            flow_logged=self.flow_logged,
            public_dns=() if PUBLIC_DNS in bad else self.public_dns,
        )
        return routing.trim(self, plan, bad, ok_vpcs)
