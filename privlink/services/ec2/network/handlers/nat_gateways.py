"""NAT gateway handlers and wire shapes: wire input -> operation -> wire output."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, Scope, handles
from privlink.services.ec2 import tag_wire
from privlink.services.ec2.ids import checker
from privlink.services.ec2.network import nat_gateways
from privlink.services.ec2.records import ElasticIp, NatGateway
from privlink.services.shared.describe import Describe
from privlink.services.shared.idempotency import remember_token, replayed


def _addresses(scope: Scope, nat: NatGateway) -> list[dict[str, Any]]:
    address = scope.get(ElasticIp, nat.allocation_id) if nat.allocation_id else None
    gone = nat.state in ("deleted", "failed")
    return [
        {
            "AllocationId": nat.allocation_id,
            "NetworkInterfaceId": nat.network_interface_id,
            "PrivateIp": nat.private_ip,
            "PublicIp": address.public_ip if address else None,
            "AssociationId": nat.association_id,
            "IsPrimary": True,
            "Status": "disassociated" if gone else "succeeded",
        }
    ]


def wire_nat(scope: Scope, nat: NatGateway) -> dict[str, Any]:
    return {
        "CreateTime": nat.create_time,
        "DeleteTime": nat.delete_time if nat.state in ("deleted", "failed") else None,
        "FailureCode": nat.failure_code,
        "FailureMessage": nat.failure_message,
        "NatGatewayAddresses": _addresses(scope, nat),
        "NatGatewayId": nat.id,
        "State": nat.state,
        "SubnetId": nat.subnet_id,
        "VpcId": nat.vpc_id,
        "Tags": tag_wire.wire(nat.tags),
        "ConnectivityType": nat.connectivity_type,
    }


NAT_GATEWAYS = Describe(
    NatGateway,
    {
        "nat-gateway-id": lambda n: n.id,
        "state": lambda n: n.state,
        "subnet-id": lambda n: n.subnet_id,
        "vpc-id": lambda n: n.vpc_id,
    },
    checker("nat", errors.NatGatewayMalformed),
)


@handles("CreateNatGateway")
def create_nat_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    earlier = replayed(ctx, "CreateNatGateway", params)
    nat = ctx.get(NatGateway, earlier) if earlier else None
    if nat is None:
        if not params.get("SubnetId"):
            raise errors.ParameterMissing("SubnetId")
        spec = nat_gateways.NatSpec(
            subnet_id=params["SubnetId"],
            allocation_id=params.get("AllocationId"),
            connectivity_type=params.get("ConnectivityType") or "public",
            private_ip=params.get("PrivateIpAddress"),
            tags=tag_wire.for_type(params, "natgateway"),
        )
        nat = nat_gateways.create_nat_gateway(ctx, spec)
        remember_token(ctx, "CreateNatGateway", params, nat.id)
    return {"NatGateway": wire_nat(ctx, nat), "ClientToken": params.get("ClientToken")}


@handles("DescribeNatGateways")
def describe_nat_gateways(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    query = {**params, "Filters": params.get("Filter")}  # this call names its filters "Filter"
    chunk, token = NAT_GATEWAYS.page(ctx, params.get("NatGatewayIds"), query)
    return {"NatGateways": [wire_nat(ctx, n) for n in chunk], "NextToken": token}


@handles("DeleteNatGateway")
def delete_nat_gateway(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"NatGatewayId": nat_gateways.delete_nat_gateway(ctx, params["NatGatewayId"]).id}
