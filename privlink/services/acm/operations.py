"""ACM operations: typed calls that decide and write, for ACM's handlers and other services.

Load balancers and Client VPN endpoints call `mark_in_use` when a listener or
endpoint starts using a certificate and `release` when it stops; a
certificate in use cannot be deleted (ResourceInUseException), and
DescribeCertificate lists its users in InUseBy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import material, queries
from privlink.services.acm.authority import Authority
from privlink.services.acm.records import (
    AMAZON_ISSUED,
    IMPORTED,
    AccountConfiguration,
    Certificate,
    DomainValidation,
    Facts,
)
from privlink.services.shared import tags as tag_rules

MAX_CERTIFICATES = 2500  # ACM's default quota of certificates per account and region
PUBLIC_KEY_ALGORITHMS = ("RSA_2048", "EC_prime256v1", "EC_secp384r1")
# privlink stands in for the DNS record a user publishes: a request validates this long
# after it was made (short, so PENDING_VALIDATION can be observed and waited for).
VALIDATION_DELAY = dt.timedelta(seconds=2)
TAG_ERRORS = tag_rules.TagErrors(
    bad_key=errors.AcmInvalidTag,
    bad_value=errors.AcmInvalidTagValue,
    too_many=lambda n: errors.AcmTooManyTags(str(n)),
)
# ACM lets a reimport drop these extension values (user guide, "Reimport a certificate").
DROPPABLE_KEY_USAGES = {"EC": {"KEY_ENCIPHERMENT"}, "RSA": set[str]()}
DROPPABLE_EXTENDED_USAGES = {"TLS_WEB_CLIENT_AUTHENTICATION"}


@dataclass(frozen=True)
class ImportRequest:
    certificate: bytes
    private_key: bytes
    chain: bytes | None = None
    arn: str | None = None  # reimport into this certificate
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CertificateRequest:
    domain_name: str
    names: tuple[str, ...] = ()  # SubjectAlternativeNames besides the domain name
    validation_method: str = "EMAIL"
    key_algorithm: str = "RSA_2048"
    idempotency_token: str | None = None
    transparency_logging: str = "ENABLED"
    export: str = "DISABLED"
    tags: Mapping[str, str] = field(default_factory=dict)


def new_arn(scope: Scope) -> str:
    h = scope.hexid(32)
    uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return f"arn:aws:acm:{scope.region}:{scope.account}:certificate/{uuid}"


def import_certificate(scope: Scope, request: ImportRequest) -> Certificate:
    """ImportCertificate: a new imported certificate, or new material for an existing one."""
    now = scope.now()
    existing = _reimported(scope, request)
    tag_rules.check(request.tags, TAG_ERRORS)
    loaded = material.load(request.certificate, request.private_key, request.chain, now)
    if existing is not None:
        _check_reimport(existing, loaded.facts)
        existing.certificate_pem = loaded.certificate_pem
        existing.private_key_pem = loaded.private_key_pem
        existing.chain_pem = loaded.chain_pem
        existing.facts = loaded.facts
        existing.imported_at = now
        scope.put(existing)
        return existing
    _check_quota(scope)
    cert = Certificate(
        id=new_arn(scope),
        account=scope.account,
        region=scope.region,
        type=IMPORTED,
        created_at=now,
        imported_at=now,
        certificate_pem=loaded.certificate_pem,
        private_key_pem=loaded.private_key_pem,
        chain_pem=loaded.chain_pem,
        facts=loaded.facts,
        tags=dict(request.tags),
    )
    scope.add(cert)
    return cert


def _reimported(scope: Scope, request: ImportRequest) -> Certificate | None:
    """The certificate a reimport replaces the material of (None: a new import)."""
    if request.arn is None:
        return None
    existing = queries.require(scope, request.arn)
    if existing.type != IMPORTED:
        raise errors.NotAnImportedCertificate(request.arn)
    if request.tags:
        raise errors.ReimportWithTags()
    return existing


def _check_reimport(old: Certificate, new: Facts) -> None:
    """The user guide's reimport rules: same key type and size, no extension value dropped."""
    if new.key_algorithm != old.facts.key_algorithm:
        raise errors.ReimportKeyChanged(old.facts.key_algorithm, new.key_algorithm)
    family = new.key_algorithm.split("_")[0]
    for usage in old.facts.key_usages:
        if usage not in new.key_usages and usage not in DROPPABLE_KEY_USAGES[family]:
            raise errors.ReimportUsageRemoved("Key Usage", usage)
    new_extended = {name for name, _ in new.extended_key_usages}
    for name, _ in old.facts.extended_key_usages:
        if name not in new_extended and name not in DROPPABLE_EXTENDED_USAGES:
            raise errors.ReimportUsageRemoved("Extended Key Usage", name)


def _check_quota(scope: Scope) -> None:
    if len(queries.certificates(scope)) >= MAX_CERTIFICATES:
        raise errors.AcmLimitExceeded()


