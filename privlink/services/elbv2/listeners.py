"""NLB listeners: one port, one protocol, one forward action to one target group.

Port uniqueness per load balancer is a claimed name (scope = the load
balancer's ARN), so two concurrent CreateListener calls cannot both win.
A target group serves at most one network load balancer
(TargetGroupAssociationLimit), and the listener/target-group protocol pairs
are AWS's table for NLBs.
"""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Scope, handles
from privlink.services.elbv2 import common, queries
from privlink.services.elbv2.load_balancers import delete_listener_record
from privlink.services.elbv2.records import Listener, LoadBalancer, TargetGroup

# listener protocol -> target group protocols it can forward to (NLB)
COMPATIBLE = {
    "TCP": ("TCP", "TCP_UDP"),
    "TLS": ("TCP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
    "TCP_UDP": ("TCP_UDP",),
}
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"


def _port_scope(lb_arn: str) -> str:
    return f"elbv2-listener-port:{lb_arn}"


def wire_listener(listener: Listener) -> dict[str, Any]:
    tg = listener.target_group_arn
    return {
        "ListenerArn": listener.id,
        "LoadBalancerArn": listener.load_balancer_arn,
        "Port": listener.port,
        "Protocol": listener.protocol,
        "Certificates": [{"CertificateArn": c} for c in listener.certificates] or None,
        "SslPolicy": listener.ssl_policy,
        "DefaultActions": [
            {
                "Type": "forward",
                "TargetGroupArn": tg,
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}],
                    "TargetGroupStickinessConfig": {"Enabled": False},
                },
            }
        ],
        "AlpnPolicy": listener.alpn_policy or None,
    }


def _forward_target(actions: list[dict[str, Any]]) -> str:
    """The one target group ARN an NLB listener's default actions forward to."""
    if not actions:
        raise errors.ValidationError("A default action must be specified")
    if len(actions) > 1:
        raise errors.TooManyActions(
            "A listener of a network load balancer can have only one default action"
        )
    action = actions[0]
    if action.get("Type") != "forward":
        raise errors.InvalidLoadBalancerAction(
            f"The action type '{action.get('Type')}' is not valid with a network load balancer"
        )
    arns = [
        t.get("TargetGroupArn")
        for t in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    ]
    if action.get("TargetGroupArn"):
        arns.append(action["TargetGroupArn"])
    distinct = list(dict.fromkeys(a for a in arns if a))
    if len(distinct) != 1:
        raise errors.InvalidLoadBalancerAction(
            "A forward action of a network load balancer must name exactly one target group"
        )
    return distinct[0]


def _check_target_group(ctx: Scope, lb: LoadBalancer, tg: TargetGroup, protocol: str) -> None:
    if tg.vpc_id != lb.vpc_id:
        raise errors.InvalidConfigurationRequest(
            f"Target group '{tg.id}' is in VPC '{tg.vpc_id}', not in the load balancer's VPC "
            f"'{lb.vpc_id}'"
        )
    if tg.protocol not in COMPATIBLE[protocol]:
        raise errors.IncompatibleProtocols(
            f"The listener protocol '{protocol}' is incompatible with target group protocol "
            f"'{tg.protocol}'"
        )
    if any(arn != lb.id for arn in queries.load_balancers_of(ctx.uow, tg)):
        raise errors.TargetGroupAssociationLimit(
            "The following target groups cannot be associated with more than one load "
            f"balancer: '{tg.id}'"
        )


def _tls_settings(params: dict[str, Any], protocol: str) -> tuple[str | None, list[str]]:
    certificates = [
        c["CertificateArn"] for c in params.get("Certificates") or [] if c.get("CertificateArn")
    ]
    if protocol != "TLS":
        if certificates or params.get("SslPolicy"):
            raise errors.InvalidConfigurationRequest(
                "Certificates and SSL policies are only supported for TLS listeners, "
                f"not {protocol}"
            )
        return None, []
    if not certificates:
        raise errors.ValidationError("A certificate must be specified for TLS listeners")
    return params.get("SslPolicy") or DEFAULT_SSL_POLICY, certificates


@handles("CreateListener")
def create(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    lb = common.require_load_balancer(ctx, params["LoadBalancerArn"])
    protocol, port = params.get("Protocol"), params.get("Port")
    if protocol is None or port is None:
        raise errors.ValidationError(
            "A listener protocol and port must be specified for network load balancers"
        )
    if protocol not in COMPATIBLE:
        raise errors.ValidationError(
            f"Listener protocol '{protocol}' must be one of '{', '.join(COMPATIBLE)}'"
        )
    if not 1 <= port <= 65535:
        raise errors.ValidationError(f"Listener port '{port}' is not between 1 and 65535")
    ssl_policy, certificates = _tls_settings(params, protocol)
    tg = common.require_target_group(ctx, _forward_target(params["DefaultActions"]))
    _check_target_group(ctx, lb, tg, protocol)
    tags = common.parse_tags(params.get("Tags"))
    listener = Listener(
        id=common.listener_arn(lb, ctx.hexid(16)),
        account=ctx.account,
        region=ctx.region,
        load_balancer_arn=lb.id,
        port=port,
        protocol=protocol,
        target_group_arn=tg.id,
        ssl_policy=ssl_policy,
        certificates=certificates,
        alpn_policy=list(params.get("AlpnPolicy") or []),
        tags=tags,
    )
    owner = ctx.uow.name_owner(_port_scope(lb.id), str(port))
    if owner is not None:
        existing = ctx.uow.get(Listener, owner)
        same = ("protocol", "target_group_arn", "ssl_policy", "certificates", "alpn_policy")
        if existing is not None and all(getattr(existing, f) == getattr(listener, f) for f in same):
            return {"Listeners": [wire_listener(existing)]}
        raise errors.DuplicateListener(
            "A listener already exists on this port for this load balancer"
        )
    ctx.uow.claim_name(_port_scope(lb.id), str(port), listener.id)
    ctx.uow.add(listener)
    return {"Listeners": [wire_listener(listener)]}


@handles("DescribeListeners")
def describe(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn = params.get("LoadBalancerArn")
    arns = params.get("ListenerArns")
    if not lb_arn and not arns:
        raise errors.ValidationError("You must specify either listener ARNs or a load balancer ARN")
    if lb_arn:
        common.require_load_balancer(ctx, lb_arn)
        items = queries.listeners_of(ctx.uow, lb_arn)
    else:
        items = ctx.uow.list(Listener, ctx.account, ctx.region)
    items = common.select(items, arns, lambda li: li.id, errors.ListenerNotFound, "Listeners")
    chunk, marker = common.page(items, params, lambda li: li.id)
    return {"Listeners": [wire_listener(li) for li in chunk], "NextMarker": marker}


@handles("DeleteListener")
def delete(ctx: Scope, params: dict[str, Any]) -> dict[str, Any]:
    delete_listener_record(ctx, common.require_listener(ctx, params["ListenerArn"]))
    return {}
