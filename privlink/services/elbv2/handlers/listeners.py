"""CreateListener, DescribeListeners, ModifyListener, DeleteListener."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.elbv2 import operations, queries
from privlink.services.elbv2.handlers import wire
from privlink.services.elbv2.records import Listener, LoadBalancer


def _wire_action(listener: Listener) -> dict[str, Any]:
    action = listener.action
    if action is not None and action.type == "redirect":
        return {"Type": "redirect", "Order": 1, "RedirectConfig": action.redirect}
    if action is not None and action.type == "fixed-response":
        return {"Type": "fixed-response", "Order": 1, "FixedResponseConfig": action.fixed}
    tg = listener.target_group_arn
    return {
        "Type": "forward",
        "TargetGroupArn": tg,
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}],
            "TargetGroupStickinessConfig": {"Enabled": False},
        },
    }


def wire_listener(listener: Listener) -> dict[str, Any]:
    return {
        "ListenerArn": listener.id,
        "LoadBalancerArn": listener.load_balancer_arn,
        "Port": listener.port,
        "Protocol": listener.protocol,
        "Certificates": [{"CertificateArn": c} for c in listener.certificates] or None,
        "SslPolicy": listener.ssl_policy,
        "DefaultActions": [_wire_action(listener)],
        "AlpnPolicy": listener.alpn_policy or None,
    }


def _action(raw: dict[str, Any]) -> operations.Action:
    """A wire action: its TargetGroupArn and its ForwardConfig's groups, in that order."""
    groups = (raw.get("ForwardConfig") or {}).get("TargetGroups") or []
    arns = [g.get("TargetGroupArn") or "" for g in groups]
    if raw.get("TargetGroupArn"):
        arns.append(raw["TargetGroupArn"])
    redirect, fixed = raw.get("RedirectConfig"), raw.get("FixedResponseConfig")
    return operations.Action(
        raw.get("Type") or "",
        tuple(arns),
        redirect=tuple((k, str(v)) for k, v in redirect.items()) if redirect else None,
        fixed=tuple((k, str(v)) for k, v in fixed.items()) if fixed else None,
    )


@handles("CreateListener")
def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    spec = operations.NewListener(
        load_balancer_arn=params["LoadBalancerArn"],
        protocol=params.get("Protocol"),
        port=params.get("Port"),
        default_actions=tuple(_action(a) for a in params["DefaultActions"]),
        certificates=tuple(c.get("CertificateArn") or "" for c in params.get("Certificates") or []),
        ssl_policy=params.get("SslPolicy"),
        alpn_policy=tuple(params.get("AlpnPolicy") or ()),
        tags=wire.tag_list(params.get("Tags")),
    )
    return {"Listeners": [wire_listener(operations.create_listener(ctx, spec))]}


@handles("DescribeListeners")
def describe(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    lb_arn = params.get("LoadBalancerArn")
    arns = params.get("ListenerArns")
    if not lb_arn and not arns:
        raise errors.ListenerSelectorRequired()
    if lb_arn:
        ctx.require(LoadBalancer, lb_arn)
        items = queries.listeners_of(ctx.uow, lb_arn)
    else:
        items = ctx.list(Listener)
    items = wire.select(items, arns, lambda li: li.id, errors.ListenersNotFound)
    chunk, marker = wire.page(items, params, lambda li: li.id)
    return {"Listeners": [wire_listener(li) for li in chunk], "NextMarker": marker}


@handles("DeleteListener")
def delete(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_listener(ctx, params["ListenerArn"])
    return {}


@handles("ModifyListener")
def modify(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    alpn = params.get("AlpnPolicy")
    changes = operations.ListenerChanges(
        protocol=params.get("Protocol"),
        port=params.get("Port"),
        default_actions=tuple(_action(a) for a in params.get("DefaultActions") or []),
        certificates=tuple(c.get("CertificateArn") or "" for c in params.get("Certificates") or []),
        ssl_policy=params.get("SslPolicy"),
        alpn_policy=tuple(alpn) if alpn is not None else None,
    )
    listener = operations.modify_listener(ctx, params["ListenerArn"], changes)
    return {"Listeners": [wire_listener(listener)]}
