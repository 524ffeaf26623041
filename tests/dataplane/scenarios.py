"""Plans used by the data-plane tests: a consumer VPC, a provider VPC behind an NLB and an
interface endpoint between them. Both VPCs are 10.0.0.0/16 by default: overlapping CIDRs
are the normal case for PrivateLink, so every endpoint test exercises them."""

from __future__ import annotations

from dataclasses import replace

from privlink.dataplane.plan import (
    DataplanePlan,
    DnsRecord,
    EndpointNet,
    EniNet,
    HealthCheck,
    InstanceNet,
    NlbListener,
    NlbNet,
    NlbNode,
    SecurityRules,
    SgRule,
    SubnetNet,
    Target,
    TargetGroupNet,
    VpcNet,
)

AZ1, AZ2 = "use1-az1", "use1-az2"
FAST_CHECK = HealthCheck(interval=0.3, timeout=1.0, healthy_threshold=1, unhealthy_threshold=2)
ENDPOINT_ID = "vpce-0a1b2c3d4e5f60718"
NLB_ID = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/svc/0123456789abcdef"


def open_to(*cidrs: str) -> SecurityRules:
    return SecurityRules(ingress=(SgRule("all", cidrs=cidrs),))


def two_subnet_vpc(vpc_id: str, prefix: str, records: tuple[DnsRecord, ...] = ()) -> VpcNet:
    """`prefix` "10.0" gives 10.0.0.0/16 with 10.0.1.0/24 (AZ1) and 10.0.2.0/24 (AZ2)."""
    tag = vpc_id.split("-")[1]
    return VpcNet(
        vpc_id,
        f"{prefix}.0.0/16",
        (
            SubnetNet(f"subnet-{tag}1", f"{prefix}.1.0/24", AZ1),
            SubnetNet(f"subnet-{tag}2", f"{prefix}.2.0/24", AZ2),
        ),
        dns_records=records,
    )


def privatelink(
    *,
    consumer: str = "10.0",
    provider: str = "10.0",
    listeners: tuple[tuple[str, int, int], ...] = (("tcp", 80, 8080),),
    proxy_protocol: bool = False,
    cross_zone: bool = False,
    health: HealthCheck | None = FAST_CHECK,
    active: bool = True,
    eni_ingress: tuple[SgRule, ...] | None = None,
    both_azs: bool = True,
) -> DataplanePlan:
    """Consumer instances i-c1 (.1.10, AZ1) and i-c2 (.2.10, AZ2); provider targets
    i-p1 (.1.10) and i-p2 (.1.11) in AZ1; NLB nodes .1.100 / .2.100; ENIs .1.50 / .2.50."""
    cvpc = two_subnet_vpc("vpc-c0", consumer)
    pvpc = two_subnet_vpc("vpc-p0", provider)
    instances = (
        InstanceNet("i-c1", "vpc-c0", "subnet-c01", f"{consumer}.1.10", open_to(cvpc.cidr)),
        InstanceNet("i-c2", "vpc-c0", "subnet-c02", f"{consumer}.2.10", open_to(cvpc.cidr)),
        InstanceNet("i-p1", "vpc-p0", "subnet-p01", f"{provider}.1.10", open_to(pvpc.cidr)),
        InstanceNet("i-p2", "vpc-p0", "subnet-p01", f"{provider}.1.11", open_to(pvpc.cidr)),
    )
    nlb_listeners = []
    for protocol, port, target_port in listeners:
        tg = TargetGroupNet(
            f"tg-{protocol}{port}",
            protocol,  # type: ignore[arg-type]
            (
                Target(f"{provider}.1.10", target_port, AZ1),
                Target(f"{provider}.1.11", target_port, AZ1),
            ),
            health_check=health,
            proxy_protocol_v2=proxy_protocol,
            cross_zone=cross_zone,
        )
        nlb_listeners.append(NlbListener(protocol, port, tg))  # type: ignore[arg-type]
    nodes = [NlbNode("subnet-p01", AZ1, f"{provider}.1.100")]
    if both_azs:
        nodes.append(NlbNode("subnet-p02", AZ2, f"{provider}.2.100"))
    nlb = NlbNet(NLB_ID, "vpc-p0", tuple(nodes), tuple(nlb_listeners))
    ingress = eni_ingress if eni_ingress is not None else (SgRule("all", cidrs=(cvpc.cidr,)),)
    endpoint = EndpointNet(
        ENDPOINT_ID,
        "vpc-c0",
        NLB_ID,
        (
            EniNet("eni-0c1", "subnet-c01", AZ1, f"{consumer}.1.50"),
            EniNet("eni-0c2", "subnet-c02", AZ2, f"{consumer}.2.50"),
        ),
        ingress=ingress,
        active=active,
    )
    return DataplanePlan((cvpc, pvpc), instances, (nlb,), (endpoint,))


def with_endpoint(plan: DataplanePlan, **changes: object) -> DataplanePlan:
    return replace(plan, endpoints=(replace(plan.endpoints[0], **changes),))  # type: ignore
