"""Instance operations: launch into a subnet, terminate, and the lifecycle steps.

An instance here is its record plus its primary network interface (which
holds the private address). RunInstances answers "pending" and
TerminateInstances "shutting-down"; the next steps (`mark_running`,
`fail_launch`, `finish_termination`) are the instance controller's
(privlink.reconcile.instances), never a side effect of reading.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.compute import interfaces, key_pairs
from privlink.services.ec2.ids import check_id
from privlink.services.ec2.network import addresses
from privlink.services.ec2.network.addressing import available_count
from privlink.services.ec2.network.topology import default_vpc
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet, Vpc
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security.queries import by_name, default_group, groups_in_vpc

DEFAULT_TYPE = "m1.small"  # AWS's documented default InstanceType
MAX_PER_CALL = 100
USER_DATA_LIMIT = 16384
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
LAUNCH_FAILED = "Server.InternalError"


@dataclass(frozen=True)
class LaunchSpec:
    """What RunInstances asks for (one network interface per instance).

    No subnet: the default VPC's default subnet (in `zone` if given). No
    groups: the VPC's default group. `interface_id` launches on an existing,
    detached interface. `tags` are by resource type ("instance",
    "network-interface")."""

    image_id: str
    min_count: int = 1
    max_count: int = 1
    instance_type: str = DEFAULT_TYPE
    subnet_id: str | None = None
    zone: str | None = None
    group_ids: Sequence[str] = ()
    group_names: Sequence[str] = ()
    private_ip: str | None = None
    interface_id: str | None = None
    interface_description: str = ""
    delete_interface_on_termination: bool = True
    associate_public_ip: bool | None = None  # None: the subnet's MapPublicIpOnLaunch
    key_name: str | None = None
    user_data: str | None = None  # base64, as the client sent it
    client_token: str | None = None
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


# --- RunInstances ------------------------------------------------------------------------------
def _check(spec: LaunchSpec) -> None:
    check_id(spec.image_id, "ami", errors.InvalidAMIIDMalformed)
    if not _INSTANCE_TYPE.match(spec.instance_type):
        raise errors.InvalidParameterValue.because(
            f"Invalid value '{spec.instance_type}' for InstanceType."
        )
    if spec.user_data is not None:
        try:
            raw = base64.b64decode(re.sub(r"\s", "", spec.user_data), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise errors.InvalidParameterValue.because(
                "Invalid BASE64 encoding of user data."
            ) from exc
        if len(raw) > USER_DATA_LIMIT:
            raise errors.InvalidParameterValue.because(
                f"User data is limited to {USER_DATA_LIMIT} bytes"
            )


def _subnet(scope: Scope, spec: LaunchSpec) -> Subnet:
    """The subnet asked for, else the default VPC's default subnet (in the AZ asked for)."""
    if spec.subnet_id:
        return require(scope, Subnet, spec.subnet_id)
    vpc = default_vpc(scope)
    for subnet in scope.list(Subnet, parent=vpc.id):
        if subnet.default_for_az and spec.zone in (None, subnet.availability_zone):
            return subnet
    raise errors.MissingInput.because(
        f"No subnets found for the default VPC '{vpc.id}'. Please specify a subnet."
    )


def _group_ids(scope: Scope, spec: LaunchSpec, subnet: Subnet) -> list[str]:
    group_ids = list(spec.group_ids)
    if spec.group_names:
        vpc = scope.get(Vpc, subnet.vpc_id)
        if vpc is None or not vpc.is_default:
            raise errors.InvalidParameterCombination.because(
                "The parameter groupName cannot be used with the parameter subnet"
            )
        group_ids += [by_name(scope, vpc, name).id for name in spec.group_names]
    if not group_ids:
        group_ids = [default_group(scope, subnet.vpc_id).id]
    return [g.id for g in groups_in_vpc(scope, subnet, group_ids)]


def _count(spec: LaunchSpec, free: int, fixed_address: bool) -> int:
    low, high = spec.min_count, spec.max_count
    if low < 1:
        raise errors.InvalidParameterValue.because(
            f"Value ({low}) for parameter minCount is invalid. Expected a positive integer."
        )
    if high < low:
        raise errors.InvalidParameterValue.because(
            f"Value ({high}) for parameter maxCount is invalid. Expected a value greater than or "
            f"equal to minCount ({low})."
        )
    if low > MAX_PER_CALL:
        raise errors.InstanceLimitExceeded.because(
            f"Your quota allows for {MAX_PER_CALL} more running instance(s). You requested at "
            f"least {low}."
        )
    if fixed_address and high > 1:
        raise errors.InvalidParameterCombination.because(
            "A private IP address can only be specified when launching a single instance."
        )
    return max(0, min(high, MAX_PER_CALL, free))


def _public(spec: LaunchSpec, subnet: Subnet) -> bool:
    """Whether a new interface gets a public address: AssociatePublicIpAddress when given,
    else the subnet's MapPublicIpOnLaunch."""
    if spec.associate_public_ip is not None:
        return spec.associate_public_ip
    return subnet.map_public_ip_on_launch


