"""ELBv2 records as the store keeps them (not as the wire shows them).

Record ids are the resources' ARNs: every ELBv2 API addresses resources by
ARN, so lookups need no secondary index. Load balancers and target groups
hang under their VPC, listeners under their load balancer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from privlink import errors
from privlink.services.ec2.records import Tagged


class LbNode(BaseModel):
    """The load balancer's presence in one AZ: one private address in one subnet."""

    zone_name: str
    zone_id: str
    subnet_id: str
    private_ip: str
    requested_ip: bool = False  # the caller chose the address (SubnetMappings.PrivateIPv4Address)


class LoadBalancer(Tagged):
    kind = "elbv2-load-balancer"
    not_found = errors.LoadBalancerNotFound
    name: str
    lb_id: str  # the 16-hex suffix of the ARN, also in the DNS name
    type: str = "network"
    scheme: str
    vpc_id: str
    dns_name: str
    created_time: str
    state: str = "active"
    ip_address_type: str = "ipv4"
    security_groups: list[str] = Field(default_factory=list)
    nodes: list[LbNode] = Field(default_factory=list)
    attributes: dict[str, str] = Field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        return self.vpc_id

    @property
    def address_owner(self) -> str:
        """The owner key of the nodes' addresses in the store (short: the column is 64 chars)."""
        return f"elb-{self.lb_id}"


class HealthCheck(BaseModel):
    protocol: str = "TCP"
    port: str = "traffic-port"
    enabled: bool = True
    path: str | None = None
    interval: int = 30
    timeout: int = 10
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str | None = None  # HTTP codes, for HTTP/HTTPS health checks


class HealthReport(BaseModel):
    """What the data plane last observed for a target (see targets.set_target_health)."""

    state: str
    reason: str | None = None
    description: str | None = None


class RegisteredTarget(BaseModel):
    id: str  # instance id or IPv4 address
    port: int
    availability_zone: str | None = None  # ip targets: given, or the subnet's AZ
    registered_at: str
    draining_until: str | None = None  # set by DeregisterTargets while connections drain
    report: HealthReport | None = None


class TargetGroup(Tagged):
    kind = "elbv2-target-group"
    not_found = errors.TargetGroupNotFound
    name: str
    tg_id: str
    protocol: str
    port: int
    vpc_id: str
    target_type: str = "instance"
    ip_address_type: str = "ipv4"
    health_check: HealthCheck = Field(default_factory=HealthCheck)
    attributes: dict[str, str] = Field(default_factory=dict)
    targets: list[RegisteredTarget] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.vpc_id


class ActionRecord(BaseModel):
    """An application load balancer's default action (forward, redirect, fixed-response).

    `redirect` holds RedirectConfig's members (Protocol, Host, Port, Path, Query,
    StatusCode) as the API names them; `fixed` FixedResponseConfig's (StatusCode,
    ContentType, MessageBody)."""

    type: str
    target_group_arn: str | None = None
    redirect: dict[str, str] | None = None
    fixed: dict[str, str] | None = None


class Listener(Tagged):
    kind = "elbv2-listener"
    not_found = errors.ListenerNotFound
    load_balancer_arn: str
    port: int
    protocol: str
    # The target group the default action forwards to ("" for an application load
    # balancer's redirect or fixed-response); NLB listeners always forward to one.
    target_group_arn: str = ""
    action: ActionRecord | None = None  # application load balancers: the default action
    ssl_policy: str | None = None
    certificates: list[str] = Field(default_factory=list)
    alpn_policy: list[str] = Field(default_factory=list)

    @property
    def parent(self) -> str | None:
        return self.load_balancer_arn
