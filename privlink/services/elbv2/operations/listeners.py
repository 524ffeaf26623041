"""NLB listeners: one port, one protocol, one forward action to one target group.

Port uniqueness per load balancer is a claimed name (scope = the load
balancer's ARN), so two concurrent CreateListener calls cannot both win.
A target group serves at most one network load balancer
(TargetGroupAssociationLimit), and the listener/target-group protocol pairs
are AWS's table for NLBs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from privlink import errors
from privlink.api import Scope
from privlink.services.elbv2 import arns, queries
from privlink.services.elbv2.operations.tags import TAG_ERRORS
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup
from privlink.services.shared import tags

# listener protocol -> target group protocols it can forward to (NLB)
COMPATIBLE = {
    "TCP": ("TCP", "TCP_UDP"),
    "TLS": ("TCP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
    "TCP_UDP": ("TCP_UDP",),
}
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
_SAME = ("protocol", "target_group_arn", "ssl_policy", "certificates", "alpn_policy")


@dataclass(frozen=True)
class Action:
    """A default action: its type and the target groups it names (NLBs: forward to one)."""

    type: str
    target_group_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewListener:
    load_balancer_arn: str
    protocol: str | None
    port: int | None
    default_actions: tuple[Action, ...]
    certificates: tuple[str, ...] = ()
    ssl_policy: str | None = None
    alpn_policy: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def forward(target_group_arn: str) -> tuple[Action, ...]:
    """The default actions of a listener that forwards to one target group."""
    return (Action("forward", (target_group_arn,)),)


def _port_scope(lb_arn: str) -> str:
    return f"elbv2-listener-port:{lb_arn}"


def _forward_target(actions: tuple[Action, ...]) -> str:
    """The one target group ARN an NLB listener's default actions forward to."""
    if not actions:
        raise errors.DefaultActionRequired()
    if len(actions) > 1:
        raise errors.TooManyActions()
    if actions[0].type != "forward":
        raise errors.ActionTypeInvalid(actions[0].type)
    distinct = list(dict.fromkeys(a for a in actions[0].target_group_arns if a))
    if len(distinct) != 1:
        raise errors.ForwardTargetGroupCount()
    return distinct[0]


def _check_target_group(scope: Scope, lb: LoadBalancer, tg: TargetGroup, protocol: str) -> None:
    if tg.vpc_id != lb.vpc_id:
        raise errors.TargetGroupVpcMismatch(tg.id, tg.vpc_id, lb.vpc_id)
    if tg.protocol not in COMPATIBLE[protocol]:
        raise errors.IncompatibleProtocols(protocol, tg.protocol)
    if any(arn != lb.id for arn in queries.load_balancers_of(scope.uow, tg)):
        raise errors.TargetGroupAssociationLimit(tg.id)


def _tls_settings(spec: NewListener, protocol: str) -> tuple[str | None, list[str]]:
    certificates = [c for c in spec.certificates if c]
    if protocol != "TLS":
        if certificates or spec.ssl_policy:
            raise errors.TlsSettingsNotTls(protocol)
        return None, []
    if not certificates:
        raise errors.CertificateRequired()
    return spec.ssl_policy or DEFAULT_SSL_POLICY, certificates


def _protocol_and_port(spec: NewListener) -> tuple[str, int]:
    protocol, port = spec.protocol, spec.port
    if protocol is None or port is None:
        raise errors.ListenerProtocolAndPortRequired()
    if protocol not in COMPATIBLE:
        raise errors.ListenerProtocolInvalid(protocol, ", ".join(COMPATIBLE))
    if not 1 <= port <= 65535:
        raise errors.ListenerPortInvalid(str(port))
    return protocol, port


def create_listener(scope: Scope, spec: NewListener) -> Listener:
    """A listener (or the same one again: CreateListener is idempotent per port and settings)."""
    arns.own(scope, spec.load_balancer_arn, "CreateListener")
    lb = scope.require(LoadBalancer, spec.load_balancer_arn)
    protocol, port = _protocol_and_port(spec)
    ssl_policy, certificates = _tls_settings(spec, protocol)
    tg = scope.require(TargetGroup, _forward_target(spec.default_actions))
    _check_target_group(scope, lb, tg, protocol)
    tags.check(spec.tags, TAG_ERRORS)
    listener = Listener(
        id=arns.listener(lb, scope.hexid(16)),
        account=scope.account,
        region=scope.region,
        load_balancer_arn=lb.id,
        port=port,
        protocol=protocol,
        target_group_arn=tg.id,
        ssl_policy=ssl_policy,
        certificates=certificates,
        alpn_policy=list(spec.alpn_policy),
        tags=dict(spec.tags),
    )
    owner = scope.uow.name_owner(_port_scope(lb.id), str(port))
    if owner is not None:
        existing = scope.get(Listener, owner)
        if existing is not None and all(
            getattr(existing, f) == getattr(listener, f) for f in _SAME
        ):
            return existing
        raise errors.DuplicateListener()
    scope.uow.claim_name(_port_scope(lb.id), str(port), listener.id)
    scope.add(listener)
    return listener


def delete_listener(scope: Scope, arn: str) -> None:
    arns.own(scope, arn, "DeleteListener")
    remove(scope, scope.require(Listener, arn))


def remove(scope: Scope, listener: Listener) -> None:
    """Remove a listener and free its port on the load balancer."""
    scope.uow.release_names(listener.id)
    scope.delete(listener)


@dataclass(frozen=True)
class ListenerChanges:
    """ModifyListener: what is given changes, the rest stays (None / empty: not given)."""

    protocol: str | None = None
    port: int | None = None
    default_actions: tuple[Action, ...] = ()
    certificates: tuple[str, ...] = ()
    ssl_policy: str | None = None
    alpn_policy: tuple[str, ...] | None = None


def modify_listener(scope: Scope, arn: str, changes: ListenerChanges) -> Listener:
    """Change a listener's port, protocol, TLS settings or target group with CreateListener's
    rules; leaving TLS drops the certificates and policy, as AWS does."""
    arns.own(scope, arn, "ModifyListener")
    listener = scope.require(Listener, arn)
    lb = scope.require(LoadBalancer, listener.load_balancer_arn)
    merged = NewListener(
        load_balancer_arn=lb.id,
        protocol=changes.protocol or listener.protocol,
        port=changes.port if changes.port is not None else listener.port,
        default_actions=changes.default_actions or forward(listener.target_group_arn),
        certificates=changes.certificates
        or (tuple(listener.certificates) if (changes.protocol or "TLS") == "TLS" else ()),
        ssl_policy=changes.ssl_policy
        or (listener.ssl_policy if (changes.protocol or "TLS") == "TLS" else None),
    )
    protocol, port = _protocol_and_port(merged)
    ssl_policy, certificates = _tls_settings(merged, protocol)
    tg = scope.require(TargetGroup, _forward_target(merged.default_actions))
    _check_target_group(scope, lb, tg, protocol)
    if port != listener.port:
        if scope.uow.name_owner(_port_scope(lb.id), str(port)) is not None:
            raise errors.DuplicateListener()
        scope.uow.release_names(listener.id)
        scope.uow.claim_name(_port_scope(lb.id), str(port), listener.id)
    listener.protocol, listener.port, listener.target_group_arn = protocol, port, tg.id
    listener.ssl_policy, listener.certificates = ssl_policy, certificates
    if changes.alpn_policy is not None:
        listener.alpn_policy = list(changes.alpn_policy)
    scope.put(listener)
    return listener
