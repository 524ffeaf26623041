"""Client VPN endpoints: create, delete, and the client configuration they export.

Mutual TLS only: the server certificate and the client root certificate are ACM
certificates of the caller's in this region (ACM lists the endpoint in their InUseBy
while it exists). An endpoint is `pending-associate` until a target network is
associated and `available` once one is (the Client VPN controller's step), as on AWS.
Deleting it waits for no one: `deleting`, then gone (the controller again), its
certificates released.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import operations as acm
from privlink.services.acm import queries as acm_queries
from privlink.services.ec2.records import SecurityGroup, Vpc
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security.queries import default_group
from privlink.services.ec2.vpn.records import (
    AVAILABLE,
    DELETING,
    PENDING_ASSOCIATE,
    ClientVpnConnection,
    ClientVpnEndpoint,
)

CERTIFICATE_AUTH = "certificate-authentication"
AUTH_TYPES = (CERTIFICATE_AUTH, "directory-service-authentication", "federated-authentication")
TRANSPORTS = ("udp", "tcp")
PORTS = (443, 1194)
PREFIXES = range(12, 23)  # AWS: the client CIDR is a /12 to a /22
SESSION_HOURS = (8, 10, 12, 24)
MAX_DNS_SERVERS = 2


@dataclass(frozen=True)
class Authentication:
    type: str
    client_root_certificate_arn: str | None = None


@dataclass(frozen=True)
class EndpointSpec:
    """What CreateClientVpnEndpoint asks for."""

    client_cidr: str
    server_certificate_arn: str
    authentication: Sequence[Authentication]
    connection_log_enabled: bool = False
    connection_log_group: str | None = None
    connection_log_stream: str | None = None
    dns_servers: Sequence[str] = ()
    transport: str = "udp"
    vpn_port: int = 443
    description: str = ""
    split_tunnel: bool = False
    vpc_id: str | None = None
    group_ids: Sequence[str] = ()
    session_timeout_hours: int = 24
    tags: Mapping[str, str] = field(default_factory=dict)


def require_endpoint(scope: Scope, endpoint_id: str) -> ClientVpnEndpoint:
    """The caller's endpoint (one being deleted is still found, as on AWS)."""
    return scope.require(ClientVpnEndpoint, endpoint_id)


def _invalid(text: str) -> errors.AwsError:
    return errors.InvalidParameterValue.because(text)


def _check_settings(spec: EndpointSpec) -> None:
    try:
        cidr = ipaddress.IPv4Network(spec.client_cidr)
    except ValueError as exc:
        raise _invalid(f"Client CIDR block {spec.client_cidr} is invalid.") from exc
    if cidr.prefixlen not in PREFIXES:
        raise _invalid(
            f"Client CIDR block {spec.client_cidr} must have a prefix length between /12 and /22."
        )
    if spec.transport not in TRANSPORTS:
        raise _invalid(f"Value ({spec.transport}) for parameter transportProtocol is invalid.")
    if spec.vpn_port not in PORTS:
        raise _invalid(
            f"Value ({spec.vpn_port}) for parameter vpnPort is invalid. Valid: 443, 1194."
        )
    if spec.session_timeout_hours not in SESSION_HOURS:
        raise _invalid(
            f"Value ({spec.session_timeout_hours}) for parameter sessionTimeoutHours is invalid."
        )
    if len(spec.dns_servers) > MAX_DNS_SERVERS:
        raise _invalid("A Client VPN endpoint can have at most 2 DNS servers.")
    for server in spec.dns_servers:
        try:
            ipaddress.IPv4Address(server)
        except ValueError as exc:
            raise _invalid(f"DNS server {server} is not a valid IPv4 address.") from exc
    if spec.connection_log_enabled and not spec.connection_log_group:
        raise errors.ParameterMissing("ConnectionLogOptions.CloudwatchLogGroup")


def _client_root(spec: EndpointSpec) -> str:
    """The client root certificate of the one mutual-TLS option (the only kind served)."""
    if not spec.authentication:
        raise errors.ParameterMissing("AuthenticationOptions")
    for option in spec.authentication:
        if option.type not in AUTH_TYPES:
            raise _invalid(f"Value ({option.type}) for parameter type is invalid.")
        if option.type != CERTIFICATE_AUTH:
            raise errors.InvalidParameterValue.because(
                f"Authentication type {option.type} is not available in privlink: "
                f"use {CERTIFICATE_AUTH}."
            )
    arns = [o.client_root_certificate_arn for o in spec.authentication]
    if len(arns) > 1:
        raise errors.InvalidParameterCombination.because(
            "Only one certificate-authentication option may be specified."
        )
    if not arns[0]:
        raise errors.ParameterMissing("MutualAuthentication.ClientRootCertificateChainArn")
    return arns[0]


