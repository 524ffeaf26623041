"""The network interfaces a load balancer shows in its VPC: one per node (zone).

AWS gives each NLB node a requester-managed interface (type
network_load_balancer, "ELB net/NAME/ID", the node's address and the load
balancer's security groups) that DescribeNetworkInterfaces lists and the
user cannot delete or detach. They are plain NetworkInterface records, so
EC2's filters, security-group membership (a rule referencing the load
balancer's group matches its nodes) and deletion blockers see them. The
node's address stays held by the load balancer (`address_owner`), so these
records only describe it.

An internet-facing load balancer's nodes each get a public address from the
Elastic IP pool, as AWS gives them: the interface holds it exactly as an
instance's launch address (so the VPC router maps it one-to-one, and it is
freed with the interface); the load balancer's DNS name answers it. AWS's
DescribeLoadBalancers does not show these (an NLB's LoadBalancerAddresses name
an address only for an Elastic IP or a chosen private address), its
interfaces' Association does.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.ec2.compute import interfaces
from privlink.services.ec2.network import addresses
from privlink.services.ec2.records import NetworkInterface
from privlink.services.elbv2 import arns
from privlink.services.elbv2.records import LoadBalancer

REQUESTER_ID = "amazon-elb"


def description(lb: LoadBalancer) -> str:
    return f"ELB {arns.TYPE_SEGMENT[lb.type]}/{lb.name}/{lb.lb_id}"


def add_for(scope: Scope, lb: LoadBalancer) -> None:
    """One attached, requester-managed interface per node of a new load balancer (and a
    public address on it when the load balancer is internet-facing)."""
    for node in lb.nodes:
        eni = NetworkInterface(
            id=scope.new_id("eni"),
            account=lb.account,
            region=lb.region,
            vpc_id=lb.vpc_id,
            subnet_id=node.subnet_id,
            availability_zone=node.zone_name,
            private_ip=node.private_ip,
            mac_address=interfaces.mac_address(scope),
            group_ids=list(lb.security_groups),
            # AWS: NLB nodes show their own type, ALB nodes a plain "interface"
            interface_type="network_load_balancer" if lb.type == "network" else "interface",
            description=description(lb),
            status="in-use",
            requester_managed=True,
            requester_id=REQUESTER_ID,
            attachment_id=scope.new_id("ela-attach"),
            device_index=1,
            attach_time=lb.created_time,
            delete_on_termination=False,
            owner_resource=lb.id,
        )
        if lb.scheme == "internet-facing":
            eni.public_ip = addresses.claim_launch_address(scope, eni.id)
        scope.add(eni)


def of(scope: Scope, lb: LoadBalancer) -> list[NetworkInterface]:
    return [
        eni
        for node in lb.nodes
        for eni in scope.list(NetworkInterface, parent=node.subnet_id)
        if eni.owner_resource == lb.id
    ]


def remove_for(scope: Scope, lb: LoadBalancer) -> None:
    for eni in of(scope, lb):
        interfaces.release(scope, eni)  # its public address too
