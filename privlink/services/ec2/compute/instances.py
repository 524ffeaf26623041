"""EC2 instances: launch into a subnet, describe, terminate.

An instance here is its record plus its primary network interface (which
holds the private address); no machine boots. State changes that take time
on AWS happen in two steps: RunInstances answers "pending" and
TerminateInstances "shutting-down"; the next step (`mark_running`,
`mark_terminated`) is applied when instances are next described. A data-plane
reconciler will own these transitions once instances are backed by
something real; until then describe time is the moment they are observed.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.domain import filters, paging
from privlink.services.ec2 import common
from privlink.services.ec2.compute import network_interfaces
from privlink.services.ec2.compute.instance_views import STATE_CODES, reservation, state
from privlink.services.ec2.network.addressing import available_count, private_dns_name
from privlink.services.ec2.records import Instance, NetworkInterface, Subnet, Vpc
from privlink.services.ec2.security import security_groups
from privlink.store.unit import UnitOfWork

DEFAULT_TYPE = "m1.small"  # AWS's documented default InstanceType
MAX_PER_CALL = 100
USER_DATA_LIMIT = 16384
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
TAGGABLE = ("instance", "network-interface", "volume")


# --- lifecycle -------------------------------------------------------------------------------
def mark_running(uow: UnitOfWork, instance: Instance) -> bool:
    """pending -> running; True if it moved. The data-plane reconciler's job once it exists."""
    if instance.state != "pending":
        return False
    instance.state = "running"
    uow.put(instance)
    return True


def mark_terminated(uow: UnitOfWork, instance: Instance) -> bool:
    """shutting-down -> terminated; True if it moved."""
    if instance.state != "shutting-down":
        return False
    instance.state = "terminated"
    uow.put(instance)
    return True


def settle(uow: UnitOfWork, instances: list[Instance]) -> None:
    """Complete pending transitions, as time would have on AWS (see the module docstring)."""
    for instance in instances:
        mark_running(uow, instance) or mark_terminated(uow, instance)


# --- RunInstances --------------------------------------------------------------------------------
def _primary_nic(params: dict[str, Any]) -> dict[str, Any]:
    nics = params.get("NetworkInterfaces") or []
    primary = [n for n in nics if (n.get("DeviceIndex") or 0) == 0]
    if len(nics) > 1 or (nics and not primary):
        raise errors.UnsupportedOperation("privlink launches instances with one network interface.")
    nic = primary[0] if primary else {}
    if nic and (params.get("SubnetId") or params.get("SecurityGroupIds")):
        raise errors.InvalidParameterCombination(
            "Network interfaces and an instance-level subnet ID or security groups may not be "
            "specified on the same request"
        )
    return nic


def _subnet(ctx: Scope, params: dict[str, Any], nic: dict[str, Any]) -> Subnet:
    """The SubnetId asked for, else the default VPC's default subnet (in Placement's AZ)."""
    subnet_id = params.get("SubnetId") or nic.get("SubnetId")
    if subnet_id:
        return common.resolve(ctx, "subnet", subnet_id)  # type: ignore[no-any-return]
    vpc = security_groups.default_vpc(ctx)
    zone = (params.get("Placement") or {}).get("AvailabilityZone")
    subnets = [
        s
        for s in ctx.uow.list(Subnet, parent=vpc.id)
        if s.default_for_az and (zone is None or s.availability_zone == zone)
    ]
    if not subnets:
        raise errors.MissingInput(
            f"No subnets found for the default VPC '{vpc.id}'. Please specify a subnet."
        )
    return subnets[0]


def _group_ids(
    ctx: Scope, params: dict[str, Any], nic: dict[str, Any], subnet: Subnet
) -> list[str]:
    group_ids = list(params.get("SecurityGroupIds") or nic.get("Groups") or [])
    names = params.get("SecurityGroups") or []
    if names:
        vpc = ctx.uow.get(Vpc, subnet.vpc_id)
        if vpc is None or not vpc.is_default:
            raise errors.InvalidParameterCombination(
                "The parameter groupName cannot be used with the parameter subnet"
            )
        group_ids += [security_groups.by_name(ctx, vpc, name).id for name in names]
    if not group_ids:
        group_ids = [security_groups.default_group(ctx, subnet.vpc_id).id]
    return [g.id for g in security_groups.groups_in_vpc(ctx, subnet, group_ids)]


