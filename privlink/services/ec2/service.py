"""The EC2 API as privlink serves it: the networking core and PrivateLink.

PrivateLink's operations are EC2 operations on the wire, so its handler
modules and records (declared in `privlink.services.privatelink.service`)
are served here beside the networking core's.
"""

from __future__ import annotations

from privlink.api import Service
from privlink.services.ec2 import records, tag_handlers
from privlink.services.ec2.compute import (
    instance_handlers,
    interface_handlers,
    key_pair_handlers,
)
from privlink.services.ec2.network import (
    acl_handlers,
    address_handlers,
    dhcp_handlers,
    nat_gateway_handlers,
    peering_handlers,
    prefix_list_handlers,
    route_handlers,
    vpc_handlers,
    zones,
)
from privlink.services.ec2.network.defaults import ensure_default_vpc
from privlink.services.ec2.security import handlers as security_handlers
from privlink.services.privatelink import service as privatelink


def service() -> Service:
    return Service.from_modules(
        "ec2",
        [
            vpc_handlers,
            route_handlers,
            zones,
            prefix_list_handlers,
            acl_handlers,
            dhcp_handlers,
            address_handlers,
            nat_gateway_handlers,
            peering_handlers,
            security_handlers,
            instance_handlers,
            interface_handlers,
            key_pair_handlers,
            tag_handlers,
            *privatelink.MODULES,
        ],
        records=[
            records.RegionBootstrap,
            records.Vpc,
            records.Subnet,
            records.SecurityGroup,
            records.RouteTable,
            records.InternetGateway,
            records.NetworkInterface,
            records.Instance,
            records.NetworkAcl,
            records.DhcpOptions,
            records.ElasticIp,
            records.NatGateway,
            records.VpcPeeringConnection,
            records.KeyPair,
            *privatelink.RECORDS,
        ],
        before=ensure_default_vpc,
    )
