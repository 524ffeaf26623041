"""The kernel objects a plan becomes (KernelSpec), as frozen data. Pure: no I/O.

topology.py (instances, NLBs, endpoints), router.py (each VPC's router) and internet.py
(privlink's internet and NAT gateways) fill one `Parts` from a plan; converge.py makes the
kernel look like the result. A veth is declared from one side (kind "veth") and its far end
in the other namespace (kind "peer"), so each module adds the links it owns wherever they
land, and a namespace's link list is only complete once every module has run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from privlink.dataplane import names
from privlink.dataplane.base import TargetState
from privlink.dataplane.linux.daemons import DaemonSpec
from privlink.dataplane.linux.haproxycfg import HaproxySpec
from privlink.dataplane.linux.proxyconfig import ProxySpec
from privlink.dataplane.plan import HealthCheck

HealthKey = tuple[str, str, int]  # (target group id, ip, port)
HealthMap = Mapping[HealthKey, TargetState]
MAIN_TABLE = 254
LOCAL_TABLE = 255

FORWARDING = (("net.ipv4.ip_forward", "1"),)
# IPv4 only: new links get no IPv6 (no link-local chatter, no unfiltered side channel);
# lo keeps ::1 because it exists before this is set.
QUIET = (("net.ipv6.conf.default.disable_ipv6", "1"),)
# A link whose hardware address is set (links.announce sets it again, unchanged) sends a
# gratuitous ARP for each of its addresses: announcements with no packet socket.
ANNOUNCE = (("net.ipv4.conf.all.arp_notify", "1"),)


@dataclass(frozen=True)
class VethPeer:
    name: str
    netns: str


@dataclass(frozen=True)
class LinkSpec:
    """A link in one namespace. kind "veth" is created from this side (with its peer in
    `peer.netns`); kind "peer" is the far end of a veth declared in another namespace."""

    name: str
    kind: str  # "bridge" | "veth" | "peer"
    peer: VethPeer | None = None
    master: str | None = None
    addresses: tuple[str, ...] = ()  # "10.0.1.1/24"
    owner: str = ""  # the resource a failure is reported against
    mac: str = ""  # set when something keys on it (names.eni_mac); else the kernel's


@dataclass(frozen=True)
class RouteSpec:
    """A route; `table` other than main holds one route table's routes (policy routing).
    Without a gateway it is a route onto `dev` (a subnet on that link); with both, the
    gateway is reached through `dev` only (an ENI's table in its NLB's namespace)."""

    dst: str  # "0.0.0.0/0" for the default route
    gateway: str
    table: int = MAIN_TABLE
    dev: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A policy-routing rule: packets from `src` (or to `dst`, or whose mark is `fwmark`
    under `fwmask`) look up `table` first, or with `goto` go on at the rules of that
    priority. A rule for LOCAL_TABLE with no match moves the kernel's own (priority 0)
    behind the rules before it."""

    priority: int
    table: int
    src: str = ""
    dst: str = ""
    fwmark: int = 0
    fwmask: int = 0  # 0: the whole mark
    goto: int = 0


@dataclass(frozen=True)
class NamespaceSpec:
    name: str
    owner: str  # the resource id, for error reports
    sysctls: tuple[tuple[str, str], ...] = ()
    loopback: tuple[str, ...] = ()  # extra /32s on lo
    links: tuple[LinkSpec, ...] = ()
    routes: tuple[RouteSpec, ...] = ()
    ruleset: str | None = None  # body of table inet plk; None = no table
    rules: tuple[RuleSpec, ...] = ()
    headers: tuple[HeaderSpec, ...] = ()  # PROXY v2 listeners on its links
    shortcuts: tuple[PortSpec, ...] = ()  # bridge ports the subnet shortcut serves


@dataclass(frozen=True)
class PortSpec:
    """A port of a subnet bridge whose far end's MAC is known (LinkSpec.mac): frames from
    the bridge's other such ports to that MAC go straight to it (subnet_shortcut.py)."""

    link: str
    bridge: str
    mac: str


@dataclass(frozen=True)
class HeaderSpec:
    """A PROXY v2 listener on an ENI's (or an NLB node's) link: flows to `port` there get
    a header naming the client, the address it reached and `vpce_id` ("" on a node: no
    endpoint TLV), put in by the kernel (proxy_header.py)."""

    link: str
    mac: str  # the link's (names.eni_mac, nlb_node_mac): how the program knows the link
    scope: str  # what the link serves, flows keyed by it: the ENI's id, or the NLB's
    port: int
    vpce_id: str


@dataclass(frozen=True)
class DnsSpec:
    """One dnsmasq. `vpc_id` keys it (HOST_RESOLVER for the host-side one); `netns` ""
    means the driver's own namespace (the host), where it must only listen on 127.0.0.1."""

    vpc_id: str
    netns: str
    listen: tuple[str, ...]
    hosts: str  # addn-hosts file content
    cnames: tuple[tuple[str, str], ...]
    port: int = 53
    # (name, addresses): answered for the name and every name under it (address=/name/ip)
    wildcards: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The front also reads the shared hosts file of public names (KernelSpec.public_hosts).
    shared_hosts: bool = False
    # Lines of that file the back needs besides its own: the targets of its CNAMEs.
    shared_targets: str = ""


@dataclass(frozen=True)
class InstanceSpec:
    instance_id: str
    netns: str
    resolv_conf: str
    user_data: str | None