def request_certificate(
    scope: Scope, authority: Authority, request: CertificateRequest
) -> Certificate:
    """RequestCertificate: a certificate from privlink's ACM CA, issued once validated.

    The same IdempotencyToken in the same account and region gives the
    certificate the first call made (ACM keeps tokens for an hour; privlink
    keeps them while that certificate exists)."""
    token_scope = f"acm-idempotency:{scope.account}:{scope.region}"
    if request.idempotency_token:
        earlier = scope.uow.name_owner(token_scope, request.idempotency_token)
        found = scope.get(Certificate, earlier) if earlier else None
        if found is not None:
            return found
    _check_request(request)
    tag_rules.check(request.tags, TAG_ERRORS)
    _check_quota(scope)
    names = list(dict.fromkeys([request.domain_name, *request.names]))
    now = scope.now()
    issued = authority.issue(request.domain_name, names, request.key_algorithm, now)
    loaded = material.load(
        issued.certificate_pem.encode(),
        issued.private_key_pem.encode(),
        issued.chain_pem.encode(),
        now,
    )
    arn = new_arn(scope)
    cert = Certificate(
        id=arn,
        account=scope.account,
        region=scope.region,
        type=AMAZON_ISSUED,
        created_at=now,
        validated_at=now + VALIDATION_DELAY,
        certificate_pem=loaded.certificate_pem,
        private_key_pem=loaded.private_key_pem,
        chain_pem=loaded.chain_pem,
        facts=loaded.facts,
        validation_method=request.validation_method,
        validations=[_validation(arn, name) for name in names],
        transparency_logging=request.transparency_logging,
        export=request.export,
        tags=dict(request.tags),
    )
    scope.add(cert)
    if request.idempotency_token:
        scope.uow.release_name(token_scope, request.idempotency_token)
        scope.uow.claim_name(token_scope, request.idempotency_token, arn)
    return cert


def _check_request(request: CertificateRequest) -> None:
    if request.key_algorithm not in PUBLIC_KEY_ALGORITHMS:
        raise errors.KeyAlgorithmNotForPublic(request.key_algorithm)
    if request.validation_method == "HTTP":
        raise errors.ValidationMethodUnsupported(request.validation_method)
    if len(request.domain_name) > 64:
        raise errors.CommonNameTooLong(request.domain_name, str(len(request.domain_name)))


def _validation(arn: str, name: str) -> DomainValidation:
    """The CNAME ACM asks for: names derived from the certificate, stable across calls."""
    base = name.removeprefix("*.")
    digest = hashlib.sha256(f"{arn} {base}".encode()).hexdigest()
    return DomainValidation(
        domain_name=name,
        validation_domain=base,
        record_name=f"_{digest[:32]}.{base}.",
        record_value=f"_{digest[32:]}.{digest[:10]}.acm-validations.aws.",
    )


def delete_certificate(scope: Scope, arn: str) -> None:
    cert = queries.require(scope, arn)
    if cert.in_use_by:
        raise errors.AcmCertificateInUse(arn, scope.account, ", ".join(cert.in_use_by))
    scope.delete(cert)


def mark_in_use(scope: Scope, arn: str, user_arn: str) -> Certificate:
    """A resource of the caller's (a listener, a VPN endpoint) starts using the certificate."""
    cert = queries.require(scope, arn)
    if user_arn not in cert.in_use_by:
        cert.in_use_by.append(user_arn)
        scope.put(cert)
    return cert


def release(scope: Scope, arn: str, user_arn: str) -> None:
    """The resource stops using the certificate (a certificate already gone is fine)."""
    cert = scope.get(Certificate, arn)
    if cert is not None and user_arn in cert.in_use_by:
        cert.in_use_by.remove(user_arn)
        scope.put(cert)


def add_tags(scope: Scope, arn: str, tags: Mapping[str, str]) -> None:
    cert = queries.require(scope, arn)
    tag_rules.check(tags, TAG_ERRORS)
    merged = {**cert.tags, **tags}
    tag_rules.check(merged, TAG_ERRORS)
    cert.tags = merged
    scope.put(cert)


def remove_tags(scope: Scope, arn: str, tags: Mapping[str, str | None]) -> None:
    """A tag given with a value goes only if it has that value; without one, always."""
    cert = queries.require(scope, arn)
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            raise errors.AcmInvalidTag(key)
        if key in cert.tags and (value is None or cert.tags[key] == value):
            del cert.tags[key]
    scope.put(cert)


def export_certificate(scope: Scope, arn: str, passphrase: bytes) -> tuple[str, str, str]:
    """(certificate, chain, private key encrypted with the passphrase), where ACM allows it:
    requested certificates with Export ENABLED; imported ones never."""
    cert = queries.require(scope, arn)
    state = queries.status(cert, scope.now())
    if state == queries.PENDING_VALIDATION:
        raise errors.AcmRequestInProgress(arn, state)
    if cert.type != AMAZON_ISSUED or cert.export != "ENABLED":
        raise errors.CertificateNotExportable(arn)
    key = serialization.load_pem_private_key(cert.private_key_pem.encode(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    return cert.certificate_pem, cert.chain_pem or "", encrypted.decode()


def account_configuration(scope: Scope) -> AccountConfiguration:
    found = scope.get(AccountConfiguration, _configuration_id(scope))
    return found or AccountConfiguration(
        id=_configuration_id(scope), account=scope.account, region=scope.region
    )


def put_account_configuration(scope: Scope, days_before_expiry: int | None) -> None:
    if days_before_expiry is not None and not 1 <= days_before_expiry <= 45:
        raise errors.AcmConstraint("expiryEvents.daysBeforeExpiry", "have value between 1 and 45")
    config = account_configuration(scope)
    stored = scope.get(AccountConfiguration, config.id) is not None
    if days_before_expiry is not None:
        config.days_before_expiry = days_before_expiry
    (scope.put if stored else scope.add)(config)


def _configuration_id(scope: Scope) -> str:
    return f"acm-configuration:{scope.account}:{scope.region}"
