"""Reads of ACM certificates, for ACM's handlers and for other services.

A load balancer's HTTPS listener or a Client VPN endpoint reads the PEM
material it serves with through `certificate_by_arn`, in its own account
and region: ACM certificates are regional, so a certificate of another
region (or another account) is not found, as on AWS.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.acm.records import AMAZON_ISSUED, Certificate

ARN_PATTERN = r"arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*"
_CERTIFICATE_ARN = re.compile(r"arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}")

ISSUED = "ISSUED"
EXPIRED = "EXPIRED"
PENDING_VALIDATION = "PENDING_VALIDATION"


@dataclass(frozen=True)
class CertificateBundle:
    """What a service that terminates TLS needs: the PEM material and where it stands."""

    arn: str
    status: str
    domain_name: str
    names: tuple[str, ...]
    key_algorithm: str
    certificate_pem: str
    private_key_pem: str
    chain_pem: str | None

    @property
    def full_chain_pem(self) -> str:
        """Certificate followed by its chain, the order TLS servers send them in."""
        return self.certificate_pem + (self.chain_pem or "")


def check_arn(arn: str, member: str = "certificateArn") -> None:
    """The model's pattern (ValidationException), then ACM's ARN form (InvalidArnException)."""
    if not 20 <= len(arn) <= 2048 or re.fullmatch(ARN_PATTERN, arn) is None:
        raise errors.AcmConstraint(member, f"satisfy regular expression pattern: {ARN_PATTERN}")
    if _CERTIFICATE_ARN.fullmatch(arn) is None:
        raise errors.AcmInvalidArn(arn)


def require(scope: Scope, arn: str) -> Certificate:
    """The caller's certificate in this region (another account's or region's: not found)."""
    check_arn(arn)
    return scope.require(Certificate, arn)


def status(cert: Certificate, now: dt.datetime) -> str:
    """ISSUED, EXPIRED past NotAfter, PENDING_VALIDATION until a request's validation is done."""
    if cert.type == AMAZON_ISSUED and cert.validated_at is not None and now < cert.validated_at:
        return PENDING_VALIDATION
    return EXPIRED if now > cert.facts.not_after else ISSUED


def certificate_by_arn(scope: Scope, arn: str) -> CertificateBundle:
    """A certificate's material for a service that serves TLS with it."""
    cert = require(scope, arn)
    return CertificateBundle(
        arn=cert.arn,
        status=status(cert, scope.now()),
        domain_name=cert.facts.domain_name,
        names=tuple(cert.facts.names),
        key_algorithm=cert.facts.key_algorithm,
        certificate_pem=cert.certificate_pem,
        private_key_pem=cert.private_key_pem,
        chain_pem=cert.chain_pem,
    )


def certificates(scope: Scope) -> list[Certificate]:
    return scope.list(Certificate)
