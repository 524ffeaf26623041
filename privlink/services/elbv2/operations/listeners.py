"""Listeners. NLB listeners: one port, one protocol, one forward action to one target
group. ALB listeners (HTTP, HTTPS) forward, redirect or answer themselves: their rules
are in alb_actions. TLS and HTTPS listeners serve ACM certificates (certificates.py).

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
from privlink.services.elbv2 import arns, queries, ssl_policies
from privlink.services.elbv2.operations import alb_actions
from privlink.services.elbv2.operations import certificates as certificates_module
from privlink.services.elbv2.operations.tags import TAG_ERRORS
from privlink.services.elbv2.records import ActionRecord, Listener, LoadBalancer, TargetGroup
from privlink.services.shared import tags

# listener protocol -> target group protocols it can forward to (NLB)
COMPATIBLE = {
    "TCP": ("TCP", "TCP_UDP"),
    "TLS": ("TCP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
    "TCP_UDP": ("TCP_UDP",),
}
DEFAULT_SSL_POLICY = ssl_policies.DEFAULT
_SAME = ("protocol", "target_group_arn", "ssl_policy", "certificates", "alpn_policy", "action")


@dataclass(frozen=True)
class Action:
    """A default action: its type, the target groups it names (NLBs: forward to one) and,
    for ALBs, its RedirectConfig / FixedResponseConfig members as (name, value) pairs."""

    type: str
    target_group_arns: tuple[str, ...] = ()
    redirect: tuple[tuple[str, str], ...] | None = None
    fixed: tuple[tuple[str, str], ...] | None = None


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
    certificates_policy = spec.ssl_policy or DEFAULT_SSL_POLICY
    certificates_module.check_policy(certificates_policy)
    return certificates_policy, certificates


def _protocol_and_port(spec: NewListener, allowed: tuple[str, ...]) -> tuple[str, int]:
    protocol, port = spec.protocol, spec.port
    if protocol is None or port is None:
        raise errors.ListenerProtocolAndPortRequired()
    if protocol not in allowed:
        raise errors.ListenerProtocolInvalid(protocol, ", ".join(allowed))
    if not 1 <= port <= 65535:
        raise errors.ListenerPortInvalid(str(port))
    return protocol, port


@dataclass(frozen=True)
class _Resolved:
    """A listener's checked settings."""

    protocol: str
    port: int
    ssl_policy: str | None
    certificates: list[str]
    target_group_arn: str
    action: ActionRecord | None


def _resolve_nlb(scope: Scope, lb: LoadBalancer, spec: NewListener) -> _Resolved:
    protocol, port = _protocol_and_port(spec, tuple(COMPATIBLE))
    ssl_policy, certs = _tls_settings(spec, protocol)
    tg = scope.require(TargetGroup, _forward_target(spec.default_actions))
    _check_target_group(scope, lb, tg, protocol)
    return _Resolved(protocol, port, ssl_policy, certs, tg.id, None)


def _alb_action(scope: Scope, lb: LoadBalancer, actions: tuple[Action, ...]) -> ActionRecord:
    action = actions[alb_actions.terminal([a.type for a in actions])]
    member = "defaultActions.member.1"
    if action.type == "redirect":
        return alb_actions.redirect(dict(action.redirect or ()), member)
    if action.type == "fixed-response":
        return alb_actions.fixed_response(dict(action.fixed or ()), member)
    distinct = list(dict.fromkeys(a for a in action.target_group_arns if a))
    if len(distinct) != 1:
        raise errors.ForwardTargetGroupCount()
    tg = scope.require(TargetGroup, distinct[0])
    if tg.vpc_id != lb.vpc_id:
        raise errors.TargetGroupVpcMismatch(tg.id, tg.vpc_id, lb.vpc_id)
    if any(arn != lb.id for arn in queries.load_balancers_of(scope.uow, tg)):
        raise errors.TargetGroupAssociationLimit(tg.id)
    return ActionRecord(type="forward", target_group_arn=tg.id)