@dataclass(frozen=True)
class CheckSpec:
    key: HealthKey
    netns: str
    source_ip: str
    port: int
    check: HealthCheck
    proxy_protocol: bool


@dataclass(frozen=True)
class EndpointState:
    """What the driver needs to cut an endpoint's flows when it turns inactive: the
    namespace its ENIs live in, and their conntrack zones there (none: the namespace is
    the endpoint's own, all of its flows go)."""

    endpoint_id: str
    netns: str
    active: bool
    zones: tuple[int, ...] = ()


@dataclass
class KernelSpec:
    namespaces: dict[str, NamespaceSpec] = field(default_factory=dict)
    dns: dict[str, DnsSpec] = field(default_factory=dict)
    instances: dict[str, InstanceSpec] = field(default_factory=dict)
    proxies: dict[str, ProxySpec] = field(default_factory=dict)
    checks: list[CheckSpec] = field(default_factory=list)
    endpoints: dict[str, EndpointState] = field(default_factory=dict)
    daemons: dict[str, DaemonSpec] = field(default_factory=dict)  # sshd, OpenVPN
    haproxies: dict[str, HaproxySpec] = field(default_factory=dict)  # load balancers
    # /etc/netns/NAME/resolv.conf of namespaces that are not instances (the internet's)
    resolv: dict[str, str] = field(default_factory=dict)
    # The shared hosts file of public names every VPC resolver reads (linux/public_dns.py)
    public_hosts: str = ""
    # Each endpoint ENI's slot in its NLB's namespace (names.eni_slots): the next build
    # keeps them, so an ENI never changes its conntrack zone, mark or table
    eni_slots: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Port:
    """A host's port on a subnet bridge (Parts.add_port): the router's end `name`, the
    host's end `inner` in `netns` holding `address`; `mac` "" leaves the kernel's."""

    router: str
    subnet_id: str
    name: str
    netns: str
    inner: str
    address: str
    owner: str
    mac: str = ""


class Parts:
    """What the topology modules fill while building: the KernelSpec, the namespaces
    drafted so far (links come later), and every namespace's links, from either side."""

    def __init__(self) -> None:
        self.spec = KernelSpec()
        self.drafts: list[NamespaceSpec] = []
        self.links: dict[str, list[LinkSpec]] = {}

    def add_link(self, netns: str, link: LinkSpec) -> None:
        self.links.setdefault(netns, []).append(link)

    def add_eni(
        self, eni_id: str, subnet_id: str, router: str, netns: str, address: str, owner: str
    ) -> None:
        """An ENI: a veth from its subnet's bridge in the VPC's `router` namespace into
        `netns`, where it holds `address` ("ip/prefix")."""
        port, link, mac = names.eni_port(eni_id), names.eni_link(eni_id), names.eni_mac(eni_id)
        self.add_port(Port(router, subnet_id, port, netns, link, address, owner, mac))

    def add_port(self, port: Port) -> None:
        """A host on a subnet: a veth from the subnet's bridge in the router into the
        host's namespace, where its end holds the host's address."""
        self.add_link(
            port.router,
            LinkSpec(
                port.name,
                "veth",
                VethPeer(port.inner, port.netns),
                names.subnet_bridge(port.subnet_id),
                owner=port.owner,
            ),
        )
        inner = LinkSpec(
            port.inner, "peer", addresses=(port.address,), owner=port.owner, mac=port.mac
        )
        self.add_link(port.netns, inner)

    def finish(
        self, finished: dict[str, tuple[NamespaceSpec, NamespaceSpec]] | None = None
    ) -> KernelSpec:
        """Each drafted namespace with its links (IPv6 off, ARP announcements on) and the
        bridge ports its subnet shortcut serves. `finished`: draft and result of the last
        build per namespace (rendered.py); the very same draft with the very same links
        gives the very same result (a port's far-end MAC derives from the far end's id,
        so the same links serve the same shortcuts). It is updated to this build's."""
        macs: dict[tuple[str, str], str] | None = None
        last = dict(finished or {})
        if finished is not None:
            finished.clear()
        for draft in self.drafts:
            links = tuple(self.links.get(draft.name, ()))
            kept = last.get(draft.name)
            if kept is not None and kept[0] is draft and kept[1].links == links:
                done = kept[1]
            else:
                if macs is None:
                    macs = {
                        (ns, link.name): link.mac
                        for ns, found in self.links.items()
                        for link in found
                    }
                done = replace(
                    draft,
                    sysctls=QUIET + ANNOUNCE + draft.sysctls,
                    links=links,
                    shortcuts=_shortcuts(links, macs),
                )
            self.spec.namespaces[draft.name] = done
            if finished is not None:
                finished[draft.name] = (draft, done)
        return self.spec


def _shortcuts(
    links: tuple[LinkSpec, ...], macs: dict[tuple[str, str], str]
) -> tuple[PortSpec, ...]:
    """The ports of a namespace's bridges whose far ends have known MACs, on bridges with
    two or more of them (with one, no frame could take the shortcut)."""
    ports = [
        PortSpec(link.name, link.master, macs[(link.peer.netns, link.peer.name)])
        for link in links
        if link.kind == "veth" and link.master and link.peer
        if macs.get((link.peer.netns, link.peer.name))
    ]
    per_bridge = Counter(port.bridge for port in ports)
    return tuple(port for port in ports if per_bridge[port.bridge] > 1)
