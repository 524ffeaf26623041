"""Target networks of a Client VPN endpoint: associate a subnet, disassociate it.

An association puts a requester-managed interface in the subnet carrying the
endpoint's security groups (so a rule that admits "members of the endpoint's
group" admits its clients, as on AWS) and adds the route to the VPC's CIDR
through that subnet (Origin "associate"). The first association fixes the
endpoint's VPC (and its default group when none was given). Associating takes
a moment (`associating` -> `associated`, the Client VPN controller's step);
disassociating is immediate: the interface and the association's routes go.
"""

from __future__ import annotations

import ipaddress

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.compute.interfaces import new_interface, release
from privlink.services.ec2.records import NetworkInterface, Subnet, Vpc
from privlink.services.ec2.security.queries import default_group
from privlink.services.ec2.vpn.endpoints import require_endpoint
from privlink.services.ec2.vpn.records import (
    DELETING,
    PENDING_ASSOCIATE,
    ClientVpnEndpoint,
    TargetNetwork,
    VpnRoute,
)

INTERFACE_DESCRIPTION = "ClientVPN Endpoint resource"


def _subnet(scope: Scope, endpoint: ClientVpnEndpoint, subnet_id: str) -> Subnet:
    subnet = scope.get(Subnet, subnet_id)
    if subnet is None:
        raise errors.InvalidClientVpnSubnetNotFound(subnet_id)
    for network in endpoint.target_networks:
        if network.subnet_id == subnet.id:
            raise errors.InvalidClientVpnDuplicateAssociation(subnet.id, endpoint.id)
        if network.availability_zone == subnet.availability_zone:
            raise errors.InvalidClientVpnSubnetDuplicateAz(endpoint.id, subnet.availability_zone)
    if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
        raise errors.InvalidParameterValue.because(
            f"Subnet {subnet.id} is not in VPC {endpoint.vpc_id} of Client VPN endpoint "
            f"{endpoint.id}."
        )
    vpc = scope.require(Vpc, subnet.vpc_id)
    clients = ipaddress.IPv4Network(endpoint.client_cidr)
    blocks = [vpc.cidr, *(c.cidr for c in vpc.secondary_cidrs)]
    if any(clients.overlaps(ipaddress.IPv4Network(block)) for block in blocks):
        raise errors.InvalidClientVpnSubnetOverlappingCidr(endpoint.client_cidr, vpc.id)
    return subnet


def associate_target_network(scope: Scope, endpoint_id: str, subnet_id: str) -> TargetNetwork:
    endpoint = require_endpoint(scope, endpoint_id)
    if endpoint.status == DELETING:
        raise errors.InvalidParameterValue.because(f"Endpoint {endpoint.id} is being deleted.")
    subnet = _subnet(scope, endpoint, subnet_id)
    if not endpoint.vpc_id:
        endpoint.vpc_id = subnet.vpc_id
        endpoint.group_ids = [default_group(scope, subnet.vpc_id).id]
    eni = new_interface(scope, subnet, endpoint.group_ids, description=INTERFACE_DESCRIPTION)
    eni.requester_managed = True
    eni.requester_id = "amazon-aws"
    eni.status = "in-use"
    eni.owner_resource = endpoint.id
    eni.source_dest_check = False
    scope.add(eni)
    network = TargetNetwork(
        association_id=scope.new_id("cvpn-assoc"),
        subnet_id=subnet.id,
        availability_zone=subnet.availability_zone,
        network_interface_id=eni.id,
    )
    endpoint.target_networks.append(network)
    vpc = scope.require(Vpc, subnet.vpc_id)
    endpoint.routes.append(
        VpnRoute(destination_cidr=vpc.cidr, target_subnet=subnet.id, description="Default Route")
    )
    scope.put(endpoint)
    return network


def disassociate_target_network(
    scope: Scope, endpoint_id: str, association_id: str
) -> TargetNetwork:
    endpoint = require_endpoint(scope, endpoint_id)
    found = [n for n in endpoint.target_networks if n.association_id == association_id]
    if not found:
        raise errors.InvalidClientVpnAssociationIdNotFound(association_id)
    network = found[0]
    endpoint.target_networks.remove(network)
    endpoint.routes = [r for r in endpoint.routes if r.target_subnet != network.subnet_id]
    eni = scope.get(NetworkInterface, network.network_interface_id)
    if eni is not None:
        release(scope, eni)
    if not endpoint.target_networks and endpoint.status != DELETING:
        endpoint.status = PENDING_ASSOCIATE
    scope.put(endpoint)
    network.status = "disassociating"
    return network