def _resolve_alb(
    scope: Scope, lb: LoadBalancer, spec: NewListener, current: ActionRecord | None
) -> _Resolved:
    protocol, port = _protocol_and_port(spec, alb_actions.PROTOCOLS)
    tls = alb_actions.tls_settings(protocol, [c for c in spec.certificates if c], spec.ssl_policy)
    action = _alb_action(scope, lb, spec.default_actions) if spec.default_actions else current
    if action is None:
        raise errors.DefaultActionRequired()
    if action.target_group_arn:
        tg = scope.require(TargetGroup, action.target_group_arn)
        if tg.protocol not in alb_actions.TARGET_GROUP_PROTOCOLS:
            raise errors.IncompatibleProtocols(protocol, tg.protocol)
    return _Resolved(
        protocol, port, tls.ssl_policy, tls.certificates, action.target_group_arn or "", action
    )


def _resolve(
    scope: Scope, lb: LoadBalancer, spec: NewListener, current: ActionRecord | None = None
) -> _Resolved:
    resolved = (
        _resolve_alb(scope, lb, spec, current)
        if lb.type == "application"
        else _resolve_nlb(scope, lb, spec)
    )
    certificates_module.check(scope, resolved.certificates)
    return resolved


def create_listener(scope: Scope, spec: NewListener) -> Listener:
    """A listener (or the same one again: CreateListener is idempotent per port and settings)."""
    arns.own(scope, spec.load_balancer_arn, "CreateListener")
    lb = scope.require(LoadBalancer, spec.load_balancer_arn)
    resolved = _resolve(scope, lb, spec)
    tags.check(spec.tags, TAG_ERRORS)
    listener = Listener(
        id=arns.listener(lb, scope.hexid(16)),
        account=scope.account,
        region=scope.region,
        load_balancer_arn=lb.id,
        port=resolved.port,
        protocol=resolved.protocol,
        target_group_arn=resolved.target_group_arn,
        action=resolved.action,
        ssl_policy=resolved.ssl_policy,
        certificates=resolved.certificates,
        alpn_policy=list(spec.alpn_policy),
        tags=dict(spec.tags),
    )
    port = resolved.port
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
    certificates_module.bind(scope, lb, listener)
    return listener


def delete_listener(scope: Scope, arn: str) -> None:
    arns.own(scope, arn, "DeleteListener")
    listener = scope.require(Listener, arn)
    remove(scope, scope.require(LoadBalancer, listener.load_balancer_arn), listener)


def remove(scope: Scope, lb: LoadBalancer, listener: Listener) -> None:
    """Remove a listener, free its port on the load balancer and release its
    certificates."""
    certificates_module.unbind(scope, lb, listener)
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
    secure = "HTTPS" if lb.type == "application" else "TLS"
    keeps_tls = (changes.protocol or secure) == secure
    default_actions = changes.default_actions
    if not default_actions and lb.type == "network":
        default_actions = forward(listener.target_group_arn)
    merged = NewListener(
        load_balancer_arn=lb.id,
        protocol=changes.protocol or listener.protocol,
        port=changes.port if changes.port is not None else listener.port,
        default_actions=default_actions,
        certificates=changes.certificates or (tuple(listener.certificates) if keeps_tls else ()),
        ssl_policy=changes.ssl_policy or (listener.ssl_policy if keeps_tls else None),
    )
    resolved = _resolve(scope, lb, merged, listener.action)
    port = resolved.port
    if port != listener.port:
        if scope.uow.name_owner(_port_scope(lb.id), str(port)) is not None:
            raise errors.DuplicateListener()
        scope.uow.release_names(listener.id)
        scope.uow.claim_name(_port_scope(lb.id), str(port), listener.id)
    certificates_module.unbind(scope, lb, listener, keep=resolved.certificates)
    listener.protocol, listener.port = resolved.protocol, port
    listener.target_group_arn, listener.action = resolved.target_group_arn, resolved.action
    listener.ssl_policy, listener.certificates = resolved.ssl_policy, resolved.certificates
    certificates_module.bind(scope, lb, listener)
    if changes.alpn_policy is not None:
        listener.alpn_policy = list(changes.alpn_policy)
    scope.put(listener)
    return listener
