"""ListCertificates' filters and pages, and the domain-name rule RequestCertificate applies.

Without Includes.keyTypes, ACM lists only RSA_1024 and RSA_2048 certificates
(the Filters documentation and the user guide's import troubleshooting say
so): an imported EC certificate is listed only when asked for by key type.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import queries
from privlink.services.acm.records import Certificate

DEFAULT_KEY_TYPES = ("RSA_1024", "RSA_2048")
DOMAIN_PATTERN = (
    r"(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])"
)


def check_names(names: list[str]) -> None:
    """The model's DomainNameString rule for DomainName and each alternative name."""
    for i, name in enumerate(names):
        member = "domainName" if i == 0 else f"subjectAlternativeNames.{i}.member"
        if not 1 <= len(name) <= 253 or re.fullmatch(DOMAIN_PATTERN, name) is None:
            raise errors.AcmConstraint(
                member, f"satisfy regular expression pattern: {DOMAIN_PATTERN}"
            )


def matching(scope: Scope, params: dict[str, Any]) -> list[Certificate]:
    """The caller's certificates that pass ListCertificates' statuses and Includes filters."""
    statuses = params.get("CertificateStatuses") or []
    includes = params.get("Includes") or {}
    key_types = includes.get("keyTypes") or DEFAULT_KEY_TYPES
    usages = set(includes.get("keyUsage") or [])
    extended = set(includes.get("extendedKeyUsage") or [])
    now = scope.now()
    found = []
    for cert in queries.certificates(scope):
        facts = cert.facts
        if statuses and queries.status(cert, now) not in statuses:
            continue
        if facts.key_algorithm not in key_types:
            continue
        if usages and not usages & set(facts.key_usages):
            continue
        if extended and not extended & {name for name, _ in facts.extended_key_usages}:
            continue
        if includes.get("exportOption") and cert.export != includes["exportOption"]:
            continue
        if includes.get("managedBy"):  # CloudFront manages none of privlink's certificates
            continue
        found.append(cert)
    return _sorted(found, params)


def _sorted(found: list[Certificate], params: dict[str, Any]) -> list[Certificate]:
    by, order = params.get("SortBy"), params.get("SortOrder")
    if (by is None) != (order is None):
        raise errors.AcmValidation.because(
            "If you specify SortBy, you must also specify SortOrder, and the other way round."
        )
    if by is None:
        return found
    return sorted(found, key=lambda c: c.created_at, reverse=order == "DESCENDING")


def page(
    found: list[Certificate], max_items: int | None, token: str | None
) -> tuple[list[Certificate], str | None]:
    """One page of at most MaxItems; NextToken names where the next page starts."""
    if max_items is not None and not 1 <= max_items <= 1000:
        raise errors.AcmConstraint("maxItems", "have value between 1 and 1000")
    start = 0
    if token:
        start = _start_of(found, token)
    end = len(found) if max_items is None else start + max_items
    following = (
        base64.urlsafe_b64encode(found[end].arn.encode()).decode() if end < len(found) else None
    )
    return found[start:end], following


def _start_of(found: list[Certificate], token: str) -> int:
    try:
        arn = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise errors.AcmInvalidArgs.because(f"Invalid NextToken: {token}") from exc
    for i, cert in enumerate(found):
        if cert.arn == arn:
            return i
    raise errors.AcmInvalidArgs.because(f"Invalid NextToken: {token}")
