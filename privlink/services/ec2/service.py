"""The EC2 API as privlink serves it: the networking core and PrivateLink."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.ec2 import records, tags
from privlink.services.ec2.compute import instances, network_interfaces
from privlink.services.ec2.network import gateways, route_tables, subnets, vpcs, zones
from privlink.services.ec2.network.defaults import ensure_default_vpc
from privlink.services.ec2.security import security_groups
from privlink.services.privatelink import (
    connections,
    consumer,
    discovery,
    notifications,
    permissions,
    provider,
)
from privlink.services.privatelink import records as privatelink_records


def service() -> Service:
    return Service.from_modules(
        "ec2",
        [
            vpcs,
            subnets,
            route_tables,
            gateways,
            zones,
            security_groups,
            instances,
            network_interfaces,
            tags,
            consumer,
            provider,
            discovery,
            permissions,
            connections,
            notifications,
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
            privatelink_records.VpcEndpoint,
            privatelink_records.EndpointService,
            privatelink_records.ServicePermission,
            privatelink_records.ConnectionNotification,
        ],
        before=ensure_default_vpc,
    )
