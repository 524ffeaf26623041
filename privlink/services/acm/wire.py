"""ACM's wire shapes: CertificateDetail and CertificateSummary, from a record and the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from privlink.services.acm import queries
from privlink.services.acm.records import AMAZON_ISSUED, IMPORTED, Certificate

SUMMARY_NAMES = 100


def _issuance(cert: Certificate) -> dict[str, Any]:
    """The fields an issued certificate has (a pending request has none of them yet)."""
    facts = cert.facts
    return {
        "Serial": facts.serial,
        "Subject": facts.subject,
        "Issuer": facts.issuer,
        "NotBefore": facts.not_before,
        "NotAfter": facts.not_after,
        "SignatureAlgorithm": facts.signature_algorithm,
        "KeyUsages": [{"Name": u} for u in facts.key_usages],
        "ExtendedKeyUsages": [{"Name": n, "OID": o} for n, o in facts.extended_key_usages],
    }


def _validations(cert: Certificate, state: str) -> list[dict[str, Any]]:
    status = "PENDING_VALIDATION" if state == queries.PENDING_VALIDATION else "SUCCESS"
    out: list[dict[str, Any]] = []
    for v in cert.validations:
        entry: dict[str, Any] = {
            "DomainName": v.domain_name,
            "ValidationDomain": v.validation_domain,
            "ValidationStatus": status,
            "ValidationMethod": cert.validation_method,
        }
        if cert.validation_method == "DNS":
            entry["ResourceRecord"] = {
                "Name": v.record_name,
                "Type": "CNAME",
                "Value": v.record_value,
            }
        else:
            entry["ValidationEmails"] = [
                f"{box}@{v.validation_domain}"
                for box in ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
            ]
        out.append(entry)
    return out


def detail(cert: Certificate, now: dt.datetime) -> dict[str, Any]:
    """DescribeCertificate's CertificateDetail."""
    state = queries.status(cert, now)
    out: dict[str, Any] = {
        "CertificateArn": cert.arn,
        "DomainName": cert.facts.domain_name,
        "SubjectAlternativeNames": cert.facts.names,
        "Status": state,
        "Type": cert.type,
        "KeyAlgorithm": cert.facts.key_algorithm,
        "CreatedAt": cert.created_at,
        "InUseBy": cert.in_use_by,
        "RenewalEligibility": renewal_eligibility(cert),
        "Options": {
            "CertificateTransparencyLoggingPreference": cert.transparency_logging,
            "Export": cert.export,
        },
    }
    if cert.type == IMPORTED:
        out["ImportedAt"] = cert.imported_at
    if cert.type == AMAZON_ISSUED:
        out["DomainValidationOptions"] = _validations(cert, state)
    if state != queries.PENDING_VALIDATION:
        out.update(_issuance(cert))
        if cert.type == AMAZON_ISSUED:
            out["IssuedAt"] = cert.validated_at
    return out


def renewal_eligibility(cert: Certificate) -> str:
    """ACM renews only certificates it issued that are in use; never imported ones."""
    return "ELIGIBLE" if cert.type == AMAZON_ISSUED and cert.in_use_by else "INELIGIBLE"


def summary(cert: Certificate, now: dt.datetime) -> dict[str, Any]:
    """ListCertificates' CertificateSummary."""
    state = queries.status(cert, now)
    out: dict[str, Any] = {
        "CertificateArn": cert.arn,
        "DomainName": cert.facts.domain_name,
        "SubjectAlternativeNameSummaries": cert.facts.names[:SUMMARY_NAMES],
        "HasAdditionalSubjectAlternativeNames": len(cert.facts.names) > SUMMARY_NAMES,
        "Status": state,
        "Type": cert.type,
        "KeyAlgorithm": cert.facts.key_algorithm,
        "ExportOption": cert.export,
        "InUse": bool(cert.in_use_by),
        "RenewalEligibility": renewal_eligibility(cert),
        "CreatedAt": cert.created_at,
    }
    if cert.type == IMPORTED:
        out["ImportedAt"] = cert.imported_at
    if state != queries.PENDING_VALIDATION:
        out["KeyUsages"] = cert.facts.key_usages
        out["ExtendedKeyUsages"] = [name for name, _ in cert.facts.extended_key_usages]
        out["NotBefore"] = cert.facts.not_before
        out["NotAfter"] = cert.facts.not_after
        if cert.type == AMAZON_ISSUED:
            out["IssuedAt"] = cert.validated_at
    return out
