"""Store -> what each VPC router decides: route tables, network ACLs, peering connections,
NAT gateways, public addresses and privlink's internet (plan data of dataplane.routing).

- A subnet routes by its explicit route table, else the VPC's main table (EC2's
  `table_for_subnet`); a route to a managed prefix list becomes one route per CIDR.
- A subnet's ACL is `effective_acl`'s (its association, else the VPC's default ACL); the
  default ACL left as made (allow all both ways) is sent as None, so a VPC nobody changed
  gets no filter at all.
- A public address is an Elastic IP associated with a live interface, or the public IP an
  interface got at launch (MapPublicIpOnLaunch / AssociatePublicIpAddress). A NAT
  gateway's Elastic IP is one too: its interface holds it, as on AWS.
- Public DNS names (ec2-198-19-0-5.compute-1.amazonaws.com, or
  ec2-...REGION.compute.amazonaws.com) answer the public address everywhere but in the
  instance's own VPC, where they answer the private one (AWS's split horizon), and in a
  peer VPC whose side allows DNS resolution from the remote VPC.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.dataplane import plan as p
from privlink.dataplane import routing as r
from privlink.services.ec2.network import addresses, prefix_lists
from privlink.services.ec2.network.acls import CATCH_ALL, EffectiveAcl, effective_acl
from privlink.services.ec2.network.addressing import private_dns_name, public_dns_name
from privlink.services.ec2.network.topology import active_peerings, table_for_subnet
from privlink.services.ec2.records import (
    AclEntry,
    ElasticIp,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Subnet,
    Vpc,
)
from privlink.store.unit import UnitOfWork


def _target(route: Route) -> str:
    return (
        route.vpc_peering_connection_id
        or route.nat_gateway_id
        or route.gateway_id
        or route.vpc_endpoint_id
        or route.network_interface_id
        or route.instance_id
        or ""
    )


def _destinations(table: RouteTable, route: Route) -> tuple[str, ...]:
    if route.destination_cidr.startswith("pl-"):
        found = prefix_lists.by_id(table.region, route.destination_cidr)
        return found.cidrs if found else ()
    return (route.destination_cidr,) if r.is_ipv4_cidr(route.destination_cidr) else ()


def route_tables(uow: UnitOfWork, vpc: Vpc) -> tuple[r.RouteTableNet, ...]:
    """The VPC's tables with their routes as the router needs them (local routes and
    gateway endpoints' prefix-list routes are the router's own business)."""
    tables = uow.list(RouteTable, vpc.account, vpc.region, parent=vpc.id)
    return tuple(
        r.RouteTableNet(
            table.id,
            tuple(
                r.RouteNet(cidr, _target(route))
                for route in table.routes
                if route.gateway_id != "local"
                for cidr in _destinations(table, route)
            ),
        )
        for table in tables
    )


def _rule(entry: AclEntry) -> r.AclRule | None:
    if entry.rule_number == CATCH_ALL or ":" in entry.cidr:
        return None  # the catch-all is the chain's end; IPv6 entries match nothing here
    protocol = r.acl_protocol(entry.protocol)
    low, high = entry.from_port, entry.to_port
    if protocol == "icmp":
        low, high = entry.icmp_type, entry.icmp_code
    return r.AclRule(
        entry.rule_number,
        entry.rule_action == "allow",
        protocol,
        entry.cidr,
        -1 if low is None else low,
        -1 if high is None else high,
    )


def _acl(found: EffectiveAcl | None) -> r.AclNet | None:
    if found is None:
        return None
    ingress = tuple(x for e in found.ingress if (x := _rule(e)) is not None)
    egress = tuple(x for e in found.egress if (x := _rule(e)) is not None)
    everything = (r.AclRule(100, True, "all", "0.0.0.0/0"),)
    if ingress == everything and egress == everything:
        return None  # the default ACL's effect: nothing to filter
    return r.AclNet(found.acl_id, ingress, egress)


def subnet_net(uow: UnitOfWork, subnet: Subnet) -> p.SubnetNet:
    table = table_for_subnet(Scope.of(subnet, uow), subnet)
    return p.SubnetNet(
        subnet.id,
        subnet.cidr,
        subnet.availability_zone,
        route_table=table.id if table else "",
        acl=_acl(effective_acl(uow, subnet.id)),
    )


def internet_gateway(uow: UnitOfWork, vpc: Vpc) -> str:
    found = uow.list(InternetGateway, vpc.account, vpc.region, parent=vpc.id)
    return found[0].id if found else ""


def peerings(uow: UnitOfWork) -> tuple[r.PeeringNet, ...]:
    return tuple(
        r.PeeringNet(c.peering_id, c.requester.vpc_id, c.accepter.vpc_id)
        for c in active_peerings(uow)
    )


def nat_gateways(uow: UnitOfWork) -> tuple[r.NatGatewayNet, ...]:
    return tuple(
        r.NatGatewayNet(nat.id, nat.vpc_id, nat.subnet_id, nat.private_ip)
        for nat in uow.list(NatGateway)
        if nat.state == "available"
    )


def public_addresses(uow: UnitOfWork) -> tuple[r.PublicAddress, ...]:
    """Every live public address with its VPC and private address (one per interface:
    an associated Elastic IP replaces the address the interface got at launch)."""
    found: dict[str, r.PublicAddress] = {}
    for eni in uow.list(NetworkInterface):
        if eni.public_ip:
            found[eni.id] = r.PublicAddress(eni.public_ip, eni.vpc_id, eni.private_ip)
    for address in uow.list(ElasticIp):
        held = addresses.holder(Scope.of(address, uow), address)
        if held is not None:
            found[held.interface.id] = r.PublicAddress(
                address.public_ip, held.interface.vpc_id, held.private_ip
            )
    return tuple(sorted(found.values(), key=lambda a: a.public_ip))


def public_records(uow: UnitOfWork, public: tuple[r.PublicAddress, ...]) -> list[p.DnsRecord]:
    """The public DNS names of the public addresses, answering the public address."""
    regions = {(a.vpc_id): v.region for v in uow.list(Vpc) for a in public if a.vpc_id == v.id}
    return [
        p.DnsRecord(public_dns_name(regions[a.vpc_id], a.public_ip), (a.public_ip,))
        for a in public
        if a.vpc_id in regions
    ]


def split_horizon(
    uow: UnitOfWork, public: tuple[r.PublicAddress, ...]
) -> dict[str, list[p.DnsRecord]]:
    """Per VPC, its own public names answering private addresses (and those of peers whose
    side allows DNS resolution from the remote VPC, private host names included)."""
    vpcs = {v.id: v for v in uow.list(Vpc)}
    out: dict[str, list[p.DnsRecord]] = {}
    for a in public:
        vpc = vpcs.get(a.vpc_id)
        if vpc is not None and vpc.enable_dns_hostnames:
            name = public_dns_name(vpc.region, a.public_ip)
            out.setdefault(vpc.id, []).append(p.DnsRecord(name, (a.private_ip,)))
    for peering in active_peerings(uow):
        for side, other in (
            (peering.requester, peering.accepter),
            (peering.accepter, peering.requester),
        ):
            if side.allow_dns_resolution_from_remote_vpc and side.vpc_id in vpcs:
                names = _names_of(uow, vpcs[side.vpc_id], public)
                out.setdefault(other.vpc_id, []).extend(names)
    return out


def _names_of(uow: UnitOfWork, vpc: Vpc, public: tuple[r.PublicAddress, ...]) -> list[p.DnsRecord]:
    """A VPC's host names (private, and public for addresses it has) -> private addresses."""
    if not vpc.enable_dns_hostnames:
        return []
    records = [
        p.DnsRecord(public_dns_name(vpc.region, a.public_ip), (a.private_ip,))
        for a in public
        if a.vpc_id == vpc.id
    ]
    for eni in uow.list(NetworkInterface, vpc.account, vpc.region):
        if eni.vpc_id != vpc.id or eni.interface_type != "interface":
            continue
        name = private_dns_name(vpc.region, eni.private_ip)
        records.append(p.DnsRecord(name, (eni.private_ip,)))
    return records


def add_dns_records(
    uow: UnitOfWork,
    records: dict[str, dict[str, p.DnsRecord]],
    public_names: dict[str, p.DnsRecord],
    public: tuple[r.PublicAddress, ...],
) -> None:
    """Into the public records (name -> record): every public instance name with its
    public address, unless a public name of that name is there already; into each VPC's
    own records: its split-horizon answers, which win over any other of the same name."""
    for record in public_records(uow, public):
        public_names.setdefault(record.name, record)
    for vpc_id, found in split_horizon(uow, public).items():
        for record in found:
            records.setdefault(vpc_id, {})[record.name] = record


def internet(
    uow: UnitOfWork, public: tuple[r.PublicAddress, ...], host_records: tuple[p.DnsRecord, ...]
) -> r.InternetNet:
    """privlink's internet: every public address, and the names its computer resolves (the
    public instance names, and the same public names as the host's resolver)."""
    records = public_records(uow, public)
    known = {rec.name for rec in records}
    return r.InternetNet(public, tuple(records + [h for h in host_records if h.name not in known]))
