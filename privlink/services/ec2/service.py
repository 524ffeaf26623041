"""The EC2 API as privlink serves it: the networking core and PrivateLink.

PrivateLink's operations are EC2 operations on the wire, so its handler
modules and records (declared in `privlink.services.privatelink.service`)
are served here beside the networking core's.
"""

from __future__ import annotations

from privlink.api import Service
from privlink.services.ec2 import records
from privlink.services.ec2.compute.handlers import instances, interfaces, key_pairs
from privlink.services.ec2.flowlogs import service as flow_logs
from privlink.services.ec2.handlers import tags
from privlink.services.ec2.insights import service as insights
from privlink.services.ec2.network import outages
from privlink.services.ec2.network.defaults import ensure_default_vpc
from privlink.services.ec2.network.handlers import (
    acls,
    addresses,
    dhcp,
    nat_gateways,
    peering,
    prefix_lists,
    routes,
    vpcs,
    zones,
)
from privlink.services.ec2.security.handlers import groups
from privlink.services.ec2.vpn import service as client_vpn
from privlink.services.privatelink import service as privatelink


def service() -> Service:
    return Service.from_modules(
        "ec2",
        [
            vpcs,
            routes,
            zones,
            prefix_lists,
            acls,
            dhcp,
            addresses,
            nat_gateways,
            peering,
            groups,
            instances,
            interfaces,
            key_pairs,
            tags,
            *privatelink.MODULES,
            *client_vpn.MODULES,
            *insights.MODULES,
            *flow_logs.MODULES,
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
            outages.ZoneOutage,
            *privatelink.RECORDS,
            *client_vpn.RECORDS,
            *insights.RECORDS,
            *flow_logs.RECORDS,
        ],
        before=ensure_default_vpc,
    )
