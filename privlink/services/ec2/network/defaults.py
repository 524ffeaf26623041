"""Each account's region starts with a default VPC, as on AWS.

Created lazily by the first EC2 call of an account in a region: 172.31.0.0/16,
one /20 default subnet per AZ, an attached internet gateway and a default
route to it.
"""

from __future__ import annotations

import ipaddress

from privlink.api import Scope
from privlink.domain import regions
from privlink.services.ec2.network.gateways import create_internet_gateway
from privlink.services.ec2.network.subnets import create_subnet
from privlink.services.ec2.network.topology import main_table
from privlink.services.ec2.network.vpcs import create_vpc
from privlink.services.ec2.records import RegionBootstrap, Route

DEFAULT_VPC_CIDR = "172.31.0.0/16"


def ensure_default_vpc(scope: Scope) -> None:
    marker = f"{scope.account}:{scope.region}"
    if scope.get(RegionBootstrap, marker) is not None:
        return
    scope.add(RegionBootstrap(id=marker, account=scope.account, region=scope.region))
    vpc = create_vpc(scope, DEFAULT_VPC_CIDR, is_default=True)
    subnets = ipaddress.IPv4Network(DEFAULT_VPC_CIDR).subnets(new_prefix=20)
    for zone, net in zip(regions.zones(scope.region), subnets, strict=False):
        create_subnet(scope, vpc.id, str(net), zone.name, default_for_az=True)
    gateway = create_internet_gateway(scope, vpc=vpc)
    table = main_table(scope, vpc.id)
    assert table is not None
    table.routes.append(Route(destination_cidr="0.0.0.0/0", gateway_id=gateway.id))
    scope.put(table)
