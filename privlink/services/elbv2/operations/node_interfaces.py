"""The network interfaces a load balancer shows in its VPC: one per node (zone).

AWS gives each NLB node a requester-managed interface (type
network_load_balancer, "ELB net/NAME/ID", the node's address and the load
balancer's security groups) that DescribeNetworkInterfaces lists and the
user cannot delete or detach. They are plain NetworkInterface records, so
EC2's filters, security-group membership (a rule referencing the load
balancer's group matches its nodes) and deletion blockers see them. The
node's address stays held by the load balancer (`address_owner`), so these
records only describe it.
"""

from __future__ import annotations

from privlink.api import Scope
from privlink.services.ec2.compute.interfaces import mac_address
from privlink.services.ec2.records import NetworkInterface
from privlink.services.elbv2 import arns
from privlink.services.elbv2.records import LoadBalancer

REQUESTER_ID = "amazon-elb"


def description(lb: LoadBalancer) -> str:
    return f"ELB {arns.TYPE_SEGMENT[lb.type]}/{lb.name}/{lb.lb_id}"


def add_for(scope: Scope, lb: LoadBalancer) -> None:
    """One attached, requester-managed interface per node of a new load balancer."""
    for node in lb.nodes:
        scope.add(
            NetworkInterface(
                id=scope.new_id("eni"),
                account=lb.account,
                region=lb.region,
                vpc_id=lb.vpc_id,
                subnet_id=node.subnet_id,
                availability_zone=node.zone_name,
                private_ip=node.private_ip,
                mac_address=mac_address(scope),
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
        )


def of(scope: Scope, lb: LoadBalancer) -> list[NetworkInterface]:
    return [
        eni
        for node in lb.nodes
        for eni in scope.list(NetworkInterface, parent=node.subnet_id)
        if eni.owner_resource == lb.id
    ]


def remove_for(scope: Scope, lb: LoadBalancer) -> None:
    for eni in of(scope, lb):
        scope.delete(eni)