def _certificate(scope: Scope, arn: str) -> None:
    """An ACM certificate of the caller's in this region that is issued (or imported)."""
    try:
        bundle = acm_queries.certificate_by_arn(scope, arn)
    except errors.AwsError as exc:
        raise errors.ClientVpnCertificateNotFound(arn) from exc
    if bundle.status != acm_queries.ISSUED:
        raise _invalid(f"Certificate {arn} is not in the ISSUED state ({bundle.status}).")


def _groups(scope: Scope, spec: EndpointSpec) -> list[str]:
    if spec.group_ids and not spec.vpc_id:
        raise errors.InvalidParameterCombination.because(
            "You must specify a VPC ID when you specify security groups."
        )
    if not spec.vpc_id:
        return []
    vpc = require(scope, Vpc, spec.vpc_id)
    if not spec.group_ids:
        return [default_group(scope, vpc.id).id]
    for group_id in dict.fromkeys(spec.group_ids):
        group = require(scope, SecurityGroup, group_id)
        if group.vpc_id != vpc.id:
            raise _invalid(f"Security group {group_id} does not belong to VPC {vpc.id}.")
    return list(dict.fromkeys(spec.group_ids))


def create_client_vpn_endpoint(scope: Scope, spec: EndpointSpec) -> ClientVpnEndpoint:
    _check_settings(spec)
    root_arn = _client_root(spec)
    _certificate(scope, spec.server_certificate_arn)
    _certificate(scope, root_arn)
    group_ids = _groups(scope, spec)
    endpoint = ClientVpnEndpoint(
        id=scope.new_id("cvpn-endpoint"),
        account=scope.account,
        region=scope.region,
        description=spec.description,
        creation_time=scope.now().strftime("%Y-%m-%dT%H:%M:%S"),
        client_cidr=str(ipaddress.IPv4Network(spec.client_cidr)),
        dns_servers=list(spec.dns_servers),
        split_tunnel=spec.split_tunnel,
        transport=spec.transport,
        vpn_port=spec.vpn_port,
        server_certificate_arn=spec.server_certificate_arn,
        client_root_certificate_arn=root_arn,
        connection_log_enabled=spec.connection_log_enabled,
        connection_log_group=spec.connection_log_group,
        connection_log_stream=spec.connection_log_stream,
        vpc_id=spec.vpc_id,
        group_ids=group_ids,
        session_timeout_hours=spec.session_timeout_hours,
        tags=dict(spec.tags),
    )
    scope.add(endpoint)
    for arn in dict.fromkeys((spec.server_certificate_arn, root_arn)):
        acm.mark_in_use(scope, arn, endpoint.arn)
    return endpoint


def delete_client_vpn_endpoint(scope: Scope, endpoint_id: str) -> ClientVpnEndpoint:
    """`deleting` now, gone at the controller's next step. Target networks must have been
    disassociated first, as AWS requires."""
    endpoint = require_endpoint(scope, endpoint_id)
    if endpoint.status == DELETING:
        return endpoint
    if endpoint.target_networks:
        raise errors.ClientVpnEndpointAssociationExists(endpoint.id)
    endpoint.status = DELETING
    endpoint.deletion_time = scope.now().strftime("%Y-%m-%dT%H:%M:%S")
    scope.put(endpoint)
    return endpoint


def finish_deletion(scope: Scope, endpoint: ClientVpnEndpoint) -> None:
    """The controller's step: certificates released, the endpoint and its connections gone."""
    for arn in {endpoint.server_certificate_arn, endpoint.client_root_certificate_arn}:
        acm.release(scope, arn, endpoint.arn)
    for connection in scope.list(ClientVpnConnection, parent=endpoint.id):
        scope.delete(connection)
    scope.delete(endpoint)


def settle(scope: Scope, endpoint: ClientVpnEndpoint) -> None:
    """The controller's step for a live endpoint: associations become `associated`, routes
    and rules `active`, and an endpoint with an associated network `available`. Saved
    only when something moved (the controller watches these records)."""
    moved = False
    for network in endpoint.target_networks:
        if network.status == "associating":
            network.status, moved = "associated", True
    for route in endpoint.routes:
        if route.status == "creating":
            route.status, moved = "active", True
    for rule in endpoint.authorization_rules:
        if rule.status == "authorizing":
            rule.status, moved = "active", True
    if endpoint.status == PENDING_ASSOCIATE and endpoint.target_networks:
        endpoint.status, moved = AVAILABLE, True
    if moved:
        scope.put(endpoint)
