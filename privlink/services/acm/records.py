"""ACM records as the store keeps them.

A certificate is one record keyed by its ARN, in the account and region
that imported or requested it (ACM certificates are regional: a load
balancer can only use a certificate of its own region). The record keeps
the PEM material itself, private key included: privlink is a local
emulator and the key is what its load balancers and VPN endpoints serve
with. What ACM reports about the certificate (names, algorithms, dates) is
read from the X.509 once, when the material arrives, and kept as `Facts`.

Status is not stored: it follows from the record and the clock (an
imported certificate past NotAfter is EXPIRED; a requested one is
PENDING_VALIDATION until its validation completes), see `queries.status`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from privlink import errors
from privlink.store.records import Record

IMPORTED = "IMPORTED"
AMAZON_ISSUED = "AMAZON_ISSUED"


class Facts(BaseModel):
    """What ACM reads from a certificate's X.509 (DescribeCertificate's fields)."""

    domain_name: str
    names: list[str]  # SubjectAlternativeNames (DNS names and IP addresses)
    key_algorithm: str  # RSA_2048, EC_prime256v1 ...
    signature_algorithm: str  # SHA256WITHRSA ...
    not_before: dt.datetime
    not_after: dt.datetime
    issuer: str
    subject: str
    serial: str  # colon-separated hex, as ACM shows it
    key_usages: list[str] = Field(default_factory=list)
    extended_key_usages: list[tuple[str, str]] = Field(default_factory=list)  # (name, OID)


class DomainValidation(BaseModel):
    """One requested name and how ACM validates it (the CNAME a user would publish)."""

    domain_name: str
    validation_domain: str
    record_name: str
    record_value: str


class Certificate(Record):
    kind = "acm-certificate"
    not_found = errors.AcmCertificateNotFound
    type: str  # IMPORTED | AMAZON_ISSUED
    created_at: dt.datetime
    certificate_pem: str
    private_key_pem: str
    chain_pem: str | None = None
    facts: Facts
    imported_at: dt.datetime | None = None  # IMPORTED: the last (re)import
    validated_at: dt.datetime | None = None  # AMAZON_ISSUED: when validation completes
    validation_method: str | None = None
    validations: list[DomainValidation] = Field(default_factory=list)
    transparency_logging: str = "ENABLED"
    export: str = "DISABLED"
    in_use_by: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def arn(self) -> str:
        return self.id


class AccountConfiguration(Record):
    """GetAccountConfiguration / PutAccountConfiguration, one per account and region."""

    kind = "acm-account-configuration"
    days_before_expiry: int = 45
