"""The certificate authority that issues RequestCertificate's certificates.

On AWS, Amazon's public CAs sign ACM certificates. privlink's local CA
(privlink/tls.py, under the state dir) signs them here, and GetCertificate
returns its root as the chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from privlink.services.acm.material import PrivateKey
from privlink.tls import LocalCA, pem_cert, pem_key

ISSUED_DAYS = 395  # ACM's public certificates are valid for 13 months


@dataclass(frozen=True)
class Issued:
    certificate_pem: str
    private_key_pem: str
    chain_pem: str


def new_key(algorithm: str) -> PrivateKey:
    """A key for RequestCertificate's KeyAlgorithm (RSA_2048, EC_prime256v1, EC_secp384r1)."""
    if algorithm.startswith("RSA_"):
        return rsa.generate_private_key(65537, int(algorithm.removeprefix("RSA_")))
    curve: ec.EllipticCurve = {
        "EC_prime256v1": ec.SECP256R1(),
        "EC_secp384r1": ec.SECP384R1(),
        "EC_secp521r1": ec.SECP521R1(),
    }[algorithm]
    return ec.generate_private_key(curve)


class Authority:
    """ACM's issuing CA: privlink's local CA (privlink/tls.py), whose root is what
    `privlink env` exports as AWS_CA_BUNDLE, so clients trust ACM-issued certificates
    exactly as they trust privlink's API."""

    def __init__(self, ca: LocalCA) -> None:
        self.ca = ca

    def issue(self, domain: str, names: list[str], algorithm: str, now: dt.datetime) -> Issued:
        """A server certificate for `names` (the first is the subject's CN)."""
        key = new_key(algorithm)
        cert = self.ca.sign(domain, names, key, days=ISSUED_DAYS, client_auth=True, now=now)
        return Issued(
            pem_cert(cert).decode(), pem_key(key).decode(), pem_cert(self.ca.root()[0]).decode()
        )
