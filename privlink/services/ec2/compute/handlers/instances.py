"""Instance handlers: wire input -> operation -> wire output.

Describe* only reads: state transitions are the instance controller's.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.compute import instances, views
from privlink.services.ec2.records import Instance
from privlink.services.ec2.resource_kinds import require
from privlink.services.ec2.security.views import group_set
from privlink.services.shared.describe import narrow
from privlink.services.shared.idempotency import remember_token, replayed

TAGGABLE = ("instance", "network-interface", "volume")


def _primary_nic(params: dict[str, Any]) -> dict[str, Any]:
    nics = params.get("NetworkInterfaces") or []
    primary = [n for n in nics if (n.get("DeviceIndex") or 0) == 0]
    if len(nics) > 1 or (nics and not primary):
        raise errors.UnsupportedOperation.because(
            "privlink launches instances with one network interface."
        )
    nic = primary[0] if primary else {}
    if nic and (params.get("SubnetId") or params.get("SecurityGroupIds")):
        raise errors.InvalidParameterCombination.because(
            "Network interfaces and an instance-level subnet ID or security groups may not be "
            "specified on the same request"
        )
    return nic


def _spec(params: dict[str, Any]) -> instances.LaunchSpec:
    if params.get("LaunchTemplate"):
        raise errors.UnsupportedOperation.because("privlink does not support launch templates.")
    if not params.get("ImageId"):
        raise errors.ParameterMissing("ImageId")
    nic = _primary_nic(params)
    return instances.LaunchSpec(
        image_id=params["ImageId"],
        min_count=params["MinCount"],
        max_count=params["MaxCount"],
        instance_type=params.get("InstanceType") or instances.DEFAULT_TYPE,
        subnet_id=params.get("SubnetId") or nic.get("SubnetId"),
        zone=(params.get("Placement") or {}).get("AvailabilityZone"),
        group_ids=list(params.get("SecurityGroupIds") or nic.get("Groups") or []),
        group_names=params.get("SecurityGroups") or (),
        private_ip=params.get("PrivateIpAddress") or nic.get("PrivateIpAddress"),
        interface_id=nic.get("NetworkInterfaceId"),
        interface_description=nic.get("Description") or "",
        delete_interface_on_termination=nic.get("DeleteOnTermination", True),
        associate_public_ip=nic.get("AssociatePublicIpAddress"),
        key_name=params.get("KeyName"),
        user_data=params.get("UserData"),
        client_token=params.get("ClientToken"),
        tags=tag_wire.by_type(params, TAGGABLE),
    )


@handles("RunInstances")
def run_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "RunInstances", params)
    if earlier:
        made = [i for i in ctx.list(Instance) if i.reservation_id == earlier]
        return views.reservation(ctx, earlier, made)
    reservation_id, made = instances.run_instances(ctx, _spec(params))
    remember_token(ctx, "RunInstances", params, reservation_id)
    return views.reservation(ctx, reservation_id, made)


@handles("DescribeInstances")
def describe_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("InstanceIds") and params.get("MaxResults") is not None:
        raise errors.InvalidParameterCombination.because(
            "The parameter instancesSet cannot be used with the parameter maxResults"
        )
    chunk, token = views.INSTANCES.page(ctx, params.get("InstanceIds"), params)
    reservations: dict[str, list[Instance]] = {}
    for instance in chunk:
        reservations.setdefault(instance.reservation_id, []).append(instance)
    return {
        "Reservations": [views.reservation(ctx, r, found) for r, found in reservations.items()],
        "NextToken": token,
    }


@handles("TerminateInstances")
def terminate_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    changed = instances.terminate_instances(ctx, params["InstanceIds"])
    return {
        "TerminatingInstances": [
            {
                "InstanceId": instance.id,
                "CurrentState": views.state(instance.state),
                "PreviousState": views.state(previous),
            }
            for instance, previous in changed
        ]
    }


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
    "groupSet": ("Groups", lambda ctx, i: group_set(ctx, i.group_ids)),
    "ebsOptimized": ("EbsOptimized", lambda ctx, i: {"Value": False}),
    "sriovNetSupport": ("SriovNetSupport", lambda ctx, i: {}),
    "enaSupport": ("EnaSupport", lambda ctx, i: {"Value": True}),
    "enclaveOptions": ("EnclaveOptions", lambda ctx, i: {"Enabled": False}),
    "disableApiStop": ("DisableApiStop", lambda ctx, i: {"Value": False}),
}


@handles("DescribeInstanceAttribute")
def describe_instance_attribute(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    instance = require(ctx, Instance, params["InstanceId"])
    found = _ATTRIBUTES.get(params["Attribute"])
    if found is None:
        raise errors.InvalidAttributeName(params["Attribute"])
    member, value = found
    return {"InstanceId": instance.id, member: value(ctx, instance)}


@handles("DescribeInstanceStatus")
def describe_instance_status(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chosen = views.INSTANCES.select(ctx, params.get("InstanceIds"))
    if not params.get("IncludeAllInstances"):
        chosen = [i for i in chosen if i.state == "running"]
    statuses, token = narrow(
        [views.wire_status(i) for i in chosen],
        params,
        views.STATUS_FILTERS,
        lambda s: s["InstanceId"],
        tags=lambda s: {},
    )
    return {"InstanceStatuses": statuses, "NextToken": token}
