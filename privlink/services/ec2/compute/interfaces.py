"""Network interface operations: create in a subnet, attach, release, delete.

Every private address belongs to an interface: it is claimed in the store
under the interface id (`addressing.allocate(..., owner=eni.id)`), so
releasing an interface frees its address. Interfaces other services make
(VPC endpoints: requester-managed, interface_type "vpc_endpoint") are plain
NetworkInterface records and show like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.network import addresses
from privlink.services.ec2.network.addressing import allocate
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security.queries import default_group, groups_in_vpc

# InterfaceType values CreateNetworkInterface accepts (others are made by AWS services).
CREATABLE_TYPES = ("interface", "efa", "efa-only", "trunk")


@dataclass(frozen=True)
class InterfaceSpec:
    """What CreateNetworkInterface asks for. No groups: the VPC's default group."""

    subnet_id: str
    group_ids: Sequence[str] = ()
    private_ip: str | None = None
    description: str = ""
    interface_type: str = "interface"
    tags: Mapping[str, str] = field(default_factory=dict)


def mac_address(scope: Scope) -> str:
    raw = scope.hexid(10)
    return "0e:" + ":".join(raw[i : i + 2] for i in range(0, 10, 2))


def new_interface(
    scope: Scope,
    subnet: Subnet,
    group_ids: Sequence[str],
    private_ip: str | None = None,
    description: str = "",
    tags: Mapping[str, str] | None = None,
) -> NetworkInterface:
    """An interface in a subnet with a fresh (or the requested) address; not yet stored."""
    eni = NetworkInterface(
        id=scope.new_id("eni"),
        account=scope.account,
        region=scope.region,
        vpc_id=subnet.vpc_id,
        subnet_id=subnet.id,
        availability_zone=subnet.availability_zone,
        private_ip="",
        mac_address=mac_address(scope),
        group_ids=list(group_ids),
        description=description,
        status="available",
        tags=dict(tags or {}),
    )
    eni.private_ip = allocate(scope.uow, subnet, eni.id, private_ip)
    return eni


def create_network_interface(scope: Scope, spec: InterfaceSpec) -> NetworkInterface:
    subnet = require(scope, Subnet, spec.subnet_id)
    if spec.interface_type not in CREATABLE_TYPES:
        raise errors.InvalidParameterValue.because(
            f"Value ({spec.interface_type}) for parameter interfaceType is invalid."
        )
    group_ids = list(spec.group_ids) or [default_group(scope, subnet.vpc_id).id]
    groups_in_vpc(scope, subnet, group_ids)
    eni = new_interface(
        scope,
        subnet,
        list(dict.fromkeys(group_ids)),
        spec.private_ip,
        spec.description,
        spec.tags,
    )
    eni.interface_type = spec.interface_type
    scope.add(eni)
    return eni


def attach(
    scope: Scope, eni: NetworkInterface, instance_id: str, when: str, delete_on_termination: bool
) -> None:
    """Attach as an instance's primary interface (device 0); the caller stores the record."""
    eni.status = "in-use"
    eni.attachment_id = scope.new_id("eni-attach")
    eni.instance_id = eni.owner_resource = instance_id
    eni.device_index = 0
    eni.attach_time = when
    eni.delete_on_termination = delete_on_termination


def attach_to_instance(scope: Scope, eni_id: str, instance_id: str, device_index: int) -> str:
    """AttachNetworkInterface: a secondary interface at a free device index (its attachment id).

    The interface stays when the instance terminates (DeleteOnTermination false), as on AWS.
    """
    eni = require(scope, NetworkInterface, eni_id)
    instance = require(scope, Instance, instance_id)
    if instance.state in ("shutting-down", "terminated"):
        raise errors.IncorrectInstanceState.because(
            f"The instance '{instance.id}' is not in a valid state for this operation."
        )
    if eni.attachment_id or eni.requester_managed or eni.status == "in-use":
        raise errors.InvalidNetworkInterfaceInUse(eni.id)
    if eni.availability_zone != instance.availability_zone:
        raise errors.InvalidParameterCombination.because(
            "You may not attach a network interface to an instance if they are not in the same "
            "availability zone"
        )
    if device_index < 0:
        raise errors.InvalidParameterValue.because(
            f"Value ({device_index}) for parameter deviceIndex is invalid."
        )
    taken = {e.device_index for e in scope.list(NetworkInterface) if e.instance_id == instance.id}
    if device_index in taken:
        raise errors.InvalidParameterValue.because(
            f"Instance '{instance.id}' already has an interface attached at device index "
            f"'{device_index}'."
        )
    attach(scope, eni, instance.id, scope.now().isoformat(), delete_on_termination=False)
    eni.device_index = device_index
    eni.owner_resource = None
    scope.put(eni)
    assert eni.attachment_id is not None
    return eni.attachment_id


def detach_from_instance(scope: Scope, attachment_id: str) -> None:
    """DetachNetworkInterface: never the primary interface (device index 0)."""
    eni = next((e for e in scope.list(NetworkInterface) if e.attachment_id == attachment_id), None)
    if eni is None or not eni.instance_id:
        raise errors.InvalidAttachmentIDNotFound(attachment_id)
    if eni.device_index == 0:
        raise errors.OperationNotPermitted.because(
            "The network interface at device index 0 cannot be detached."
        )
    detach(scope, eni)


def detach(scope: Scope, eni: NetworkInterface) -> None:
    eni.status = "available"
    eni.attachment_id = eni.instance_id = eni.owner_resource = eni.attach_time = None
    eni.device_index = None
    scope.put(eni)


def release(scope: Scope, eni: NetworkInterface) -> None:
    """Delete an interface and free its addresses (private, and public from launch)."""
    scope.uow.release_addresses(eni.id)
    if eni.public_ip:
        scope.uow.release_name(addresses.CLAIMS, eni.public_ip)
    scope.delete(eni)


def delete_network_interface(scope: Scope, eni_id: str) -> None:
    eni = require(scope, NetworkInterface, eni_id)
    if eni.requester_managed or eni.attachment_id or eni.status == "in-use":
        raise errors.InvalidParameterValue.because(
            f"Network interface '{eni.id}' is currently in use."
        )
    release(scope, eni)
