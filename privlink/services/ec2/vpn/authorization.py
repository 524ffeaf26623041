"""Authorization rules of a Client VPN endpoint: which destinations clients may reach.

With no rule, clients reach nothing (the data plane drops their traffic). With mutual
TLS there are no user groups, so only rules for all users (AuthorizeAllGroups) let
anyone in; a rule for an access group is kept and shown, and admits no one here.
Authorizing takes a moment (`authorizing` -> `active`, the controller's step); revoking
is immediate.
"""

from __future__ import annotations

import ipaddress

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.vpn.endpoints import require_endpoint
from privlink.services.ec2.vpn.records import AuthorizationRule

MAX_RULES = 50


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value))
    except ValueError as exc:
        raise errors.InvalidParameterValue.because(
            f"Value ({value}) for parameter targetNetworkCidr is invalid."
        ) from exc


def _group(group_id: str | None, all_groups: bool | None, verb: str) -> str:
    if bool(group_id) == bool(all_groups):
        raise errors.InvalidParameterCombination.because(
            f"You must specify either AccessGroupId or {verb}AllGroups, but not both."
        )
    return group_id or ""


def authorize_ingress(
    scope: Scope,
    endpoint_id: str,
    cidr: str,
    group_id: str | None = None,
    all_groups: bool | None = None,
    description: str = "",
) -> AuthorizationRule:
    endpoint = require_endpoint(scope, endpoint_id)
    destination = _cidr(cidr)
    group = _group(group_id, all_groups, "Authorize")
    for rule in endpoint.authorization_rules:
        if (rule.destination_cidr, rule.group_id) == (destination, group):
            raise errors.InvalidClientVpnDuplicateAuthorizationRule(destination, group or "all")
    if len(endpoint.authorization_rules) >= MAX_RULES:
        raise errors.ClientVpnAuthorizationRuleLimitExceeded.because(
            f"You have reached the limit of {MAX_RULES} authorization rules."
        )
    rule = AuthorizationRule(
        destination_cidr=destination,
        group_id=group,
        access_all=not group,
        description=description,
    )
    endpoint.authorization_rules.append(rule)
    scope.put(endpoint)
    return rule


def revoke_ingress(
    scope: Scope,
    endpoint_id: str,
    cidr: str,
    group_id: str | None = None,
    all_groups: bool | None = None,
) -> AuthorizationRule:
    endpoint = require_endpoint(scope, endpoint_id)
    destination = _cidr(cidr)
    group = _group(group_id, all_groups, "Revoke")
    for rule in endpoint.authorization_rules:
        if (rule.destination_cidr, rule.group_id) == (destination, group):
            endpoint.authorization_rules.remove(rule)
            scope.put(endpoint)
            rule.status = "revoking"
            return rule
    raise errors.InvalidClientVpnAuthorizationRuleNotFound(destination, group or "all")
