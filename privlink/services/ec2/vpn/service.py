"""Client VPN's part of the EC2 API: its handler modules and record kinds, served by the
EC2 service declaration beside its own (as PrivateLink's are)."""

from __future__ import annotations

from types import ModuleType

from privlink.services.ec2.vpn.handlers import access, endpoints, networks
from privlink.services.ec2.vpn.records import ClientVpnConnection, ClientVpnEndpoint
from privlink.store.records import Record

MODULES: tuple[ModuleType, ...] = (endpoints, networks, access)
RECORDS: tuple[type[Record], ...] = (ClientVpnEndpoint, ClientVpnConnection)
