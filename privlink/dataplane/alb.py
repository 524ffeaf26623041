"""Application load balancers and TLS listeners as plan data: pure, frozen.

An AlbNet is one application load balancer: a node per AZ (an address in one of its
subnets, like an NLB's), its security groups resolved to rules, and its listeners. A
listener speaks HTTP or HTTPS (with the ACM certificates' PEM material and the oldest TLS
version its SSL policy accepts) and has one default action: forward to an HTTP(S) target
group whose health checks the load balancer runs itself (path, matcher, interval,
thresholds), redirect, or a fixed response.

A network load balancer's TLS listener is an ordinary NLB listener (plan.NlbListener)
carrying a TlsTermination: the NLB terminates TLS with the certificate and opens TCP (or
TLS, for a TLS target group) to its targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # plan.py imports this module for its field types
    from privlink.dataplane.plan import NlbNode, SecurityRules, Target

HttpProtocol = Literal["http", "https"]


@dataclass(frozen=True)
class TlsCertificate:
    """An ACM certificate as a TLS server loads it: chain and key in one PEM."""

    arn: str
    pem: str


@dataclass(frozen=True)
class TlsTermination:
    certificates: tuple[TlsCertificate, ...]
    min_tls: str = "TLSv1.2"  # from the listener's SSL policy
    backend_tls: bool = False  # a TLS target group: TLS again towards the targets


@dataclass(frozen=True)
class HttpCheck:
    """An HTTP(S) health check from the load balancer to each target (ALB semantics):
    `matcher` is AWS's HttpCode ("200", "200,302", "200-299")."""

    protocol: HttpProtocol = "http"
    port: int | None = None  # None: the traffic port
    path: str = "/"
    interval: float = 30.0
    timeout: float = 5.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"


@dataclass(frozen=True)
class HttpTargetGroup:
    target_group_id: str
    protocol: HttpProtocol
    targets: tuple[Target, ...] = ()
    check: HttpCheck = HttpCheck()


@dataclass(frozen=True)
class AlbListener:
    """One listener and its default action: `action` is forward (with `target_group`),
    redirect (`redirect`: RedirectConfig's members) or fixed-response (`fixed`)."""

    protocol: HttpProtocol
    port: int
    action: Literal["forward", "redirect", "fixed-response"]
    target_group: HttpTargetGroup | None = None
    redirect: tuple[tuple[str, str], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    tls: TlsTermination | None = None


@dataclass(frozen=True)
class AlbNet:
    alb_id: str
    vpc_id: str
    nodes: tuple[NlbNode, ...]
    security: SecurityRules
    listeners: tuple[AlbListener, ...] = ()
    idle_timeout: int = 60

    def target_groups(self) -> tuple[HttpTargetGroup, ...]:
        seen: dict[str, HttpTargetGroup] = {}
        for listener in self.listeners:
            if listener.target_group is not None:
                seen.setdefault(listener.target_group.target_group_id, listener.target_group)
        return tuple(seen.values())

    def problems(self) -> list[str]:
        """What is wrong with it beyond its addresses (plan.validate checks those)."""
        found = []
        if not self.nodes:
            found.append("no nodes")
        ports = [li.port for li in self.listeners]
        if len(set(ports)) != len(ports):
            found.append("duplicate listener port")
        for li in self.listeners:
            if li.protocol == "https" and (li.tls is None or not li.tls.certificates):
                found.append(f"listener {li.port}: HTTPS without a certificate")
            if (li.action == "forward") != (li.target_group is not None):
                found.append(f"listener {li.port}: forward needs exactly its target group")
        return found
