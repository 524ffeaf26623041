"""Each account's region starts with a default VPC, as on AWS.

Created lazily by the first EC2 call of an account in a region: 172.31.0.0/16,
one /20 default subnet per AZ, an attached internet gateway and a default
route to it.
"""

from __future__ import annotations

import ipaddress

from privlink.api import Scope
from privlink.domain import regions
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.records import InternetGateway, RegionBootstrap, Route, RouteTable

DEFAULT_VPC_CIDR = "172.31.0.0/16"


def ensure_default_vpc(ctx: Scope) -> None:
    marker = f"{ctx.account}:{ctx.region}"
    if ctx.uow.get(RegionBootstrap, marker) is not None:
        return
    ctx.uow.add(RegionBootstrap(id=marker, account=ctx.account, region=ctx.region))
    vpc = create_vpc(ctx, DEFAULT_VPC_CIDR, {}, is_default=True)
    subnets = ipaddress.IPv4Network(DEFAULT_VPC_CIDR).subnets(new_prefix=20)
    for zone, net in zip(regions.zones(ctx.region), subnets, strict=False):
        create_subnet(ctx, vpc, str(net), zone.name, {}, default_for_az=True)
    gateway = InternetGateway(
        id=ctx.new_id("igw"), account=ctx.account, region=ctx.region, attached_vpc_id=vpc.id
    )
    ctx.uow.add(gateway)
    for table in ctx.uow.list(RouteTable, parent=vpc.id):
        table.routes.append(
            Route(destination_cidr="0.0.0.0/0", gateway_id=gateway.id, origin="CreateRoute")
        )
        ctx.uow.put(table)
