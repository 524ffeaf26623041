"""Network ACL handlers and wire shapes: wire input -> operation -> wire output."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.domain import filters
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import acls
from privlink.services.ec2.records import AclEntry, NetworkAcl
from privlink.services.shared.describe import Describe
from privlink.services.shared.idempotency import remember_token, replayed


def wire_entry(entry: AclEntry) -> dict[str, Any]:
    return {
        "CidrBlock": entry.cidr,
        "Egress": entry.egress,
        "Protocol": entry.protocol,
        "RuleAction": entry.rule_action,
        "RuleNumber": entry.rule_number,
        "PortRange": (
            {"From": entry.from_port, "To": entry.to_port} if entry.from_port is not None else None
        ),
        "IcmpTypeCode": (
            {"Code": entry.icmp_code, "Type": entry.icmp_type}
            if entry.icmp_type is not None
            else None
        ),
    }


def wire_acl(acl: NetworkAcl) -> dict[str, Any]:
    return {
        "Associations": [
            {
                "NetworkAclAssociationId": a.association_id,
                "NetworkAclId": acl.id,
                "SubnetId": a.subnet_id,
            }
            for a in acl.associations
        ],
        "Entries": [wire_entry(e) for e in acl.entries],
        "IsDefault": acl.is_default,
        "NetworkAclId": acl.id,
        "Tags": tag_wire.wire(acl.tags),
        "VpcId": acl.vpc_id,
        "OwnerId": acl.account,
    }


def _entries(get: filters.Getter) -> filters.Getter:
    return lambda acl: [get(e) for e in acl.entries]


NETWORK_ACLS = Describe(
    NetworkAcl,
    {
        "association.association-id": lambda a: [x.association_id for x in a.associations],
        "association.network-acl-id": lambda a: [a.id for _ in a.associations],
        "association.subnet-id": lambda a: [x.subnet_id for x in a.associations],
        "default": lambda a: a.is_default,
        "entry.cidr": _entries(lambda e: e.cidr),
        "entry.egress": _entries(lambda e: e.egress),
        "entry.icmp.code": _entries(lambda e: e.icmp_code),
        "entry.icmp.type": _entries(lambda e: e.icmp_type),
        "entry.port-range.from": _entries(lambda e: e.from_port),
        "entry.port-range.to": _entries(lambda e: e.to_port),
        "entry.protocol": _entries(lambda e: e.protocol),
        "entry.rule-action": _entries(lambda e: e.rule_action),
        "entry.rule-number": _entries(lambda e: e.rule_number),
        "network-acl-id": lambda a: a.id,
        "owner-id": lambda a: a.account,
        "vpc-id": lambda a: a.vpc_id,
    },
    checker("acl", errors.InvalidNetworkAclIDMalformed),
)


@handles("CreateNetworkAcl")
def create_network_acl(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateNetworkAcl", params)
    acl = ctx.get(NetworkAcl, earlier) if earlier else None
    if acl is None:
        tags = tag_wire.for_type(params, "network-acl")
        acl = acls.create_network_acl(ctx, params["VpcId"], tags)
        remember_token(ctx, "CreateNetworkAcl", params, acl.id)
    return {"NetworkAcl": wire_acl(acl), "ClientToken": params.get("ClientToken")}


@handles("DeleteNetworkAcl")
def delete_network_acl(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    acls.delete_network_acl(ctx, params["NetworkAclId"])
    return {}


@handles("DescribeNetworkAcls")
def describe_network_acls(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    chunk, token = NETWORK_ACLS.page(ctx, params.get("NetworkAclIds"), params)
    return {"NetworkAcls": [wire_acl(a) for a in chunk], "NextToken": token}


def _spec(params: dict[str, Any]) -> acls.EntrySpec:
    if params.get("Ipv6CidrBlock"):
        raise errors.UnsupportedOperation.because("privlink's network ACLs hold IPv4 rules only.")
    ports = params.get("PortRange") or {}
    icmp = params.get("IcmpTypeCode") or {}
    return acls.EntrySpec(
        rule_number=int(params["RuleNumber"]),
        egress=bool(params["Egress"]),
        protocol=str(params["Protocol"]),
        rule_action=str(params["RuleAction"]),
        cidr=params.get("CidrBlock"),
        from_port=ports.get("From"),
        to_port=ports.get("To"),
        icmp_type=icmp.get("Type"),
        icmp_code=icmp.get("Code"),
    )


@handles("CreateNetworkAclEntry")
def create_network_acl_entry(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    acls.create_entry(ctx, params["NetworkAclId"], _spec(params))
    return {}


@handles("ReplaceNetworkAclEntry")
def replace_network_acl_entry(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    acls.replace_entry(ctx, params["NetworkAclId"], _spec(params))
    return {}


@handles("DeleteNetworkAclEntry")
def delete_network_acl_entry(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    egress = bool(params["Egress"])
    acls.delete_entry(ctx, params["NetworkAclId"], int(params["RuleNumber"]), egress)
    return {}


@handles("ReplaceNetworkAclAssociation")
def replace_network_acl_association(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    new_id = acls.replace_association(ctx, params["AssociationId"], params["NetworkAclId"])
    return {"NewAssociationId": new_id}
