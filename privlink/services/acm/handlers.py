"""ACM's handlers: wire dicts to typed operations and back (json protocol)."""

from __future__ import annotations

from typing import Any

from privlink import errors
from privlink.api import Context, handles
from privlink.services.acm import listing, operations, queries, wire
from privlink.services.acm.authority import Authority
from privlink.services.shared import tags as tag_rules


@handles("ImportCertificate")
def import_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    request = operations.ImportRequest(
        certificate=params["Certificate"],
        private_key=params["PrivateKey"],
        chain=params.get("CertificateChain"),
        arn=params.get("CertificateArn"),
        tags=tag_rules.from_list(params.get("Tags"), operations.TAG_ERRORS),
    )
    return {"CertificateArn": operations.import_certificate(ctx, request).arn}


def request_certificate(
    authority: Authority, ctx: Context, params: dict[str, Any]
) -> dict[str, Any]:
    """RequestCertificate's handler, bound to the service's Authority by `service.service`
    (so it carries no @handles mark: it is not a plain (ctx, params) handler)."""
    options = params.get("Options") or {}
    wanted = params.get("DomainValidationOptions") or []
    names = [params["DomainName"], *(params.get("SubjectAlternativeNames") or [])]
    for option in wanted:
        if option["DomainName"] not in names:
            raise errors.InvalidDomainValidationOptions(option["DomainName"])
    request = operations.CertificateRequest(
        domain_name=params["DomainName"],
        names=tuple(params.get("SubjectAlternativeNames") or ()),
        validation_method=params.get("ValidationMethod") or "EMAIL",
        key_algorithm=params.get("KeyAlgorithm") or "RSA_2048",
        idempotency_token=params.get("IdempotencyToken"),
        transparency_logging=options.get("CertificateTransparencyLoggingPreference", "ENABLED"),
        export=options.get("Export", "DISABLED"),
        tags=tag_rules.from_list(params.get("Tags"), operations.TAG_ERRORS),
    )
    listing.check_names(names)
    return {"CertificateArn": operations.request_certificate(ctx, authority, request).arn}


@handles("DescribeCertificate")
def describe_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    cert = queries.require(ctx, params["CertificateArn"])
    return {"Certificate": wire.detail(cert, ctx.now())}


@handles("GetCertificate")
def get_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    cert = queries.require(ctx, params["CertificateArn"])
    state = queries.status(cert, ctx.now())
    if state == queries.PENDING_VALIDATION:
        raise errors.AcmRequestInProgress(cert.arn, state)
    return {"Certificate": cert.certificate_pem, "CertificateChain": cert.chain_pem}


@handles("ExportCertificate")
def export_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    passphrase: bytes = params["Passphrase"]
    if not 4 <= len(passphrase) <= 128:
        raise errors.AcmConstraint(
            "passphrase", "have length less than or equal to 128 and greater than 3"
        )
    certificate, chain, key = operations.export_certificate(
        ctx, params["CertificateArn"], passphrase
    )
    return {"Certificate": certificate, "CertificateChain": chain, "PrivateKey": key}


@handles("ListCertificates")
def list_certificates(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    found = listing.matching(ctx, params)
    page, token = listing.page(found, params.get("MaxItems"), params.get("NextToken"))
    return {
        "CertificateSummaryList": [wire.summary(c, ctx.now()) for c in page],
        "NextToken": token,
    }


@handles("DeleteCertificate")
def delete_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    operations.delete_certificate(ctx, params["CertificateArn"])
    return {}


@handles("AddTagsToCertificate")
def add_tags_to_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = tag_rules.from_list(params["Tags"], operations.TAG_ERRORS)
    operations.add_tags(ctx, params["CertificateArn"], tags)
    return {}


@handles("RemoveTagsFromCertificate")
def remove_tags_from_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    tags = {t["Key"]: t.get("Value") for t in params["Tags"]}
    operations.remove_tags(ctx, params["CertificateArn"], tags)
    return {}


@handles("ListTagsForCertificate")
def list_tags_for_certificate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    cert = queries.require(ctx, params["CertificateArn"])
    return {"Tags": tag_rules.to_list(cert.tags)}


@handles("GetAccountConfiguration")
def get_account_configuration(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    config = operations.account_configuration(ctx)
    return {"ExpiryEvents": {"DaysBeforeExpiry": config.days_before_expiry}}


@handles("PutAccountConfiguration")
def put_account_configuration(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    days = (params.get("ExpiryEvents") or {}).get("DaysBeforeExpiry")
    operations.put_account_configuration(ctx, days)
    return {}
