"""The web server on privlink's internet (WebserverAccessMode PUBLIC_ONLY), built and
removed through EC2's operations in MWAA's account.

MWAA serves a public environment's web server at `<uuid>.c<N>.<region>.airflow.
amazonaws.com` on public addresses. Here the service VPC gets an internet gateway
and a default route to it, the web server host an Elastic IP, and its security
group HTTPS from anywhere; the public host name answers that address on the host
resolver, on privlink's internet (`privlink exec --internet`) and in every VPC's
resolver (queries.dns_records). The data plane's internet path (1:1 NAT of public
addresses at the VPC router) carries the traffic, as for any public instance.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.ec2.network import addresses, gateways, route_tables
from privlink.services.ec2.records import ElasticIp, InternetGateway, RouteTable
from privlink.services.ec2.security import groups
from privlink.services.ec2.security.permissions import Peer, Permission
from privlink.services.mwaa.records import MWAA_ACCOUNT, Environment

ANYWHERE = "0.0.0.0/0"
HTTPS = 443


def _main_table(mwaa: Scope, vpc_id: str) -> RouteTable:
    return next(t for t in mwaa.list(RouteTable, parent=vpc_id) if t.is_main)


def serve(scope: Scope, env: Environment) -> None:
    """Give the web server a public address (once)."""
    side = env.service_side
    if side.public_address:
        return
    mwaa = scope.acting_as(MWAA_ACCOUNT)
    tags = {"Name": f"airflow-{env.name}-public", "mwaa:environment": env.arn}
    gateway = gateways.create_internet_gateway(mwaa, tags)
    gateways.attach_internet_gateway(mwaa, gateway.id, side.vpc_id)
    route_tables.create_route(
        mwaa, _main_table(mwaa, side.vpc_id).id, ANYWHERE,
        route_tables.Target("GatewayId", gateway.id),
    )  # fmt: skip
    groups.authorize_ingress(mwaa, side.group_id, [Permission.tcp(HTTPS, Peer.cidr(ANYWHERE))])
    address = addresses.allocate(mwaa, tags=tags)
    addresses.associate(mwaa, address, instance_id=side.web_instance)
    side.internet_gateway, side.public_address = gateway.id, address.id


def withdraw(scope: Scope, env: Environment) -> None:
    """Take the web server off the internet again (private mode, or a delete)."""
    side = env.service_side
    mwaa = scope.acting_as(MWAA_ACCOUNT)
    address = mwaa.get(ElasticIp, side.public_address) if side.public_address else None
    if address is not None:
        addresses.disassociate(mwaa, None, address.public_ip)  # a no-op once the host is gone
        addresses.release(mwaa, address.id, None)
    gateway = mwaa.get(InternetGateway, side.internet_gateway) if side.internet_gateway else None
    if gateway is not None:
        table = _main_table(mwaa, side.vpc_id)
        if any(r.destination_cidr == ANYWHERE for r in table.routes):
            route_tables.delete_route(mwaa, table.id, ANYWHERE)
        gateways.detach_internet_gateway(mwaa, gateway.id, side.vpc_id)
        gateways.delete_internet_gateway(mwaa, gateway.id)
        groups.revoke(mwaa, side.group_id, [Permission.tcp(HTTPS, Peer.cidr(ANYWHERE))])
    side.internet_gateway = side.public_address = ""


def public_ip(scope: Scope, env: Environment) -> str | None:
    """The web server's public address (None: not public)."""
    side = env.service_side
    address = scope.foreign(ElasticIp, side.public_address) if side.public_address else None
    return address.public_ip if address is not None else None