def _count(params: dict[str, Any], free: int, fixed_address: bool) -> int:
    low, high = params["MinCount"], params["MaxCount"]
    if low < 1:
        raise errors.InvalidParameterValue(
            f"Value ({low}) for parameter minCount is invalid. Expected a positive integer."
        )
    if high < low:
        raise errors.InvalidParameterValue(
            f"Value ({high}) for parameter maxCount is invalid. Expected a value greater than or "
            f"equal to minCount ({low})."
        )
    if low > MAX_PER_CALL:
        raise errors.InstanceLimitExceeded(
            f"Your quota allows for {MAX_PER_CALL} more running instance(s). You requested at "
            f"least {low}."
        )
    if fixed_address and high > 1:
        raise errors.InvalidParameterCombination(
            "A private IP address can only be specified when launching a single instance."
        )
    return max(0, min(high, MAX_PER_CALL, free))


def _check_request(params: dict[str, Any]) -> None:
    if params.get("LaunchTemplate"):
        raise errors.UnsupportedOperation("privlink does not support launch templates.")
    image = params.get("ImageId")
    if not image:
        raise errors.MissingParameter("The request must contain the parameter ImageId")
    common.check_id(image, "ami", errors.InvalidAMIIDMalformed)
    instance_type = params.get("InstanceType") or DEFAULT_TYPE
    if not _INSTANCE_TYPE.match(instance_type):
        raise errors.InvalidParameterValue(f"Invalid value '{instance_type}' for InstanceType.")
    user_data = params.get("UserData")
    if user_data is not None:
        try:
            raw = base64.b64decode(re.sub(r"\s", "", user_data), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise errors.InvalidParameterValue("Invalid BASE64 encoding of user data.") from exc
        if len(raw) > USER_DATA_LIMIT:
            raise errors.InvalidParameterValue(f"User data is limited to {USER_DATA_LIMIT} bytes")


def _attach(
    ctx: Scope, eni: NetworkInterface, instance_id: str, when: str, nic: dict[str, Any]
) -> None:
    eni.status = "in-use"
    eni.attachment_id = ctx.new_id("eni-attach")
    eni.instance_id = instance_id
    eni.owner_resource = instance_id
    eni.device_index = 0
    eni.attach_time = when
    eni.delete_on_termination = nic.get("DeleteOnTermination", True)


def _existing_interface(ctx: Scope, nic: dict[str, Any]) -> NetworkInterface | None:
    if not nic.get("NetworkInterfaceId"):
        return None
    eni: NetworkInterface = common.resolve(ctx, "eni", nic["NetworkInterfaceId"])
    if eni.attachment_id or eni.requester_managed:
        raise errors.InvalidNetworkInterfaceInUse(f"Interface: [{eni.id}] in use.")
    return eni


@handles("RunInstances")
def run(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    earlier = common.replayed(ctx, "RunInstances", params)
    if earlier:
        return reservation(ctx, earlier, ctx.uow.list(Instance, ctx.account, ctx.region))
    _check_request(params)
    nic = _primary_nic(params)
    existing = _existing_interface(ctx, nic)
    subnet = ctx.uow.get(Subnet, existing.subnet_id) if existing else _subnet(ctx, params, nic)
    assert subnet is not None
    group_ids = existing.group_ids if existing else _group_ids(ctx, params, nic, subnet)
    address = params.get("PrivateIpAddress") or nic.get("PrivateIpAddress")
    free = 1 if existing else available_count(ctx.uow, subnet)
    count = _count(params, free, bool(address or existing))
    if count < params["MinCount"]:
        raise errors.InsufficientFreeAddressesInSubnet(
            f"There are not enough free addresses in subnet '{subnet.id}' to satisfy the "
            "requested number of instances."
        )
    tags = common.tags_by_type(params, TAGGABLE)
    reservation_id = ctx.new_id("r")
    launched = ctx.now().isoformat()
    made: list[Instance] = []
    for index in range(count):
        instance_id = ctx.new_id("i")
        eni = existing or network_interfaces.new_interface(
            ctx,
            subnet,
            group_ids,
            address,
            nic.get("Description") or "",
            tags.get("network-interface"),
        )
        _attach(ctx, eni, instance_id, launched, nic)
        if existing:
            ctx.uow.put(eni)
        else:
            ctx.uow.add(eni)
        instance = Instance(
            id=instance_id,
            account=ctx.account,
            region=ctx.region,
            reservation_id=reservation_id,
            vpc_id=subnet.vpc_id,
            subnet_id=subnet.id,
            availability_zone=subnet.availability_zone,
            private_ip=eni.private_ip,
            network_interface_id=eni.id,
            group_ids=group_ids,
            image_id=params["ImageId"],
            instance_type=params.get("InstanceType") or DEFAULT_TYPE,
            key_name=params.get("KeyName"),
            user_data=params.get("UserData"),
            launch_time=launched,
            ami_launch_index=index,
            client_token=params.get("ClientToken"),
            tags=tags.get("instance", {}),
        )
        ctx.uow.add(instance)
        made.append(instance)
    common.remember_token(ctx, "RunInstances", params, reservation_id)
    return reservation(ctx, reservation_id, made)


# --- describe ------------------------------------------------------------------------------------
def _live(getter: filters.Getter) -> filters.Getter:
    """Network facts a terminated instance no longer has."""
    return lambda i: None if i.state == "terminated" else getter(i)


FILTERS: dict[str, filters.Getter] = {
    "availability-zone": lambda i: i.availability_zone,
    "client-token": lambda i: i.client_token,
    "group-id": _live(lambda i: i.group_ids),
    "image-id": lambda i: i.image_id,
    "instance-id": lambda i: i.id,
    "instance-state-code": lambda i: STATE_CODES[i.state],
    "instance-state-name": lambda i: i.state,
    "instance-type": lambda i: i.instance_type,
    "instance.group-id": _live(lambda i: i.group_ids),
    "key-name": lambda i: i.key_name,
    "launch-index": lambda i: i.ami_launch_index,
    "network-interface.network-interface-id": _live(lambda i: i.network_interface_id),
    "owner-id": lambda i: i.account,
    "placement-group-name": lambda i: None,
    "private-dns-name": _live(lambda i: private_dns_name(i.region, i.private_ip)),
    "private-ip-address": _live(lambda i: i.private_ip),
    "reservation-id": lambda i: i.reservation_id,
    "subnet-id": _live(lambda i: i.subnet_id),
    "tenancy": lambda i: "default",
    "vpc-id": _live(lambda i: i.vpc_id),
}


def _selected(ctx: Scope, params: dict[str, Any]) -> list[Instance]:
    ids = params.get("InstanceIds")
    for instance_id in ids or []:
        common.check_id(instance_id, "i", errors.InvalidInstanceIDMalformed)
    instances = common.scoped(ctx, Instance, ids, errors.InvalidInstanceIDNotFound, "instance ID")
    settle(ctx.uow, instances)
    return instances


@handles("DescribeInstances")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("InstanceIds") and params.get("MaxResults") is not None:
        raise errors.InvalidParameterCombination(
            "The parameter instancesSet cannot be used with the parameter maxResults"
        )
    instances = _selected(ctx, params)

    def group_names(instance: Instance) -> list[str | None]:
        if instance.state == "terminated":
            return []
        return [g["GroupName"] for g in network_interfaces.group_set(ctx, instance.group_ids)]

    getters = {**FILTERS, "group-name": group_names, "instance.group-name": group_names}
    instances = filters.apply(instances, params.get("Filters"), getters)
    chunk, token = paging.page(
        instances, params.get("MaxResults"), params.get("NextToken"), lambda i: i.id
    )
    reservations: dict[str, list[Instance]] = {}
    for instance in chunk:
        reservations.setdefault(instance.reservation_id, []).append(instance)
    return {
        "Reservations": [reservation(ctx, rid, group) for rid, group in reservations.items()],
        "NextToken": token,
    }


@handles("TerminateInstances")
def terminate(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    instances = _selected(ctx, params)
    answer = []
    for instance in instances:
        previous = instance.state
        if previous not in ("shutting-down", "terminated"):
            instance.state = "shutting-down"
            instance.state_transition_reason = f"User initiated ({ctx.now():%Y-%m-%d %H:%M:%S} GMT)"
            _release_interface(ctx, instance)
            ctx.uow.put(instance)
        answer.append(
            {
                "InstanceId": instance.id,
                "CurrentState": state(instance.state),
                "PreviousState": state(previous),
            }
        )
    return {"TerminatingInstances": answer}


def _release_interface(ctx: Scope, instance: Instance) -> None:
    """Delete the instance's interface (freeing its address) or, if asked to keep it, detach it."""
    eni = ctx.uow.get(NetworkInterface, instance.network_interface_id)
    if eni is None or eni.instance_id != instance.id:
        return
    if eni.delete_on_termination:
        network_interfaces.release(ctx, eni)
        return
    eni.status = "available"
    eni.attachment_id = eni.instance_id = eni.owner_resource = eni.attach_time = None
    eni.device_index = None
    ctx.uow.put(eni)


_ATTRIBUTES: dict[str, tuple[str, Any]] = {
    # wire attribute -> (output member, value from the instance)
    "instanceType": ("InstanceType", lambda ctx, i: {"Value": i.instance_type}),
    "kernel": ("KernelId", lambda ctx, i: {}),
    "ramdisk": ("RamdiskId", lambda ctx, i: {}),
    "userData": ("UserData", lambda ctx, i: {"Value": i.user_data} if i.user_data else {}),
    "disableApiTermination": ("DisableApiTermination", lambda ctx, i: {"Value": False}),
    "instanceInitiatedShutdownBehavior": (
        "InstanceInitiatedShutdownBehavior",
        lambda ctx, i: {"Value": "stop"},
    ),
    "rootDeviceName": ("RootDeviceName", lambda ctx, i: {"Value": "/dev/xvda"}),
    "blockDeviceMapping": ("BlockDeviceMappings", lambda ctx, i: []),
    "productCodes": ("ProductCodes", lambda ctx, i: []),
    "sourceDestCheck": ("SourceDestCheck", lambda ctx, i: {"Value": True}),
    "groupSet": ("Groups", lambda ctx, i: network_interfaces.group_set(ctx, i.group_ids)),
    "ebsOptimized": ("EbsOptimized", lambda ctx, i: {"Value": False}),
    "sriovNetSupport": ("SriovNetSupport", lambda ctx, i: {}),
    "enaSupport": ("EnaSupport", lambda ctx, i: {"Value": True}),
    "enclaveOptions": ("EnclaveOptions", lambda ctx, i: {"Enabled": False}),
    "disableApiStop": ("DisableApiStop", lambda ctx, i: {"Value": False}),
}


@handles("DescribeInstanceAttribute")
def describe_attribute(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    instance: Instance = common.resolve(ctx, "i", params["InstanceId"])
    found = _ATTRIBUTES.get(params["Attribute"])
    if found is None:
        raise errors.InvalidParameterValue(
            f"Value ({params['Attribute']}) for parameter attribute is invalid. Unknown attribute."
        )
    member, value = found
    return {"InstanceId": instance.id, member: value(ctx, instance)}


def _status(instance: Instance) -> dict[str, Any]:
    running = instance.state == "running"
    check = {
        "Status": "ok" if running else "not-applicable",
        "Details": [{"Name": "reachability", "Status": "passed"}] if running else [],
    }
    return {
        "AvailabilityZone": instance.availability_zone,
        "InstanceId": instance.id,
        "InstanceState": state(instance.state),
        "InstanceStatus": check,
        "SystemStatus": check,
    }


STATUS_FILTERS: dict[str, filters.Getter] = {
    "availability-zone": lambda s: s["AvailabilityZone"],
    "instance-state-code": lambda s: s["InstanceState"]["Code"],
    "instance-state-name": lambda s: s["InstanceState"]["Name"],
    "instance-status.status": lambda s: s["InstanceStatus"]["Status"],
    "system-status.status": lambda s: s["SystemStatus"]["Status"],
}


@handles("DescribeInstanceStatus")
def describe_status(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    instances = _selected(ctx, params)
    if not params.get("IncludeAllInstances"):
        instances = [i for i in instances if i.state == "running"]
    statuses = filters.apply(
        [_status(i) for i in instances], params.get("Filters"), STATUS_FILTERS, tags=lambda s: {}
    )
    chunk, token = paging.page(
        statuses, params.get("MaxResults"), params.get("NextToken"), lambda s: s["InstanceId"]
    )
    return {"InstanceStatuses": chunk, "NextToken": token}
