"""S3 as a VPC sees it: its public names, their addresses, and the gateway endpoints.

On AWS, s3.REGION.amazonaws.com and every name under it (virtual-hosted buckets)
resolve from any VPC to S3's public addresses, which lie inside the region's
AWS-managed S3 prefix list (com.amazonaws.REGION.s3, pl-63a5400a in us-east-1);
s3.amazonaws.com, the global endpoint, to us-east-1's. Those addresses are reached
through an internet gateway, or privately through a gateway endpoint: the endpoint
puts a route to the prefix list in the route tables it was given, so only subnets
associated with those tables (explicitly, or through the main table) get there.

privlink has no internet, so S3's public front is modelled with two fixed
addresses per region: the 10th and 11th address of the first CIDR of the region's
S3 prefix list (us-east-1: 3.5.0.10 and 3.5.0.11, inside 3.5.0.0/19; regions with
placeholder lists get theirs from 198.19.255.0/24). Every VPC's resolver answers
the public S3 names with them; they carry traffic only in a VPC with a gateway
endpoint to S3, from the routed subnets (see `plan.GatewayNet`). An interface
endpoint's private DNS replaces these answers in its VPC, except when private DNS
is only for inbound Resolver endpoints (AWS's default beside a gateway endpoint):
then in-VPC queries keep these public answers and the traffic takes the gateway.
"""

from __future__ import annotations

import functools
import ipaddress

from privlink.api import Scope
from privlink.dataplane import plan as p
from privlink.domain import endpoint_lifecycle as lifecycle
from privlink.services.ec2.network import prefix_lists
from privlink.services.ec2.network.topology import table_for_subnet
from privlink.services.ec2.records import Subnet, Vpc
from privlink.services.privatelink.catalog import AWS_OWNER
from privlink.services.privatelink.records import VpcEndpoint
from privlink.store.unit import UnitOfWork

SERVICE = "s3"
GLOBAL_REGION = "us-east-1"  # what s3.amazonaws.com resolves into
FRONT_OFFSETS = (10, 11)


def front_addresses(region: str) -> tuple[str, ...]:
    """S3's public addresses in `region` as privlink models them (see the module doc)."""
    found = prefix_lists.for_service(region, f"com.amazonaws.{region}.{SERVICE}")
    if found is None:
        return ()
    first = ipaddress.ip_network(found.cidrs[0])
    return tuple(str(first.network_address + offset) for offset in FRONT_OFFSETS)


@functools.cache
def public_records(region: str) -> tuple[p.DnsRecord, ...]:
    """The public S3 names a VPC in `region` resolves (each with every name under it);
    from the static catalog, so worked out once per region (every plan asks per VPC)."""
    records = [
        p.DnsRecord(f"{SERVICE}.{region}.amazonaws.com", front_addresses(region), wildcard=True),
        p.DnsRecord(f"{SERVICE}.amazonaws.com", front_addresses(GLOBAL_REGION), wildcard=True),
    ]
    return tuple(r for r in records if r.addresses)  # a region with no S3 list has none


def gateway_nets(uow: UnitOfWork, local_port: int) -> tuple[p.GatewayNet, ...]:
    """Every available gateway endpoint to S3, with the subnets that route to it."""
    nets = []
    for endpoint in uow.list(VpcEndpoint):
        if not _is_s3_gateway(endpoint):
            continue
        nets.append(
            p.GatewayNet(
                endpoint.id,
                endpoint.vpc_id,
                front_addresses(endpoint.region),
                tuple(s.cidr for s in routed_subnets(Scope.of(endpoint, uow), endpoint)),
                local_port,
            )
        )
    return tuple(nets)


def routed_subnets(scope: Scope, endpoint: VpcEndpoint) -> list[Subnet]:
    """The subnets of the endpoint's VPC whose route table routes its prefix list to it
    (the table it has, explicitly or as the VPC's main table, is one of the endpoint's)."""
    if scope.get(Vpc, endpoint.vpc_id) is None:
        return []
    tables = set(endpoint.route_table_ids)
    return [
        subnet
        for subnet in scope.list(Subnet, parent=endpoint.vpc_id)
        if (table := table_for_subnet(scope, subnet)) is not None and table.id in tables
    ]


def _is_s3_gateway(endpoint: VpcEndpoint) -> bool:
    return (
        endpoint.endpoint_type == "Gateway"
        and endpoint.service_owner == AWS_OWNER
        and endpoint.state == lifecycle.State.AVAILABLE
        and endpoint.service_name == f"com.amazonaws.{endpoint.region}.{SERVICE}"
    )