def _existing_interface(scope: Scope, spec: LaunchSpec) -> NetworkInterface | None:
    if not spec.interface_id:
        return None
    if spec.associate_public_ip:
        raise errors.InvalidParameterCombination.because(
            "The associatePublicIPAddress parameter cannot be specified for a network "
            "interface that already exists."
        )
    eni = require(scope, NetworkInterface, spec.interface_id)
    if eni.attachment_id or eni.requester_managed:
        raise errors.InvalidNetworkInterfaceInUse(eni.id)
    return eni


@dataclass(frozen=True)
class _Placement:
    subnet: Subnet
    group_ids: list[str]
    existing: NetworkInterface | None
    count: int


def _place(scope: Scope, spec: LaunchSpec) -> _Placement:
    """Where the instances go and how many fit (all of MinCount, or an error)."""
    existing = _existing_interface(scope, spec)
    subnet = scope.require(Subnet, existing.subnet_id) if existing else _subnet(scope, spec)
    group_ids = existing.group_ids if existing else _group_ids(scope, spec, subnet)
    free = 1 if existing else available_count(scope.uow, subnet)
    count = _count(spec, free, bool(spec.private_ip or existing))
    if count < spec.min_count:
        raise errors.InsufficientFreeAddressesInSubnet(subnet.id)
    return _Placement(subnet, group_ids, existing, count)


def run_instances(scope: Scope, spec: LaunchSpec) -> tuple[str, list[Instance]]:
    """Launch instances (pending) with one interface each: (reservation id, instances)."""
    _check(spec)
    ssh_key = None
    if spec.key_name is not None:  # InvalidKeyPair.NotFound, as on AWS
        ssh_key = key_pairs.by_name(scope, spec.key_name).public_key
    place = _place(scope, spec)
    reservation_id = scope.new_id("r")
    launched = scope.now().isoformat()
    made: list[Instance] = []
    for index in range(place.count):
        instance_id = scope.new_id("i")
        eni = place.existing or interfaces.new_interface(
            scope,
            place.subnet,
            place.group_ids,
            spec.private_ip,
            spec.interface_description,
            spec.tags.get("network-interface"),
        )
        interfaces.attach(scope, eni, instance_id, launched, spec.delete_interface_on_termination)
        if not place.existing and _public(spec, place.subnet):
            eni.public_ip = addresses.claim_launch_address(scope, eni.id)
        if place.existing:
            scope.put(eni)
        else:
            scope.add(eni)
        instance = Instance(
            id=instance_id,
            account=scope.account,
            region=scope.region,
            reservation_id=reservation_id,
            vpc_id=place.subnet.vpc_id,
            subnet_id=place.subnet.id,
            availability_zone=place.subnet.availability_zone,
            private_ip=eni.private_ip,
            network_interface_id=eni.id,
            group_ids=place.group_ids,
            image_id=spec.image_id,
            instance_type=spec.instance_type,
            key_name=spec.key_name,
            ssh_public_key=ssh_key,
            user_data=spec.user_data,
            launch_time=launched,
            ami_launch_index=index,
            client_token=spec.client_token,
            tags=dict(spec.tags.get("instance", {})),
        )
        scope.add(instance)
        made.append(instance)
    return reservation_id, made


# --- termination and the lifecycle ----------------------------------------------------------------
def _release_interface(scope: Scope, instance: Instance) -> None:
    """Delete the instance's interfaces (freeing their addresses) or, if asked to keep them
    (AttachNetworkInterface's default), detach them."""
    for eni in scope.list(NetworkInterface):
        if eni.instance_id != instance.id:
            continue
        if eni.delete_on_termination:
            interfaces.release(scope, eni)
        else:
            interfaces.detach(scope, eni)


def terminate_instances(scope: Scope, instance_ids: Sequence[str]) -> list[tuple[Instance, str]]:
    """Start terminating (-> shutting-down): each instance with its previous state."""
    for instance_id in instance_ids:
        check_id(instance_id, "i", errors.InvalidInstanceIDMalformed)
    answer = []
    for instance in scope.require_all(Instance, instance_ids):
        previous = instance.state
        if previous not in ("shutting-down", "terminated"):
            instance.state = "shutting-down"
            instance.state_transition_reason = (
                f"User initiated ({scope.now():%Y-%m-%d %H:%M:%S} GMT)"
            )
            _release_interface(scope, instance)
            scope.put(instance)
        answer.append((instance, previous))
    return answer


def mark_running(scope: Scope, instance: Instance) -> bool:
    """pending -> running (it launched); True if it moved."""
    if instance.state != "pending":
        return False
    instance.state = "running"
    scope.put(instance)
    return True


def fail_launch(scope: Scope, instance: Instance, reason: str) -> bool:
    """pending -> terminated, as AWS shows a launch that failed; True if it moved."""
    if instance.state != "pending":
        return False
    instance.state = "terminated"
    instance.state_reason_code = LAUNCH_FAILED
    instance.state_reason_message = reason
    instance.state_transition_reason = f"{LAUNCH_FAILED}: {reason}"
    _release_interface(scope, instance)
    scope.put(instance)
    return True


def finish_termination(scope: Scope, instance: Instance) -> bool:
    """shutting-down -> terminated; True if it moved."""
    if instance.state != "shutting-down":
        return False
    instance.state = "terminated"
    scope.put(instance)
    return True
