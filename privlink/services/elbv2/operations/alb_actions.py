"""Application load balancer listeners: protocols, TLS settings and default actions.

An ALB listener speaks HTTP or HTTPS. HTTPS takes exactly one default certificate and an
SSL policy (ELBSecurityPolicy-2016-08 when none is given); HTTP takes neither. Its
default action is one of:
- forward to one HTTP/HTTPS target group of the load balancer's VPC;
- redirect (RedirectConfig: #{protocol}, #{host}, #{port}, /#{path} and #{query} kept
  unless replaced; StatusCode HTTP_301 or HTTP_302; a redirect to itself is refused);
- fixed-response (FixedResponseConfig: StatusCode 2XX/4XX/5XX, ContentType, MessageBody).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privlink import errors
from privlink.services.elbv2 import ssl_policies
from privlink.services.elbv2.records import ActionRecord

PROTOCOLS = ("HTTP", "HTTPS")
TARGET_GROUP_PROTOCOLS = ("HTTP", "HTTPS")
REDIRECT_DEFAULTS = {
    "Protocol": "#{protocol}",
    "Host": "#{host}",
    "Port": "#{port}",
    "Path": "/#{path}",
    "Query": "#{query}",
}
_REDIRECT_CODES = ("HTTP_301", "HTTP_302")
_FIXED_CODE = r"^(2|4|5)\d\d$"
_CONTENT_TYPES = (
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
)
_TERMINAL = ("forward", "redirect", "fixed-response")
_AUTHENTICATE = ("authenticate-oidc", "authenticate-cognito")


@dataclass(frozen=True)
class TlsSettings:
    ssl_policy: str | None
    certificates: list[str]


def tls_settings(protocol: str, certificates: list[str], ssl_policy: str | None) -> TlsSettings:
    """HTTPS: one certificate and a known policy; HTTP: neither."""
    if protocol != "HTTPS":
        if certificates:
            raise errors.CertificateNotAllowed(protocol)
        if ssl_policy:
            raise errors.SslPolicyNotAllowed(protocol)
        return TlsSettings(None, [])
    if not certificates:
        raise errors.CertificateRequiredFor(protocol)
    if len(certificates) > 1:
        raise errors.OneDefaultCertificate()
    policy = ssl_policy or ssl_policies.DEFAULT
    if policy not in ssl_policies.MIN_TLS:
        raise errors.SSLPolicyNotFound(policy)
    return TlsSettings(policy, certificates)


def terminal(types: list[str]) -> int:
    """The index of the one terminal action (authenticate-* before it are refused)."""
    if not types:
        raise errors.DefaultActionRequired()
    for kind in types:
        if kind in _AUTHENTICATE or kind not in _TERMINAL:
            raise errors.AlbActionTypeInvalid(kind)
    if len(types) > 1:
        raise errors.AlbTooManyActions()
    return 0


def redirect(config: dict[str, str] | None, member: str) -> ActionRecord:
    if not config:
        raise errors.ActionConfigRequired("redirect", "redirect")
    code = config.get("StatusCode") or ""
    if code not in _REDIRECT_CODES:
        raise errors.ActionConfigPattern(code, f"{member}.redirectConfig.statusCode", "HTTP_30[12]")
    merged = {key: config.get(key) or default for key, default in REDIRECT_DEFAULTS.items()}
    if merged == REDIRECT_DEFAULTS:
        raise errors.RedirectLoop()
    return ActionRecord(type="redirect", redirect={**merged, "StatusCode": code})


def fixed_response(config: dict[str, str] | None, member: str) -> ActionRecord:
    if not config:
        raise errors.ActionConfigRequired("fixed-response", "fixed-response")
    code = config.get("StatusCode") or ""
    if not re.match(_FIXED_CODE, code):
        raise errors.ActionConfigPattern(
            code, f"{member}.fixedResponseConfig.statusCode", _FIXED_CODE
        )
    content_type = config.get("ContentType")
    if content_type is not None and content_type not in _CONTENT_TYPES:
        raise errors.ActionConfigPattern(
            content_type, f"{member}.fixedResponseConfig.contentType", "|".join(_CONTENT_TYPES)
        )
    body = config.get("MessageBody")
    if body is not None and len(body) > 1024:
        raise errors.ElbValueOutOfRange(
            str(len(body)), f"{member}.fixedResponseConfig.messageBody", "0", "1024"
        )
    fixed = {"StatusCode": code}
    if content_type:
        fixed["ContentType"] = content_type
    if body is not None:
        fixed["MessageBody"] = body
    return ActionRecord(type="fixed-response", fixed=fixed)
